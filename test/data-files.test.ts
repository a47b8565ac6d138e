/**
 * The data directory holds the database, its WAL and the secret key: only the service's user may
 * read it (issue 10): the directory is created 0700 and the database files 0600 whatever the umask.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/node/load.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/runtime/node/index.js';
import { SQLITE_FILE } from '../src/store/node/open.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('data directory permissions', () => {
  it('creates the data directory 0700 and the database, WAL and shared-memory files 0600', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'mb-data-files-'));
    dirs.push(parent);
    const dataDir = join(parent, 'nested', 'data');
    const previous = process.umask(0o022);
    try {
      const runtime = await buildRuntime(loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir }, cwd: parent }).config, {
        logger: silentLogger,
      });
      try {
        await runtime.services.store.tokens.create({ name: 'write', role: 'viewer', tokenHash: 'x'.repeat(64) });
        expect(await modeOf(dataDir)).toBe(0o700);
        for (const suffix of ['', '-wal', '-shm']) {
          expect(await modeOf(join(dataDir, `${SQLITE_FILE}${suffix}`)), suffix).toBe(0o600);
        }
      } finally {
        await runtime.close();
      }
    } finally {
      process.umask(previous);
    }
  });
});
