/** Withdrawn and moved versions (issue 15) on the pages: a badge in lists, a note on a page. */
import type { FC } from 'hono/jsx';
import type { VersionMarkView } from '../flows/version-marks.js';

const labels: Record<VersionMarkView['kind'], string> = { withdrawn: 'withdrawn', moved: 'tag moved' };

/** A badge after a version in a list; its title says what happened. */
export const MarkBadge: FC<{ mark: VersionMarkView | null }> = ({ mark }) =>
  mark ? (
    <>
      {' '}
      <span class={`badge ${mark.kind}`} title={mark.message}>
        {labels[mark.kind]}
      </span>
    </>
  ) : null;

/** A note at the top of a version's or a deployment's page. */
export const MarkNote: FC<{ mark: VersionMarkView | null; deployment?: boolean }> = ({ mark, deployment }) =>
  mark ? (
    <p class={`mark-note ${mark.kind}`} role="note">
      <strong>{mark.kind === 'withdrawn' ? 'Withdrawn' : 'Tag moved'}:</strong> {mark.message} (seen{' '}
      {mark.since.slice(0, 16).replace('T', ' ')} UTC).
      {deployment ? ' This deployment stays on it until someone changes it.' : ''}
    </p>
  ) : null;
