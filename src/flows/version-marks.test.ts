import { describe, expect, it } from 'vitest';
import type { Release } from '../registry/interface.js';
import type { VersionMark } from '../store/interface.js';
import { markChanges, markEventKind, markMetricLabel, markView } from './version-marks.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const release = (tag: string, commit: string): Release => ({ tag, commit, version: tag.replace(/^v/, '') });
const all = () => true;
const ingested = new Map([
  ['v1', A],
  ['v2', B],
]);

describe('markChanges', () => {
  it('marks a tag no longer listed withdrawn and a tag at another commit moved', () => {
    const changes = markChanges(ingested, new Map(), [release('v2', C)], all, 10);
    expect(changes).toEqual([
      { tag: 'v1', ingestedCommit: A, from: null, to: { kind: 'withdrawn', at: 10 } },
      { tag: 'v2', ingestedCommit: B, from: null, to: { kind: 'moved', at: 10, commit: C } },
    ]);
    expect(changes.map(markEventKind)).toEqual(['TAG_DELETED', 'TAG_MOVED']);
    expect(changes.map(markMetricLabel)).toEqual(['withdrawn', 'moved']);
  });

  it('changes nothing while the registry shows the same (repeated polls)', () => {
    const marks = new Map<string, VersionMark>([
      ['v1', { kind: 'withdrawn', at: 10 }],
      ['v2', { kind: 'moved', at: 10, commit: C }],
    ]);
    expect(markChanges(ingested, marks, [release('v2', C)], all, 99)).toEqual([]);
    expect(markChanges(ingested, new Map(), [release('v1', A), release('v2', B)], all, 99)).toEqual([]);
  });

  it('clears a withdrawal when the tag comes back at the ingested commit; another commit is a move', () => {
    const withdrawn: VersionMark = { kind: 'withdrawn', at: 10 };
    const marks = new Map<string, VersionMark>([['v1', withdrawn]]);
    const back = markChanges(ingested, marks, [release('v1', A), release('v2', B)], all, 20);
    expect(back).toEqual([{ tag: 'v1', ingestedCommit: A, from: withdrawn, to: null }]);
    expect(markEventKind(back[0]!)).toBe('TAG_RESTORED');
    expect(markMetricLabel(back[0]!)).toBe('cleared');
    const elsewhere = markChanges(ingested, marks, [release('v1', C), release('v2', B)], all, 20);
    expect(elsewhere[0]?.to).toEqual({ kind: 'moved', at: 20, commit: C });
  });

  it('records a moved tag again when it moves to yet another commit, and clears it when moved back', () => {
    const marks = new Map<string, VersionMark>([['v2', { kind: 'moved', at: 10, commit: C }]]);
    const D = 'd'.repeat(40);
    expect(markChanges(ingested, marks, [release('v1', A), release('v2', D)], all, 20)[0]?.to).toEqual({
      kind: 'moved',
      at: 20,
      commit: D,
    });
    expect(markChanges(ingested, marks, [release('v1', A), release('v2', B)], all, 20)[0]?.to).toBeNull();
  });

  it('leaves tags the tag filter no longer selects alone', () => {
    expect(markChanges(ingested, new Map(), [release('v2', B)], (tag) => tag !== 'v1', 10)).toEqual([]);
  });
});

describe('markView', () => {
  it('says what happened, with the time and the new commit of a moved tag', () => {
    const version = { version: '1.0.0', tag: 'v1.0.0', commit: A };
    expect(markView({ ...version, mark: null })).toBeNull();
    expect(markView({ ...version, mark: { kind: 'withdrawn', at: Date.UTC(2026, 0, 2) } })).toEqual({
      kind: 'withdrawn',
      since: '2026-01-02T00:00:00.000Z',
      commit: null,
      message: 'version 1.0.0 was withdrawn from the registry (tag v1.0.0 deleted)',
    });
    const moved = markView({ ...version, mark: { kind: 'moved', at: 0, commit: C } });
    expect(moved?.commit).toBe(C);
    expect(moved?.message).toContain(C.slice(0, 12));
    expect(moved?.message).toContain(A.slice(0, 12));
  });
});
