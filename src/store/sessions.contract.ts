/** The `sessions` part of the Store contract (run by test/store.sqlite.test.ts and test/store.postgres.test.ts). */
import { describe, expect, it } from 'vitest';
import type { Store } from './interface.js';
import { type StoreHarness, useSuiteStore } from './store.contract.js';

export function sessionsContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract, sessions: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    const now = () => 1_700_000_000_000;

    useSuiteStore(setup, now, (opened) => {
      ({ harness, store } = opened);
    });

    const session = (tokenId: string, id = 'a'.repeat(64)) => ({
      id,
      tokenId,
      csrf: 'csrf-token',
      draft: null,
      createdAt: 1000,
      expiresAt: 5000,
    });

    it('keeps a session with its token name and role, its draft, and its expiry', async () => {
      const token = await store.tokens.create({ name: 'ops', role: 'operator', tokenHash: 'f'.repeat(64) });
      await store.sessions.create(session(token.id));
      expect(await store.sessions.get('a'.repeat(64))).toEqual({
        ...session(token.id),
        tokenName: 'ops',
        role: 'operator',
      });
      const draft = { path: '/configure/app/1.0.0', fields: { pollFrequency: '5000', zones: ['a', 'b'] } };
      await store.sessions.setDraft('a'.repeat(64), draft);
      await store.sessions.touch('a'.repeat(64), 9000);
      expect(await store.sessions.get('a'.repeat(64))).toMatchObject({ draft, expiresAt: 9000 });
      await store.sessions.setDraft('a'.repeat(64), null);
      expect((await store.sessions.get('a'.repeat(64)))?.draft).toBeNull();
      expect(await store.sessions.get('b'.repeat(64))).toBeUndefined();
    });

    it('ends sessions by deletion, by expiry, and with their token', async () => {
      const token = await store.tokens.create({ name: 'ops', role: 'operator', tokenHash: 'f'.repeat(64) });
      await store.sessions.create(session(token.id, '1'.repeat(64)));
      await store.sessions.create({ ...session(token.id, '2'.repeat(64)), expiresAt: 9000 });
      await store.sessions.create({ ...session(token.id, '3'.repeat(64)), expiresAt: 9000 });
      expect(await store.sessions.deleteExpired(5000)).toBe(1);
      expect(await store.sessions.get('1'.repeat(64))).toBeUndefined();
      await store.sessions.delete('2'.repeat(64));
      expect(await store.sessions.get('2'.repeat(64))).toBeUndefined();
      expect(await store.sessions.get('3'.repeat(64))).toBeDefined();
      await store.tokens.delete(token.id);
      expect(await store.sessions.get('3'.repeat(64))).toBeUndefined();
      expect(await harness.raw('select id from sessions')).toEqual([]);
    });
  });
}
