/** Response schemas of the deployment routes (flows/deployments/views.ts gives the data). */
import { z } from '@hono/zod-openapi';
import {
  deploymentStates,
  deploymentWithHistory,
  proposalStates,
  upgradePolicies,
} from '../../flows/deployments/index.js';
import type { Services } from '../../services.js';
import { versionMarkSchema } from '../schemas.js';

export const proposalSchema = z
  .object({
    id: z.string(),
    action: z.enum(['deploy', 'update', 'upgrade', 'remove']),
    state: z.enum(proposalStates),
    branch: z.string(),
    number: z.number().nullable(),
    url: z.string().nullable(),
    commit: z.string().nullable(),
    mergeCommit: z.string().nullable(),
    outcome: z.string().nullable().openapi({ description: 'created, updated, adopted or unchanged' }),
    version: z.string(),
    contentHash: z.string(),
    failureReason: z.string().nullable(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Proposal');

const fileSchema = z.object({ path: z.string(), sha256: z.string() });

const deploymentFields = {
  id: z.string().openapi({ description: "The ApplicationDeployment's id (UUID), kept across updates" }),
  repository: z.object({ id: z.string(), name: z.string() }),
  applicationId: z.string(),
  version: z.string(),
  profile: z.string(),
  target: z.string(),
  namespace: z.string(),
  name: z.string(),
  values: z.record(z.string(), z.unknown()).openapi({ description: 'Sensitive and secret-looking values masked' }),
  sensitive: z.array(z.string()),
  upgradePolicy: z.enum(upgradePolicies),
  state: z.enum(deploymentStates),
  failureReason: z.string().nullable(),
  proposal: proposalSchema.nullable(),
  versionMark: versionMarkSchema.openapi({
    description:
      'The deployed version was withdrawn or its tag moved in the registry: a flag only, the deployment is never changed or re-proposed because of it',
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const deploymentSchema = z
  .object({
    ...deploymentFields,
    files: z
      .array(fileSchema)
      .optional()
      .openapi({ description: "The deployment's rendered files (answers to changes)" }),
    unchanged: z.boolean().optional().openapi({ description: 'The base branch holds this already: no proposal' }),
  })
  .openapi('Deployment');

export const deploymentWithHistorySchema = z
  .object({
    ...deploymentFields,
    history: z.array(proposalSchema),
  })
  .openapi('DeploymentWithHistory');

export const previewSchema = z
  .object({
    files: z.array(fileSchema.extend({ content: z.string() })),
    diff: z.string().openapi({ description: 'Unified diff of the target folder; empty when nothing changes' }),
    unchanged: z.boolean(),
    warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  })
  .openapi('DeploymentPreview');

/** The deployment as answered after an action (without its history). */
export async function view(services: Services, id: string) {
  const { history: _history, ...rest } = await deploymentWithHistory(services, id);
  return rest;
}
