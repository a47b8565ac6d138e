/**
 * The repository's documentation stands alone (issue 12): every decision id, open point, rule and
 * shape the code or the documents cite is defined in docs/specification.md, and README, --help
 * and docs/rendering.md show the same `render` synopsis.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSynopsis } from '../src/cli/render.js';
import { runCli } from '../src/cli/run.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const specification = readFileSync(join(root, 'docs/specification.md'), 'utf8');

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name));
}

const sources = [
  ...filesUnder('src', '.ts'),
  ...filesUnder('docs', '.md'),
  join(root, 'README.md'),
  join(root, 'ARCHITECTURE.md'),
];

function normalise(text: string): string {
  return text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
}

describe('docs/specification.md', () => {
  it('defines every decision, open point, rule and shape id cited in src/, docs/ and the README', () => {
    const undefinedIds = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\b([AD])-(\d+)[a-z]?\b|\b(R)(\d{1,2})\b(?=[–\-:,)\s])|\b([VD])([1-5])\b/g)) {
        const id = match[1]
          ? `${match[1]}-${match[2]}`.toLowerCase()
          : match[3]
            ? `r${match[4]}`
            : match[5] === 'V'
              ? `v${match[6]}`
              : `shape-d${match[6]}`;
        if (!specification.includes(`<a id="${id}"></a>`)) undefinedIds.add(`${id} (${relative(root, file)})`);
      }
    }
    expect([...undefinedIds]).toEqual([]);
  });

  it('is where the documents send readers, not a file outside the repository', () => {
    for (const file of sources) expect(readFileSync(file, 'utf8'), file).not.toMatch(/margo-reference|shared\/docs/);
  });
});

describe('the render synopsis', () => {
  it('is the same in --help, README.md and docs/rendering.md', async () => {
    let help = '';
    await runCli(['render', '--help'], {
      stdout: (text) => (help += text),
      stderr: () => undefined,
      cwd: root,
      env: {},
    });
    expect(help.startsWith(`Usage: ${renderSynopsis}\n`)).toBe(true);
    for (const file of ['README.md', 'docs/rendering.md']) {
      expect(normalise(readFileSync(join(root, file), 'utf8')), file).toContain(normalise(renderSynopsis));
    }
  });
});
