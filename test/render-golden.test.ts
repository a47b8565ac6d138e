/**
 * Golden files: the digitron example with the spec's values, in every format and both profile
 * types, must render exactly the files under test/fixtures/golden/<profile>-<format>/ (the
 * deployment's folder and its target's index, as a first deployment into an empty repository
 * writes them) and the deployment's hash in <profile>-<format>.hash. After an intended change, regenerate them with
 *   UPDATE_GOLDEN=1 npx vitest run test/render-golden.test.ts
 * and review the diff.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deploymentChange, renderFormats } from '../src/margo/render/index.js';
import { renderDigitron } from './support/render.js';

const goldenDir = fileURLToPath(new URL('fixtures/golden/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
  } catch {
    return [];
  }
  return entries.sort();
}

describe.each(['helm', 'compose'] as const)('golden files, %s profile', (profile) => {
  it.each(renderFormats)('format %s', async (format) => {
    const rendered = await renderDigitron(profile, format);
    const { files } = deploymentChange({ rendering: rendered, target: 'plant-a/line-3', present: [] });
    const caseDir = join(goldenDir, `${profile}-${format}`);
    const hashFile = join(goldenDir, `${profile}-${format}.hash`);
    if (update) {
      rmSync(caseDir, { recursive: true, force: true });
      for (const file of files) {
        mkdirSync(dirname(join(caseDir, file.path)), { recursive: true });
        writeFileSync(join(caseDir, file.path), file.content);
      }
      writeFileSync(hashFile, `${rendered.hash}\n`);
    }
    expect(files.map((file) => file.path)).toEqual(listFiles(caseDir));
    for (const file of files) {
      expect(file.content, file.path).toBe(readFileSync(join(caseDir, file.path), 'utf8'));
    }
    expect(`${rendered.hash}\n`).toBe(readFileSync(hashFile, 'utf8'));
  });
});
