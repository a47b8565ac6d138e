/**
 * What an upgrade proposal's body adds (issue 15): the version change, the new version's release
 * notes (markdown made safe to render, cut at a bound with a link to the whole file), the parameters whose
 * values were dropped because the new version no longer has them, and a table of value changes
 * (hidden values masked).
 */
import type { Description, InputValue } from '../../margo/model.js';
import { installedValues } from '../../margo/values.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, ProposalRecord } from '../../store/deployment-records.js';
import type { RegistryRecord, ResourceRecord, VersionRecord } from '../../store/interface.js';
import { forgeFileUrl } from '../../urls.js';
import { liveProposal } from './prepare.js';
import { safeReleaseNotes } from './release-notes.js';
import { MASK, openValues } from './sensitive.js';

const NOTES_LIMIT = 3000;
/** The body's upgrade section is `###`, the notes' own heading `####`: the notes' headings go below. */
const NOTES_SECTION_LEVEL = 4;

export interface UpgradeSummary {
  from: string;
  to: string;
  dropped: string[];
  changes: { parameter: string; before: unknown; after: unknown }[];
  /** The notes as safe markdown (release-notes.ts), possibly cut. */
  releaseNotes?: string;
  /** Where the whole notes are when they were cut: a link, or else the file and tag named. */
  releaseNotesUrl?: string;
  releaseNotesFile?: { path: string; tag: string };
}

export async function upgradeSummary(
  services: Services,
  deployment: DeploymentRecord,
  proposal: ProposalRecord,
  description: Description,
  values: Record<string, unknown>,
  catalogueUrl: string | undefined,
): Promise<UpgradeSummary> {
  const live = liveProposal(await services.store.proposals.listByDeployment(deployment.id));
  const given: Record<string, InputValue> = live ? await openValues(services.secretBox, live) : {};
  const previous = await services.store.versions.get(deployment.applicationId, live?.version ?? deployment.version);
  const previousDescription = previous?.description as Description | null | undefined;
  // What is installed: the given values and the defaults of the version they were installed with,
  // so that a changed default shows as a change too.
  const before = previousDescription ? installedValues(previousDescription, given) : given;
  const dropped = Object.keys(given).filter((name) => !(name in description.parameters));
  const names = [...new Set([...Object.keys(before), ...Object.keys(values)])].sort();
  // Compared as shown: a value typed as text ("4") and its typed form (4) are no change.
  const changes = names
    .filter((name) => name in description.parameters && cell(before[name]) !== cell(values[name]))
    .map((parameter) => ({ parameter, before: before[parameter], after: values[parameter] }));
  const summary: UpgradeSummary = { from: live?.version ?? deployment.version, to: proposal.version, dropped, changes };
  const version = await services.store.versions.get(deployment.applicationId, proposal.version);
  const notes = version ? await services.store.versions.resource(version.id, 'releaseNotes') : undefined;
  if (version && notes) {
    const { markdown, cut } = safeReleaseNotes(new TextDecoder().decode(notes.bytes), NOTES_LIMIT, NOTES_SECTION_LEVEL);
    summary.releaseNotes = markdown;
    if (cut) {
      const registry = await services.store.registries.get(version.registryId);
      Object.assign(summary, wholeNotes(version, notes, registry, catalogueUrl));
    }
  }
  return summary;
}

/** The catalogue's copy when a public URL is configured, else the file on the registry's forge, else its name. */
export function wholeNotes(
  version: Pick<VersionRecord, 'tag'>,
  notes: Pick<ResourceRecord, 'path'>,
  registry: Pick<RegistryRecord, 'kind' | 'url' | 'subPath'> | undefined,
  catalogueUrl: string | undefined,
): Pick<UpgradeSummary, 'releaseNotesUrl' | 'releaseNotesFile'> {
  if (catalogueUrl) return { releaseNotesUrl: `${catalogueUrl}/resources/releaseNotes` };
  const path = [registry?.subPath ?? '', notes.path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  const forgeUrl = registry?.kind === 'git' ? forgeFileUrl(registry.url, version.tag, path) : undefined;
  return forgeUrl ? { releaseNotesUrl: forgeUrl } : { releaseNotesFile: { path, tag: version.tag } };
}

function cell(value: unknown): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? '').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function upgradeLines(summary: UpgradeSummary, hidden: ReadonlySet<string>): string[] {
  const lines = ['', `### Upgrade ${summary.from} → ${summary.to}`, ''];
  if (summary.changes.length > 0) {
    lines.push('| Parameter | Before | After |', '|---|---|---|');
    for (const change of summary.changes) {
      const masked = hidden.has(change.parameter);
      lines.push(
        `| \`${change.parameter}\` | ${masked ? MASK : cell(change.before)} | ${masked ? MASK : cell(change.after)} |`,
      );
    }
  } else {
    lines.push('Values carried over unchanged.');
  }
  if (summary.dropped.length > 0) {
    lines.push(
      '',
      `Removed or renamed in ${summary.to} (their values were dropped; set the new names if they were renamed): ${summary.dropped.map((name) => `\`${name}\``).join(', ')}`,
    );
  }
  if (summary.releaseNotes !== undefined) {
    lines.push('', `#### Release notes ${summary.to}`, '', summary.releaseNotes);
    if (summary.releaseNotesUrl) lines.push('', `[Full release notes](${summary.releaseNotesUrl})`);
    if (summary.releaseNotesFile) {
      const file = summary.releaseNotesFile;
      lines.push(
        '',
        `Full release notes: \`${file.path.replaceAll('`', '')}\` at tag \`${file.tag.replaceAll('`', '')}\``,
      );
    }
  }
  return lines;
}
