/**
 * The boundary between shared code and adapters is a folder (issue 14): no module of the shared
 * code (what tsconfig.worker.json typechecks: src/ without `node/` folders, `cli/`, tests and
 * contract suites, plus every module the Worker entry reaches) imports a Node built-in or a
 * Node-only package. Packages are named here once each: a new one in shared code must be added to
 * PORTABLE after checking that it runs on Workers (test/worker-bundle.test.ts bundles it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

/** Packages that run on Workers as well as on Node (the Worker bundle includes them). */
const PORTABLE = new Set([
  '@hono/zod-openapi',
  '@noble/hashes',
  '@octokit/auth-app',
  '@octokit/plugin-retry',
  '@octokit/plugin-throttling',
  '@octokit/rest',
  'age-encryption',
  'diff',
  'hono',
  'isomorphic-git',
  'kysely',
  'markdown-it',
  'pako',
  'pg',
  'picomatch',
  're2js',
  'semver',
  'yaml',
  'zod',
]);

/** Node modules workerd serves under nodejs_compat that the Workers adapters use (wrangler.toml). */
const WORKER_COMPAT = ['node:async_hooks'];

/** Runtime dependencies that need Node: only adapter folders may import them. */
const NODE_ONLY = ['better-sqlite3', 'pino', '@hono/node-server'];

function sharedFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const rel = relative(SRC, path);
    if (entry.isDirectory()) {
      if (entry.name === 'node' || rel === 'cli') return [];
      return sharedFiles(path);
    }
    if (!/\.tsx?$/.test(entry.name) || /\.(test|contract)\.tsx?$/.test(entry.name) || entry.name.endsWith('.d.ts')) {
      return [];
    }
    return [path];
  });
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`, `name/sub` → `name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

function importsOf(text: string): string[] {
  const found = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map(
    (match) => match[1] as string,
  );
  return found.filter((specifier) => !specifier.startsWith('.'));
}

/** Every source file the Worker entry reaches through relative imports (what the bundle holds of src/). */
function reachedFrom(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)) {
      const target = join(dirname(file), (match[1] as string).replace(/\.js$/, ''));
      const found = ['.ts', '.tsx'].map((ext) => `${target}${ext}`).find((path) => existsSync(path));
      if (found) visit(found);
    }
  };
  visit(entry);
  return [...seen];
}

describe('shared code', () => {
  const files = [...new Set([...sharedFiles(SRC), ...reachedFrom(join(SRC, 'runtime/worker.ts'))])];

  it('is found where tsconfig.worker.json looks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((file) => file.endsWith('src/flows/deployments/upgrade.ts'))).toBe(true);
    expect(files.some((file) => file.includes('/node/'))).toBe(false);
    // runtime/ is shared but for its node/ folder (the Node service and its adapters).
    expect(files.some((file) => file.endsWith('src/runtime/portable-services.ts'))).toBe(true);
    expect(files.some((file) => file.endsWith('src/runtime/demo-state.ts'))).toBe(true);
    expect(files.some((file) => file.includes('src/runtime/node/'))).toBe(false);
  });

  it('imports no Node built-in and no Node-only package, only packages known to run on Workers', () => {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const problems: string[] = [];
    for (const file of files) {
      const name = relative(SRC, file);
      const workerAdapter = name === 'runtime/worker.ts' || name.startsWith('runtime/worker/');
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        // The Workers adapters may use the runtime's modules and what nodejs_compat serves them.
        if (workerAdapter && (specifier.startsWith('cloudflare:') || WORKER_COMPAT.includes(specifier))) continue;
        if (builtins.has(specifier) || specifier.startsWith('node:')) {
          problems.push(`${name}: Node built-in ${specifier}`);
        } else if (NODE_ONLY.includes(packageOf(specifier))) {
          problems.push(`${name}: Node-only package ${specifier}`);
        } else if (!PORTABLE.has(packageOf(specifier))) {
          problems.push(`${name}: unreviewed package ${specifier}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('would be caught importing a Node-only package or a built-in', () => {
    const text =
      "import pino from 'pino';\nimport { readFile } from 'node:fs/promises';\nimport type { X } from './x.js';\n";
    expect(importsOf(text)).toEqual(['pino', 'node:fs/promises']);
    expect(NODE_ONLY).toContain(packageOf(importsOf(text)[0]!));
    expect(packageOf('@noble/hashes/sha2.js')).toBe('@noble/hashes');
  });
});
