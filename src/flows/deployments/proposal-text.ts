/**
 * The words of a proposal: a conventional-commit title (`feat(<target>): deploy <app> <version>`,
 * `fix(…)` for changed values, `chore(…)` for upgrades and removals, or the repository's
 * `titlePattern`), a Markdown body a reviewer can judge (application, version linked to the
 * catalogue page, profile, target, the values with secrets masked, validation warnings) and a
 * hidden marker by which the proposal is found again after a crash.
 */
import type { ProposalAction } from '../../store/deployment-records.js';
import { MASK } from './sensitive.js';
import { type UpgradeSummary, upgradeLines } from './upgrade-text.js';

export interface ProposalSubject {
  action: ProposalAction;
  deploymentId: string;
  applicationId: string;
  /** The application's display name (the description's metadata.name). */
  applicationName: string;
  version: string;
  previousVersion?: string;
  profile: string;
  target: string;
  namespace: string;
  name: string;
  /** Every value as written (input or default); hidden ones are masked here, never shown. */
  values: Record<string, unknown>;
  hidden: ReadonlySet<string>;
  warnings: { code: string; message: string }[];
  /** Link to the version's catalogue page; absent when no public URL is configured. */
  catalogueUrl?: string;
  /** How sensitive values were written (issue 15): SOPS-encrypted, or plaintext as the repository allows. */
  sensitive?: { mode: 'none' | 'encrypted' | 'plaintext'; parameters: string[] };
  /** Upgrade proposals (issue 15): version change, release notes, dropped parameters, value changes. */
  upgrade?: UpgradeSummary;
}

export const DEFAULT_TITLE_PATTERN = '{type}({target}): {summary}';

const typeOf: Record<ProposalAction, string> = { deploy: 'feat', update: 'fix', upgrade: 'chore', remove: 'chore' };

function summaryOf(subject: ProposalSubject): string {
  switch (subject.action) {
    case 'deploy':
      return `deploy ${subject.applicationId} ${subject.version}`;
    case 'update':
      return `update ${subject.name} settings`;
    case 'upgrade':
      return `upgrade ${subject.applicationId} to ${subject.version}`;
    case 'remove':
      return `remove ${subject.name}`;
  }
}

/** `{type}`, `{target}`, `{summary}`, `{application}`, `{version}`, `{name}`, `{action}` in `pattern`. */
export function proposalTitle(subject: ProposalSubject, pattern: string | null): string {
  const fields: Record<string, string> = {
    type: typeOf[subject.action],
    target: subject.target,
    summary: summaryOf(subject),
    application: subject.applicationId,
    version: subject.version,
    name: subject.name,
    action: subject.action,
  };
  const title = (pattern ?? DEFAULT_TITLE_PATTERN).replace(/\{(\w+)\}/g, (whole, key: string) => fields[key] ?? whole);
  // One line, bounded: GitHub cuts titles at 256 characters.
  return title.replace(/[\r\n]+/g, ' ').slice(0, 256);
}

/** The marker in every body: an HTML comment naming the deployment, invisible on the forge. */
export function proposalMarker(deploymentId: string): string {
  return `<!-- margo-bridge:deployment=${deploymentId} -->`;
}

function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? '').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function proposalBody(subject: ProposalSubject): string {
  const version = subject.catalogueUrl ? `[${subject.version}](${subject.catalogueUrl})` : subject.version;
  const lines = [
    subject.action === 'remove'
      ? `Removes the deployment **${subject.name}** of **${subject.applicationName}** from target \`${subject.target}\`.`
      : `Deploys **${subject.applicationName}** to target \`${subject.target}\`.`,
    '',
    '| | |',
    '|---|---|',
    `| Application | \`${subject.applicationId}\` |`,
    `| Version | ${version}${subject.previousVersion && subject.previousVersion !== subject.version ? ` (was ${subject.previousVersion})` : ''} |`,
    `| Profile | \`${subject.profile}\` |`,
    `| Target | \`${subject.target}\` |`,
    `| Namespace | \`${subject.namespace}\` |`,
    `| Deployment | \`${subject.name}\` (\`${subject.deploymentId}\`) |`,
  ];
  const names = Object.keys(subject.values).sort();
  if (subject.action !== 'remove' && names.length > 0) {
    lines.push('', '### Values', '', '| Parameter | Value |', '|---|---|');
    for (const name of names) {
      lines.push(`| \`${name}\` | ${subject.hidden.has(name) ? MASK : cell(subject.values[name])} |`);
    }
  }
  if (subject.upgrade) lines.push(...upgradeLines(subject.upgrade, subject.hidden));
  lines.push(...sensitiveLines(subject.sensitive));
  if (subject.warnings.length > 0) {
    lines.push('', '### Warnings', '');
    for (const warning of subject.warnings) lines.push(`- \`${warning.code}\`: ${cell(warning.message)}`);
  }
  lines.push(
    '',
    '_Proposed by margo-bridge. Merging applies it; closing discards it._',
    '',
    proposalMarker(subject.deploymentId),
    '',
  );
  return lines.join('\n');
}

function sensitiveLines(sensitive: ProposalSubject['sensitive']): string[] {
  if (!sensitive || sensitive.mode === 'none') return [];
  const names = sensitive.parameters.map((name) => `\`${name}\``).join(', ');
  return sensitive.mode === 'encrypted'
    ? ['', `Sensitive values (${names}) are SOPS-encrypted for the repository's age recipients.`]
    : [
        '',
        `> **Warning:** sensitive values (${names}) are committed in **plaintext**: this repository sets \`allowPlaintextSecrets: true\` and has no age recipients.`,
      ];
}

export function commitMessage(title: string, subject: ProposalSubject): string {
  return `${title}\n\nmargo-bridge deployment ${subject.deploymentId} (${subject.applicationId} ${subject.version}, profile ${subject.profile})\n`;
}
