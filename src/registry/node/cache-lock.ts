/**
 * Coordination of processes sharing one disk cache (two margo-bridge processes on one data
 * directory, or `serve` and `margo-bridge poll`): a lock file for the short critical sections, and
 * in-use markers that name the process holding them. Both rely on process ids, so the cache must
 * not be shared between hosts (the data directory is per host anyway: it holds SQLite).
 */
import { randomUUID } from 'node:crypto';
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BridgeError } from '../../errors.js';

const LOCK_FILE = '.lock';
/** A lock file still empty after this long belongs to a process that died while creating it. */
const EMPTY_LOCK_STALE_MS = 5000;
const WAIT_MS = 30_000;

/** In one process the sections queue up here rather than polling the lock file. */
const queues = new Map<string, Promise<unknown>>();

/** Runs `work` holding `<dir>/.lock`; a lock left by a process that no longer runs is broken. */
export function withCacheLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(dir) ?? Promise.resolve();
  const turn = previous.catch(() => undefined).then(() => holdingLock(dir, work));
  queues.set(dir, turn);
  return turn.finally(() => {
    if (queues.get(dir) === turn) queues.delete(dir);
  });
}

async function holdingLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const path = join(dir, LOCK_FILE);
  const token = `${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await writeFile(path, token, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(path, 'utf8').catch(() => undefined);
    if (holder !== undefined && (await isStale(path, holder))) await breakLock(path, holder);
    else if (Date.now() > deadline) {
      throw new BridgeError('INTERNAL', `the registry cache lock ${path} has been held for ${WAIT_MS} ms`);
    } else await sleep(5 + Math.random() * 20);
  }
  try {
    return await work();
  } finally {
    // Only our own lock is removed, never one another process took after breaking ours.
    if ((await readFile(path, 'utf8').catch(() => undefined)) === token) await unlink(path).catch(() => undefined);
  }
}

async function isStale(path: string, holder: string): Promise<boolean> {
  if (holder === '') {
    const info = await stat(path).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > EMPTY_LOCK_STALE_MS;
  }
  return !processAlive(Number(holder.split(' ')[0]));
}

/**
 * Moves the stale lock aside, then checks that it moved the one it judged stale: if another
 * process broke it and locked in between, that live lock is put back.
 */
async function breakLock(path: string, holder: string): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  if ((await readFile(aside, 'utf8').catch(() => holder)) !== holder) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Marks `gitdir` as used by this process until `release` is called (see `inUseElsewhere`). */
export async function markInUse(gitdir: string): Promise<() => Promise<void>> {
  const marker = join(gitdir, 'in-use', `${process.pid}-${randomUUID()}`);
  await writeFile(marker, '');
  return () => unlink(marker).catch(() => undefined);
}

/** Whether a running process (this one included) holds a marker on `gitdir`; markers of dead processes are removed. */
export async function inUse(gitdir: string): Promise<boolean> {
  let used = false;
  for (const name of await readdir(join(gitdir, 'in-use')).catch(() => [])) {
    if (processAlive(Number(name.split('-')[0]))) used = true;
    else await unlink(join(gitdir, 'in-use', name)).catch(() => undefined);
  }
  return used;
}

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
