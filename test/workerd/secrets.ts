/** The Worker secrets of the workerd suites (vitest.workers.config.ts binds them). */
export const TEST_ADMIN_TOKEN = 'workerd-test-admin-token-0123456789';
export const TEST_WEBHOOK_SECRET = 'workerd-test-webhook-secret';
