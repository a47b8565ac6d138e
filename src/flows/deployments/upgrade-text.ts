/**
 * What an upgrade proposal's body adds (issue 15): the version change, the new version's release
 * notes (plain markdown text, cut at a bound with a link to the whole file), the parameters whose
 * values were dropped because the new version no longer has them, and a table of value changes
 * (hidden values masked).
 */
import type { Description, InputValue } from '../../margo/model.js';
import { installedValues } from '../../margo/values.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, ProposalRecord } from '../../store/deployment-records.js';
import { liveProposal } from './prepare.js';
import { MASK, openValues } from './sensitive.js';

const NOTES_LIMIT = 3000;

export interface UpgradeSummary {
  from: string;
  to: string;
  dropped: string[];
  changes: { parameter: string; before: unknown; after: unknown }[];
  releaseNotes?: string;
  /** Link to the whole release notes when they were cut. */
  releaseNotesUrl?: string;
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
  if (notes) {
    const text = new TextDecoder().decode(notes.bytes);
    summary.releaseNotes = text.length > NOTES_LIMIT ? `${text.slice(0, NOTES_LIMIT)}…` : text;
    if (text.length > NOTES_LIMIT && catalogueUrl) summary.releaseNotesUrl = `${catalogueUrl}/resources/releaseNotes`;
  }
  return summary;
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
    // Fenced as text: release notes are the publisher's markdown, shown, never interpreted here.
    const fence = '~~~~';
    lines.push(
      '',
      `#### Release notes ${summary.to}`,
      '',
      `${fence}text`,
      summary.releaseNotes.replaceAll(fence, '~~~'),
      fence,
    );
    if (summary.releaseNotesUrl) lines.push('', `[Full release notes](${summary.releaseNotesUrl})`);
  }
  return lines;
}
