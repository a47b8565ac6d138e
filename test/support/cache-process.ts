/**
 * A second process on a shared registry cache, for test/registry-cache-processes.test.ts: uses
 * the cache directory of one registry, writes `bytes` bytes into it, prints "using" and holds it
 * until stdin closes (or the test kills it, as a crash would).
 * Usage: node --import tsx test/support/cache-process.ts <cache-dir> <registry-key> <bytes>
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diskStorage } from '../../src/registry/node/disk-storage.js';

const [dir, key, bytes] = process.argv.slice(2);
if (!dir || !key || !bytes) throw new Error('usage: cache-process.ts <cache-dir> <registry-key> <bytes>');

const storage = diskStorage({ dir });
await storage.use(key, async (store) => {
  await writeFile(join(store.gitdir, 'objects', 'pack', 'held.pack'), Buffer.alloc(Number(bytes), 1));
  process.stdout.write('using\n');
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve).resume();
  });
});
process.stdout.write('released\n');
