/**
 * The structure rules of ARCHITECTURE.md, checked: biome.json enforces exactly the module map, a
 * forbidden import fails the lint, the folder graph of src/ has no cycle, and no source file passes
 * 400 lines without saying why at its top.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentRestrictions, ROOT, readModuleMap, restrictionOverrides } from './support/module-map.js';

const architecture = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
const biome = join(ROOT, 'node_modules', '.bin', 'biome');

/**
 * Lints `files` (path under the project → source) with this project's biome.json, in a scratch copy
 * of the project's layout, so the fixtures never enter the real tree.
 */
function lint(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mb-lint-'));
  try {
    copyFileSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    const result = spawnSync(biome, ['lint', '--max-diagnostics=50', '.'], { cwd: dir, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The top-level module of a path under src/: its first folder, or the root file itself. */
function moduleOf(path: string): string {
  const [first, second] = relative(join(ROOT, 'src'), path).split('/');
  return second === undefined ? first! : `${first}/`;
}

describe('module map', () => {
  it('biome.json holds exactly the rules ARCHITECTURE.md states (npm run module-map writes them)', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as { overrides?: unknown[] };
    expect(currentRestrictions(config)).toEqual(restrictionOverrides(architecture));
  });

  it('has a row for every top-level module of src/', () => {
    const rows = new Set(readModuleMap(architecture).map((row) => row.module));
    const modules = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || /^[^.]+\.ts$/.test(entry.name))
      .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));
    expect(modules.filter((module) => !rows.has(module))).toEqual([]);
  });

  it('reads every row of the table, and "anything" as no rule', () => {
    const rows = readModuleMap(architecture);
    expect(rows.find((row) => row.module === 'runtime/')?.allowed).toBeNull();
    expect(rows.find((row) => row.module === 'flows/')?.allowed).toContain('store/interface.ts');
    expect(rows.find((row) => row.module === 'metrics/')?.allowed).toEqual([]);
  });

  it('fails the lint on a forbidden import and passes an allowed one', () => {
    const importing = (specifier: string) => `import * as target from '${specifier}';\nexport const x = target;\n`;
    const forbidden = lint({
      'src/margo/forbidden-edge.ts': importing('../store/open.js'),
      'src/flows/forbidden-edge.ts': importing('../store/open.js'),
      'src/margo/rules/forbidden-edge.ts': importing('../validate.js'),
      'src/margo/forbidden-rules-edge.ts': importing('./rules/index.js'),
    });
    expect(forbidden.status).not.toBe(0);
    expect(forbidden.output).toContain('noRestrictedImports');
    expect(forbidden.output).toContain('margo/ may not import store/');
    expect(forbidden.output).toContain('flows/ may import only store/interface.ts');
    expect(forbidden.output).toContain('margo/rules/ may not import validate.ts');
    expect(forbidden.output).toContain('inside margo/ only validate.ts and index.ts import rules/');

    const allowed = lint({
      'src/flows/allowed-edge.ts': importing('../store/interface.js'),
      'src/margo/validate.ts': importing('./rules/index.js'),
      'src/runtime/allowed-edge.ts': importing('../store/open.js'),
    });
    expect(allowed.output).not.toContain('noRestrictedImports');
    expect(allowed.status).toBe(0);
  });

  it('allows Node built-ins in runtime/node/, not in the rest of runtime/ (the boundary is a folder)', () => {
    const reading = "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n";
    const shared = lint({ 'src/runtime/loose-adapter.ts': reading });
    expect(shared.status).not.toBe(0);
    expect(shared.output).toContain('noNodejsModules');
    const adapter = lint({ 'src/runtime/node/adapter.ts': reading });
    expect(adapter.output).not.toContain('noNodejsModules');
    expect(adapter.status).toBe(0);
  });
});

describe('folder graph', () => {
  it('has no cycle between the top-level modules of src/', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const from = moduleOf(file);
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = normalize(join(dirname(file), match[1]!));
        if (!target.startsWith(join(ROOT, 'src'))) continue;
        const to = moduleOf(target).replace(/\.js$/, '.ts');
        if (to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    expect(edges.size).toBeGreaterThan(5);
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });
});

describe('file size', () => {
  it('every source file over 400 lines says at its top why it is longer', () => {
    const long = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'test'))]
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n') }))
      .filter(({ lines }) => lines.length > 400)
      .filter(({ lines }) => !/over 400 lines/i.test(lines.slice(0, 15).join('\n')))
      .map(({ file, lines }) => `${file} (${lines.length} lines)`);
    expect(long).toEqual([]);
  });
});
