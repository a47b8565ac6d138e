import type { Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../schema.js';
import { initial } from './0001_initial.js';
import { pollLease } from './0002_poll_lease.js';
import { sessions } from './0003_sessions.js';
import { deployments } from './0004_deployments.js';
import { registryDemo } from './0005_registry_demo.js';
import { hardening } from './0006_hardening.js';
import { registryKind } from './0007_registry_kind.js';
import { repositorySops } from './0008_repository_sops.js';
import { upgradePolicy } from './0009_upgrade_policy.js';
import { versionMarks } from './0010_version_marks.js';
import { deploymentPages } from './0011_deployment_pages.js';
import { proposalLease } from './0012_proposal_lease.js';

/**
 * Every migration, in order. Names sort lexically (Kysely applies them in name order) and are
 * never renamed once released; add a new file for each change.
 */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_poll_lease': pollLease(),
    '0003_sessions': sessions(),
    '0004_deployments': deployments(),
    '0005_registry_demo': registryDemo(),
    '0006_hardening': hardening(),
    '0007_registry_kind': registryKind(),
    '0008_repository_sops': repositorySops(),
    '0009_upgrade_policy': upgradePolicy(),
    '0010_version_marks': versionMarks(),
    '0011_deployment_pages': deploymentPages(),
    '0012_proposal_lease': proposalLease(),
  };
}

/** The name of the newest migration: `ready()` checks that it has been applied. */
export const LATEST_MIGRATION = Object.keys(migrations('sqlite')).sort().at(-1)!;

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
