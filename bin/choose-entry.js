// Which code bin/margo-bridge.js runs: the built dist/ only when it is at least as new as every
// source file (or when there are no sources, as in the container image); else src/ through tsx,
// so an old `npm run build` never hides a change to the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestSourceMtime(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** @param {string} root the package root; @returns {{ entry: 'dist' | 'src', stale: boolean }} */
export function chooseEntry(root) {
  const compiled = join(root, 'dist', 'cli', 'main.js');
  const sources = join(root, 'src');
  if (!existsSync(sources)) return { entry: 'dist', stale: false };
  if (!existsSync(compiled)) return { entry: 'src', stale: false };
  const stale = newestSourceMtime(sources) > statSync(compiled).mtimeMs;
  return { entry: stale ? 'src' : 'dist', stale };
}
