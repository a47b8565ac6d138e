/** Every route file exports `register…(app)`; add new ones to this list. */
import type { App } from '../env.js';
import { registerApplications } from './applications.js';
import { registerDeploymentRepositories } from './deployment-repositories.js';
import { registerDeployments } from './deployments.js';
import { registerHealth } from './health.js';
import { registerJobs } from './jobs.js';
import { registerRegistries } from './registries.js';
import { registerTokens } from './tokens.js';
import { registerWebhookDeliveries } from './webhook-deliveries.js';
import { registerWebhooks } from './webhooks.js';

const routes: ((app: App) => void)[] = [
  registerHealth,
  registerRegistries,
  registerApplications,
  registerDeploymentRepositories,
  registerDeployments,
  registerTokens,
  registerJobs,
  registerWebhooks,
  registerWebhookDeliveries,
];

export function registerRoutes(app: App): void {
  for (const register of routes) register(app);
}
