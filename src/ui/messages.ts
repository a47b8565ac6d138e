/** Flow messages written for API callers, told in the page's own terms. */
const FORCE_HINT = /;? ?add \?force=true to store it anyway/;

export function forPage(message: string): string {
  return message.replace(FORCE_HINT, '; tick “Save even if the connection test fails” to store it anyway');
}

/**
 * Confirmations shown after a redirect. The address carries only a key, so nobody can make the
 * page say something else by sending a link.
 */
const notices = {
  'registry-added': 'Registry added; polling now.',
  'registry-saved': 'Registry saved.',
  'registry-removed': 'Registry removed.',
  'poll-queued': 'Poll queued.',
  'proposal-opened': 'Pull request opened.',
  'already-there': 'The repository already holds this deployment; no pull request was needed.',
  'proposal-updated': 'Proposal updated.',
  'nothing-changed': 'Nothing changed; no proposal was needed.',
  approved: 'Proposal approved and merged.',
  closed: 'Proposal closed.',
  retried: 'Proposal retried.',
  'removal-proposed': 'Removal proposed.',
  'repository-added': 'Deployment repository added.',
  'repository-removed': 'Deployment repository removed.',
} as const;

export type Notice = keyof typeof notices;

export function withNotice(path: string, notice: Notice): string {
  return `${path}?notice=${notice}`;
}

export function noticeOf(key: string | undefined): string | undefined {
  return key !== undefined && Object.hasOwn(notices, key) ? notices[key as Notice] : undefined;
}
