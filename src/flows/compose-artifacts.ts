/**
 * SUP-01 at ingest: a compose component given as an OCI `repository` and `revision` names an
 * artifact; when that artifact can be read, its archive layout is checked and each problem is a
 * `COMPOSE_ARCHIVE` warning. An artifact that cannot be read (another registry's credentials, not
 * pushed yet, offline) gives no warning: the rendered desired state carries the reference as is.
 * Only artifacts on the package registry's own host are read (with its credentials and TLS): a
 * description cannot make margo-bridge send requests to other hosts.
 */
import type { Description, Issue } from '../margo/model.js';
import type { RegistryConnection, RegistryReader } from '../registry/interface.js';

/** Components checked per version: a description naming more only has its first ones checked. */
const maxChecked = 10;
/** Each artifact gets this long, and all of one version together `maxTotalMs`: the check never holds an ingest up for long. */
const perArtifactMs = 5_000;
const maxTotalMs = 15_000;

export async function composeArtifactWarnings(
  reader: RegistryReader,
  packageRegistry: RegistryConnection,
  description: Description,
): Promise<Issue[]> {
  if (!reader.checkComposeArtifact) return [];
  const warnings: Issue[] = [];
  let checked = 0;
  const started = Date.now();
  for (const [p, profile] of description.profiles.entries()) {
    if (profile.type !== 'compose') continue;
    for (const [c, component] of profile.components.entries()) {
      const { repository, revision } = component.properties;
      if (typeof repository !== 'string' || !repository.startsWith('oci://') || revision === undefined) continue;
      if (++checked > maxChecked || Date.now() - started > maxTotalMs) return warnings;
      const connection = artifactConnection(repository, packageRegistry);
      if (!connection) continue;
      let problems: string[];
      try {
        problems = await reader.checkComposeArtifact(connection, String(revision));
      } catch {
        continue;
      }
      for (const problem of problems) {
        warnings.push({
          severity: 'warning',
          code: 'COMPOSE_ARCHIVE',
          message: `compose component ${component.name} (${repository}:${String(revision)}): ${problem}`,
          path: `/deploymentProfiles/${p}/components/${c}/properties/repository`,
          line: 0,
          column: 0,
        });
      }
    }
  }
  return warnings;
}

function artifactConnection(repository: string, packageRegistry: RegistryConnection): RegistryConnection | undefined {
  let host: string;
  try {
    host = new URL(repository.replace(/^oci:/, 'https:')).host;
  } catch {
    return undefined;
  }
  const name = repository.slice(`oci://${host}/`.length);
  // Only the package registry's own host: a description is untrusted input, and margo-bridge does
  // not send requests to hosts it names (nor lend them credentials).
  if (new URL(packageRegistry.url).host !== host) return undefined;
  const scheme = new URL(packageRegistry.url).protocol;
  return {
    kind: 'oci',
    url: `${scheme}//${host}/${name}`,
    allowHttp: packageRegistry.allowHttp === true,
    auth: packageRegistry.auth,
    timeoutMs: perArtifactMs,
    ...(packageRegistry.tls ? { tls: packageRegistry.tls } : {}),
  };
}
