/** `margo-bridge --version`: the package version and which code runs (the sources or the build). */
import { readFileSync } from 'node:fs';
import process from 'node:process';

export function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const runs = import.meta.url.endsWith('.ts')
    ? 'running the sources in src/ through tsx'
    : 'running the build in dist/';
  return `margo-bridge ${pkg.version} (${runs}; Node ${process.version})\n`;
}
