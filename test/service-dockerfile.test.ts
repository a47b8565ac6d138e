/**
 * The container image cannot be built on this machine (no Docker engine): this reads the
 * Dockerfile and checks what would break the image silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const repo = new URL('../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', repo), 'utf8');
const ignored = readFileSync(new URL('.dockerignore', repo), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe('Dockerfile', () => {
  it('listens on 0.0.0.0 in the container and keeps data in a volume', () => {
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/MARGO_BRIDGE_DATA_DIR=\/data/);
    // An ingest's peak memory near what it holds (docs/limits.md "Reading packages"), overridable at run time.
    expect(dockerfile).toMatch(/^\s+NODE_OPTIONS=--max-semi-space-size=1 \\$/m);
    expect(dockerfile).toMatch(/VOLUME \["\/data"\]/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('copies only paths that exist and are not excluded by .dockerignore', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(new URL(source, repo)), source).toBe(true);
      expect(ignored, source).not.toContain(source.replace(/\/$/, ''));
    }
  });

  it('ships what the compiled service reads at run time', () => {
    for (const needed of ['examples', 'templates', 'bin', 'dist', 'node_modules', 'package.json']) {
      expect(dockerfile).toMatch(new RegExp(`^COPY .*\\b${needed.replace('.', '\\.')}\\b`, 'm'));
    }
    expect(dockerfile).toMatch(/apt-get install .*\bgit\b/);
    expect(dockerfile).toMatch(/^FROM node:20/m);
  });
});
