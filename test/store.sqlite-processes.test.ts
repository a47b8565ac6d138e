/**
 * Several processes on one SQLite file (e.g. `margo-bridge poll` beside `serve`): all start at
 * once on a fresh data directory (one migrates, the others wait), then write concurrently.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/node/open.js';

const PROCESSES = 3;
const WRITES = 40;

describe('SQLite shared by several processes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mb-sqlite-procs-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates once and loses no write when processes start and write at the same time', async () => {
    const script = fileURLToPath(new URL('./support/sqlite-process.ts', import.meta.url));
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, (_, i) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, `p${i}`, String(WRITES)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
        });
        child.stderr.on('data', (chunk) => {
          output += chunk;
        });
        return new Promise<{ code: number | null; output: string }>((resolve) =>
          child.once('exit', (code) => resolve({ code, output })),
        );
      }),
    );
    for (const result of results) expect(result).toEqual({ code: 0, output: 'ok\n' });

    const store = await openStore({ dataDir });
    try {
      const registries = await store.registries.list();
      expect(registries.map((registry) => registry.name)).toEqual(['p0', 'p1', 'p2']);
      for (const registry of registries) expect(await store.versions.listByRegistry(registry.id)).toHaveLength(WRITES);
      expect(await store.jobs.list({ limit: 1000 })).toHaveLength(PROCESSES * WRITES);
    } finally {
      await store.close();
    }
  });
});
