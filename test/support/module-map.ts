/**
 * The module map of ARCHITECTURE.md as Biome `noRestrictedImports` overrides, so that the table and
 * the lint rules cannot drift apart: `npm run module-map` writes them into biome.json, and
 * test/module-map.test.ts fails when biome.json holds anything else.
 *
 * A row's first cell names a top-level module (`x/` or `x.ts` under src/); its "may import" cell
 * names, in backticks, what it may import: `x/` (the whole folder), `x/file.ts`, `x/*-records.ts` or
 * `x/sub/` (only those files or sub-folders of a folder), `x.ts` (a root module). Every other top-level module is forbidden.
 * "anything" means no rule. Rows of sub-folders only describe and may not widen their folder's rule.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface MapRow {
  module: string;
  /** Allowed modules; null for "anything". */
  allowed: string[] | null;
}

interface Pattern {
  group: string[];
  message: string;
}

export interface RestrictionOverride {
  includes: string[];
  linter: { rules: { style: { noRestrictedImports: { level: 'error'; options: { patterns: Pattern[] } } } } };
}

const MODULE_TOKEN = /^(?:[a-z-]+\/(?:[\w*.-]+\/)*(?:[\w*.-]+\.ts)?|[a-z-]+\.ts)$/;

/** The rows of the "Module map" table, in order. */
export function readModuleMap(markdown: string): MapRow[] {
  const start = markdown.indexOf('## Module map');
  if (start < 0) throw new Error('ARCHITECTURE.md has no "## Module map" section');
  const rows: MapRow[] = [];
  for (const line of markdown.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('| `')) continue;
    const cells = line.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|$/g, '').trim());
    const module = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    const may = cells.at(-1) ?? '';
    if (module === undefined) throw new Error(`module map row without one module in its first cell: ${line}`);
    const allowed = [...may.matchAll(/`([^`]+)`/g)]
      .map((match) => match[1]!)
      .filter((token) => MODULE_TOKEN.test(token));
    rows.push({ module, allowed: may.trim() === 'anything' ? null : allowed });
  }
  return rows;
}

const isTopLevel = (module: string) => /^[a-z-]+(?:\/|\.ts)$/.test(module);
const folderOf = (module: string) => module.slice(0, module.indexOf('/') + 1);

/** Checks that sub-folder rows stay within their folder's rule; returns the top-level rows. */
export function topLevelRows(rows: MapRow[]): MapRow[] {
  const top = rows.filter((row) => isTopLevel(row.module));
  for (const row of rows.filter((candidate) => !isTopLevel(candidate.module))) {
    const parent = top.find((candidate) => candidate.module === folderOf(row.module));
    if (!parent) throw new Error(`module map row ${row.module} has no row for its folder`);
    if (parent.allowed === null) continue;
    for (const module of row.allowed ?? ['anything']) {
      if (module !== parent.module && !parent.allowed.includes(module)) {
        throw new Error(`module map row ${row.module} allows ${module}, which ${parent.module} does not`);
      }
    }
  }
  return top;
}

/** The import specifier patterns (gitignore style, as Biome matches them) of a top-level module. */
function specifiers(module: string): string[] {
  return module.endsWith('/') ? [`**/${module}**`] : [`**/${module.replace(/\.ts$/, '.js')}`];
}

function restriction(includes: string[], patterns: Pattern[]): RestrictionOverride {
  return { includes, linter: { rules: { style: { noRestrictedImports: { level: 'error', options: { patterns } } } } } };
}

/** The forbidden-import patterns of one row: every other top-level module, or all but some of its files. */
function forbidden(row: MapRow & { allowed: string[] }, modules: string[]): Pattern[] {
  const patterns: Pattern[] = [];
  for (const module of modules) {
    if (module === row.module || row.allowed.includes(module)) continue;
    const files = row.allowed.filter((allowed) => allowed.startsWith(module) && allowed !== module);
    const exceptions = files.map((file) =>
      file.endsWith('/') ? `!**/${file}**` : `!**/${file.replace(/\.ts$/, '.js')}`,
    );
    patterns.push({
      group: [...specifiers(module), ...exceptions],
      message:
        files.length === 0
          ? `${row.module} may not import ${module} (ARCHITECTURE.md, module map)`
          : `${row.module} may import only ${files.join(', ')} of ${module} (ARCHITECTURE.md, module map)`,
    });
  }
  return patterns;
}

/** Inside margo/: only validate.ts and index.ts import rules/, and rules/ imports neither (no folder cycle). */
const MARGO_RULES_ENTRIES = ['validate.ts', 'index.ts'];

export function restrictionOverrides(markdown: string): RestrictionOverride[] {
  const rows = topLevelRows(readModuleMap(markdown));
  const modules = rows.map((row) => row.module);
  const overrides: RestrictionOverride[] = [];
  for (const row of rows) {
    if (row.allowed === null) continue;
    const patterns = forbidden({ ...row, allowed: row.allowed }, modules);
    overrides.push(restriction([row.module.endsWith('/') ? `src/${row.module}**` : `src/${row.module}`], patterns));
    if (row.module === 'margo/') {
      // Biome applies the last matching override's options only: these repeat margo's own patterns.
      overrides.push(
        restriction(
          ['src/margo/*.ts', ...MARGO_RULES_ENTRIES.map((file) => `!src/margo/${file}`)],
          [
            ...patterns,
            {
              group: ['./rules/**'],
              message: `inside margo/ only ${MARGO_RULES_ENTRIES.join(' and ')} import rules/ (ARCHITECTURE.md)`,
            },
          ],
        ),
        restriction(
          ['src/margo/rules/**'],
          [
            ...patterns,
            {
              group: MARGO_RULES_ENTRIES.map((file) => `../${file.replace(/\.ts$/, '.js')}`),
              message: `margo/rules/ may not import ${MARGO_RULES_ENTRIES.join(' or ')} (ARCHITECTURE.md)`,
            },
          ],
        ),
      );
    }
  }
  return overrides;
}

interface BiomeConfig {
  overrides?: unknown[];
  [key: string]: unknown;
}

const isRestriction = (override: unknown) => JSON.stringify(override).includes('"noRestrictedImports"');

/** The module-map overrides biome.json holds now. */
export function currentRestrictions(config: BiomeConfig): unknown[] {
  return (config.overrides ?? []).filter(isRestriction);
}

/** biome.json with its module-map overrides replaced by `overrides` (after every other override). */
export function withRestrictions(config: BiomeConfig, overrides: RestrictionOverride[]): BiomeConfig {
  return { ...config, overrides: [...(config.overrides ?? []).filter((o) => !isRestriction(o)), ...overrides] };
}

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const markdown = readFileSync(`${ROOT}ARCHITECTURE.md`, 'utf8');
  const config = JSON.parse(readFileSync(`${ROOT}biome.json`, 'utf8')) as BiomeConfig;
  writeFileSync(
    `${ROOT}biome.json`,
    `${JSON.stringify(withRestrictions(config, restrictionOverrides(markdown)), null, 2)}\n`,
  );
  console.log('biome.json: module map overrides written from ARCHITECTURE.md');
}
