/**
 * A deployment's version as the registry tells it now (issue 15): withdrawn (its tag was deleted,
 * TAG_DELETED) or moved (TAG_MOVED: the tag points at another commit than the one ingested). The
 * deployment is flagged, never changed: the ingested version stays what it deploys.
 */
import type { Services } from '../../services.js';
import type { DeploymentRecord } from '../../store/deployment-records.js';

export interface VersionNotice {
  kind: 'TAG_DELETED' | 'TAG_MOVED';
  tag: string;
  message: string;
  at: string;
}

export async function versionNotices(services: Services, deployment: DeploymentRecord): Promise<VersionNotice[]> {
  const version = await services.store.versions.get(deployment.applicationId, deployment.version);
  if (!version) return [];
  const notices: VersionNotice[] = [];
  for (const kind of ['TAG_DELETED', 'TAG_MOVED'] as const) {
    const events = (await services.store.events.list(version.registryId, { kind })).filter(
      (e) => e.tag === version.tag,
    );
    const [latest] = events.sort((a, b) => b.createdAt - a.createdAt);
    if (!latest) continue;
    notices.push({
      kind,
      tag: version.tag,
      message:
        kind === 'TAG_DELETED'
          ? `version ${version.version} was withdrawn from the registry (tag ${version.tag} deleted); the deployment keeps it until changed`
          : `tag ${version.tag} of version ${version.version} was moved to another commit; the deployment keeps the ingested one (${version.commit.slice(0, 12)})`,
      at: new Date(latest.createdAt).toISOString(),
    });
  }
  return notices;
}
