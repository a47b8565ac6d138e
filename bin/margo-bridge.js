#!/usr/bin/env node
// Runs the compiled CLI when it is up to date with the sources (choose-entry.js), else the
// TypeScript sources through tsx. `margo-bridge --version` says which one runs.
import { fileURLToPath } from 'node:url';
import { chooseEntry } from './choose-entry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { entry, stale } = chooseEntry(root);
if (entry === 'dist') {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
} else {
  if (stale) {
    process.stderr.write(
      'margo-bridge: dist/ is older than src/; running the sources (npm run build refreshes dist/)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
