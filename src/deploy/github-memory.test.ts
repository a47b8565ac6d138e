import { describe, expect, it } from 'vitest';
import { gitHubMemory } from './github-memory.js';

const proposal = (number: number) => ({ number, commit: 'c', tree: 't', parent: 'p', title: 'x', body: 'y' });

describe('gitHubMemory', () => {
  it('keeps bases and proposals per repository and branch, and forgets on demand', () => {
    const memory = gitHubMemory();
    memory.rememberBase('r1', 'main', { commit: 'a', tree: 'b' });
    memory.rememberProposal('r1', 'margo-bridge/x', proposal(1));
    expect(memory.base('r1', 'main')).toEqual({ commit: 'a', tree: 'b' });
    expect(memory.base('r2', 'main')).toBeUndefined();
    expect(memory.proposal('r1', 'margo-bridge/x')?.number).toBe(1);
    memory.forgetProposal('r1', 'margo-bridge/x');
    expect(memory.proposal('r1', 'margo-bridge/x')).toBeUndefined();
  });

  it('remembers a merged or closed pull request unless a newer one of the branch is known', () => {
    const memory = gitHubMemory();
    memory.rememberEnded('r', 'a', { number: 3, commit: 'h' });
    expect(memory.proposal('r', 'a')).toMatchObject({ number: 3, commit: 'h', ended: true });
    memory.rememberProposal('r', 'b', proposal(7));
    memory.rememberEnded('r', 'b', { number: 5, commit: 'old' });
    expect(memory.proposal('r', 'b')).toEqual(proposal(7));
    memory.rememberEnded('r', 'b', { number: 7, commit: 'c' });
    expect(memory.proposal('r', 'b')?.ended).toBe(true);
  });

  it('forgets the least recently written first beyond its limit; a limit of 0 remembers nothing', () => {
    const memory = gitHubMemory(2);
    memory.rememberProposal('r', 'a', proposal(1));
    memory.rememberProposal('r', 'b', proposal(2));
    memory.rememberProposal('r', 'a', proposal(3));
    memory.rememberProposal('r', 'c', proposal(4));
    expect([memory.proposal('r', 'a')?.number, memory.proposal('r', 'b'), memory.proposal('r', 'c')?.number]).toEqual([
      3,
      undefined,
      4,
    ]);
    const none = gitHubMemory(0);
    none.rememberBase('r', 'main', { commit: 'a', tree: 'b' });
    expect(none.base('r', 'main')).toBeUndefined();
  });
});
