/**
 * The settings of a deployment repository: one schema for `margo-bridge.yaml`
 * (`deploymentRepositories:`) and the API (`POST /api/v1/deployment-repositories`). Strict, so a
 * misspelt key fails with its path. Secrets (tokens, private keys, passwords, client keys) go in
 * here and are sealed before they are stored.
 */
import { z } from 'zod';

const pem = z
  .string()
  .min(1)
  .max(64 * 1024);

/** The render formats (margo/render `renderFormats`), repeated because config imports nothing from margo/. */
export const repositoryFormats = ['margo', 'margo-v1', 'flux', 'argocd'] as const;

const githubAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('app'),
    appId: z.number().int().positive(),
    installationId: z.number().int().positive(),
    privateKey: pem,
  }),
  z.strictObject({ type: z.literal('token'), token: z.string().min(1).max(1000) }),
]);

const githubSchema = z.strictObject({
  owner: z.string().min(1).max(100),
  repo: z.string().min(1).max(100),
  /** REST API root; default https://api.github.com; GitHub Enterprise Server: https://<host>/api/v3. */
  apiUrl: z.string().url().optional(),
  auth: githubAuthSchema,
});

const gitSchema = z.strictObject({
  url: z.string().url(),
  allowHttp: z.boolean().optional(),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: z.string().min(1) }),
      z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) }),
    ])
    .optional(),
  caCert: pem.optional(),
  clientCert: pem.optional(),
  clientKey: pem.optional(),
  /** Pull requests on the forge behind the URL (docs/deployments.md, Other forges); the token is sealed. */
  forge: z
    .strictObject({
      type: z.enum(['gitea', 'forgejo', 'gitlab']),
      /** `https://HOST/api/v1` (Gitea/Forgejo) or `https://HOST/api/v4` (GitLab). */
      apiUrl: z.string().url(),
      /** `owner/repo` (Gitea/Forgejo); project path or id (GitLab). */
      repository: z.string().min(1).max(300),
      token: z.string().min(1).max(1000),
    })
    .optional(),
});

const commonFields = {
  name: z.string().min(1).max(100),
  baseBranch: z.string().min(1).max(250).optional(),
  format: z.enum(repositoryFormats).optional(),
  /** `root` (default '') and `directory` (default `{target}/{name}`; `{target}`, `{name}`, `{applicationId}`). */
  layout: z
    .strictObject({ root: z.string().max(500).optional(), directory: z.string().min(1).max(500).optional() })
    .optional(),
  commitAuthor: z.strictObject({ name: z.string().min(1).max(200), email: z.string().min(3).max(320) }).optional(),
  labels: z.array(z.string().min(1).max(100)).max(20).optional(),
  /** `{type}({target}): {summary}` by default; also `{application}`, `{version}`, `{name}`, `{action}`. */
  titlePattern: z.string().min(1).max(200).nullable().optional(),
  /** Sensitive values are written SOPS-encrypted for these age recipients (`age1…`); null removes them. */
  sops: z
    .strictObject({ ageRecipients: z.array(z.string().min(1).max(200)).min(1).max(20) })
    .nullable()
    .optional(),
  /** Without recipients, deployments with sensitive values are refused unless this is true. */
  allowPlaintextSecrets: z.boolean().optional(),
};

export const deploymentRepositorySchema = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('github'), github: githubSchema, ...commonFields }),
  z.strictObject({ provider: z.literal('git'), git: gitSchema, ...commonFields }),
  z.strictObject({ provider: z.literal('local'), ...commonFields }),
]);
export type DeploymentRepositoryConfig = z.infer<typeof deploymentRepositorySchema>;

/** A change: any common field, and the provider's settings merged into the stored ones. */
export const deploymentRepositoryPatchSchema = z
  .strictObject({ ...commonFields, github: githubSchema.partial(), git: gitSchema.partial() })
  .partial();
export type DeploymentRepositoryPatchConfig = z.infer<typeof deploymentRepositoryPatchSchema>;
