/**
 * The JSON Schema of an ApplicationDeployment for editors (`margo-bridge schema --kind
 * deployment`). It states the checks of application-deployment.ts that JSON Schema can express,
 * with the same patterns, per shape (D1 to D5, docs/specification.md): a D5 file has neither
 * apiVersion nor kind; the others carry the deployment id in metadata.annotations.id (D1) or a
 * top-level id (D3, D4), and the application id in metadata.annotations.applicationId or
 * spec.applicationId (D4). Unknown keys are allowed, as validate ignores them.
 */
import { APPLICATION_ID, DEVICE_ID, PROFILE_TYPES, UUID } from './application-deployment.js';
import { ABSOLUTE_URL } from './patterns.js';

const text = (description: string) => ({ type: 'string', description });
const uuid = (description: string) => ({ type: 'string', pattern: UUID.source, description });
const applicationId = (description: string) => ({ type: 'string', pattern: APPLICATION_ID.source, description });

const componentSchema = {
  type: 'object',
  required: ['name', 'properties'],
  properties: {
    name: text('The component name, as in the application description; parameters target it.'),
    properties: {
      type: 'object',
      description: 'Where the component comes from and how it is installed, copied from the description.',
      properties: {
        repository: text('The Helm chart repository, or an oci:// reference.'),
        revision: { type: ['string', 'number'], description: 'The version of the chart or package to install.' },
        packageLocation: {
          type: 'string',
          pattern: ABSOLUTE_URL.source,
          description: 'Compose components: the absolute URL of the Compose Archive.',
        },
        keyLocation: text('URL of the PGP public key that signs the package.'),
        wait: { type: ['boolean', 'string'], description: 'Whether the device waits until the component is deployed.' },
        timeout: text('How long the device waits for the component, such as 8m30s.'),
      },
    },
  },
};

const parameterSchema = {
  type: 'object',
  required: ['targets'],
  properties: {
    value: { description: 'The value the End User chose, or the default.' },
    targets: {
      type: 'array',
      minItems: 1,
      description: 'Where the value is written; at least one.',
      items: {
        type: 'object',
        required: ['pointer', 'components'],
        properties: {
          pointer: text('A Helm values path (as with helm --set) or a compose environment variable name.'),
          components: {
            type: 'array',
            minItems: 1,
            items: { type: 'string' },
            description: 'The components of spec.deploymentProfile that receive the value.',
          },
        },
      },
    },
  },
};

/** D5: neither apiVersion nor kind. */
const isD5 = { not: { anyOf: [{ required: ['apiVersion'] }, { required: ['kind'] }] } };
const hasTopLevelId = { required: ['id'] };
const hasSpecApplicationId = { required: ['id', 'spec'], properties: { spec: { required: ['applicationId'] } } };

export function deploymentJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Margo ApplicationDeployment',
    description:
      'A deployment of one application version to one device or cluster (shapes D1 to D5); see docs/specification.md.',
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      apiVersion: text('application.margo.org/v1alpha1 in the Git-era shapes (D1 to D3); absent in D5.'),
      kind: { const: 'ApplicationDeployment', description: 'ApplicationDeployment; absent in D5.' },
      id: uuid('The deployment id (D3 and later): a UUID assigned once and kept across updates.'),
      metadata: {
        type: 'object',
        required: ['name'],
        description: 'Name and place of the deployment.',
        properties: {
          name: text('The deployment name.'),
          namespace: text('The namespace the application is installed in.'),
          deviceId: {
            type: 'string',
            pattern: DEVICE_ID.source,
            description: 'D5: the device (edge-01), or a device behind a gateway (gateway-01/edge-01, gateway-01/*).',
          },
          annotations: {
            type: 'object',
            description: 'D1 to D3: the ids of the deployment and of its application.',
            properties: {
              id: uuid('D1: the deployment id, a UUID assigned once and kept across updates.'),
              applicationId: applicationId('D1 to D3: the id of the deployed application, from its description.'),
            },
          },
        },
      },
      spec: {
        type: 'object',
        required: ['deploymentProfile', 'parameters'],
        description: 'What is deployed: the chosen profile and the resolved parameter values.',
        not: { required: ['appPackageRef'] },
        properties: {
          applicationId: applicationId('D4 and D5: the id of the deployed application, from its description.'),
          deploymentProfile: {
            type: 'object',
            required: ['type', 'components'],
            description: 'The deployment profile chosen from the description.',
            properties: {
              type: {
                enum: PROFILE_TYPES,
                description: 'helm, compose or custom (or the older spellings helm.v3, docker-compose).',
              },
              components: {
                type: 'array',
                minItems: 1,
                items: componentSchema,
                description: 'The components to install, in this order.',
              },
            },
          },
          parameters: {
            type: 'object',
            additionalProperties: parameterSchema,
            description: 'The parameter values by name, each with where it is written (may be empty: {}).',
          },
        },
      },
    },
    allOf: [
      // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
      { if: { required: ['kind'] }, then: { required: ['apiVersion'] } },
      {
        if: isD5,
        // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
        then: {
          required: ['id'],
          properties: {
            metadata: { required: ['name', 'namespace', 'deviceId'] },
            spec: { required: ['applicationId'] },
          },
        },
        else: {
          allOf: [
            {
              if: hasTopLevelId,
              else: {
                properties: {
                  metadata: { required: ['annotations'], properties: { annotations: { required: ['id'] } } },
                },
              },
            },
            {
              if: hasSpecApplicationId,
              else: {
                properties: {
                  metadata: { required: ['annotations'], properties: { annotations: { required: ['applicationId'] } } },
                },
              },
            },
          ],
        },
      },
    ],
  };
}
