/**
 * One margo-bridge process on a shared SQLite file, for test/store.sqlite-processes.test.ts:
 * opens (and migrates) the store, then writes transactions that read before they write.
 * Usage: node --import tsx test/support/sqlite-process.ts <data-dir> <name> <count>
 */
import { openStore } from '../../src/store/node/open.js';
import { registryInput } from '../../src/store/store.contract.js';

const [dataDir, name, count] = process.argv.slice(2);
if (!dataDir || !name || !count) throw new Error('usage: sqlite-process.ts <data-dir> <name> <count>');

const store = await openStore({ dataDir });
const registry = await store.registries.create(registryInput(name));
for (let i = 0; i < Number(count); i++) {
  await store.transaction(async (tx) => {
    // Read, then write: with a deferred BEGIN this fails with SQLITE_BUSY under contention.
    const tags = await tx.versions.tags(registry.id);
    await tx.versions.insert(
      {
        registryId: registry.id,
        applicationId: name,
        tag: `v${tags.size}.0.0`,
        commit: 'c'.repeat(40),
        version: `${tags.size}.0.0`,
        state: 'valid',
        shape: 'V5',
        description: null,
        errors: [],
        warnings: [],
      },
      [],
    );
    await tx.jobs.enqueue({ kind: 'ingest', payload: { name, i } });
  });
}
await store.close();
process.stdout.write('ok\n');
