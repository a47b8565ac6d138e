/**
 * Withdrawn and moved versions (issue 15). A poll compares the tags the registry lists with the
 * ingested ones; each ingested tag's mark follows what the registry shows now:
 * - not listed: `withdrawn` (the tag was deleted);
 * - listed at another commit than the ingested one: `moved`, naming that commit;
 * - listed at the ingested commit: no mark. So a tag re-created at the same commit clears a
 *   withdrawal (the registry serves exactly the ingested release again), and a tag moved back
 *   clears the move; a tag re-created at another commit is `moved`.
 * The version itself never changes (D-10: the first ingested commit is kept), and nothing is
 * proposed or changed for deployments on it: they are only flagged (deployments/views.ts).
 * A mark changes only when what the registry shows changes, so repeated polls record nothing
 * new: one event per change (TAG_DELETED, TAG_MOVED, TAG_RESTORED).
 * Tags the registry's tag filter no longer selects are left as they are: a changed filter is not
 * a withdrawal.
 */
import type { Release } from '../registry/interface.js';
import type { VersionMark } from '../store/interface.js';

export interface MarkChange {
  tag: string;
  /** The commit that was ingested for the tag. */
  ingestedCommit: string;
  from: VersionMark | null;
  to: VersionMark | null;
}

/** The event kind recording a change of mark. */
export function markEventKind(change: MarkChange): 'TAG_DELETED' | 'TAG_MOVED' | 'TAG_RESTORED' {
  if (change.to === null) return 'TAG_RESTORED';
  return change.to.kind === 'withdrawn' ? 'TAG_DELETED' : 'TAG_MOVED';
}

/** The metric label of a change: `withdrawn`, `moved` or `cleared`. */
export function markMetricLabel(change: MarkChange): 'withdrawn' | 'moved' | 'cleared' {
  return change.to?.kind ?? 'cleared';
}

/**
 * The marks to change after a poll that listed `releases`: `ingested` is tag -> ingested commit,
 * `marks` the current marks, `selected` the registry's tag filter, `at` the poll's time.
 */
export function markChanges(
  ingested: ReadonlyMap<string, string>,
  marks: ReadonlyMap<string, VersionMark>,
  releases: readonly Release[],
  selected: (tag: string) => boolean,
  at: number,
): MarkChange[] {
  const listed = new Map(releases.map((release) => [release.tag, release.commit]));
  const changes: MarkChange[] = [];
  for (const [tag, ingestedCommit] of ingested) {
    const current = marks.get(tag) ?? null;
    const commit = listed.get(tag);
    if (commit === undefined && !selected(tag)) continue;
    let wanted: VersionMark | null;
    if (commit === undefined) wanted = { kind: 'withdrawn', at };
    else if (commit !== ingestedCommit) wanted = { kind: 'moved', at, commit };
    else wanted = null;
    if (!sameMark(current, wanted)) changes.push({ tag, ingestedCommit, from: current, to: wanted });
  }
  return changes;
}

/** Equal apart from the time they were set. */
function sameMark(a: VersionMark | null, b: VersionMark | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind !== b.kind) return false;
  return a.kind === 'withdrawn' || (b.kind === 'moved' && a.commit === b.commit);
}

/** One line for people: what the mark means for the version (API, pages, proposal bodies). */
export function markMessage(mark: VersionMark, version: { version: string; tag: string; commit: string }): string {
  if (mark.kind === 'withdrawn') {
    return `version ${version.version} was withdrawn from the registry (tag ${version.tag} deleted)`;
  }
  return `tag ${version.tag} of version ${version.version} was moved to commit ${mark.commit.slice(0, 12)}; the version stays the ingested commit ${version.commit.slice(0, 12)}`;
}

/** A mark as the API and the pages show it. */
export interface VersionMarkView {
  kind: VersionMark['kind'];
  /** When the poll saw it, ISO time. */
  since: string;
  /** The commit a moved tag names now; null when withdrawn. */
  commit: string | null;
  message: string;
}

export function markView(version: {
  version: string;
  tag: string;
  commit: string;
  mark: VersionMark | null;
}): VersionMarkView | null {
  const { mark } = version;
  if (mark === null) return null;
  return {
    kind: mark.kind,
    since: new Date(mark.at).toISOString(),
    commit: mark.kind === 'moved' ? mark.commit : null,
    message: markMessage(mark, version),
  };
}
