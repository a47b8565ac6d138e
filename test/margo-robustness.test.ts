/** Bad input gets findings, never a crash: every node of the base fixture replaced by wrong types. */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { validateDocument } from '../src/margo/index.js';
import { baseText, type Tree } from './margo-fixture.js';

function paths(node: Tree, prefix: (string | number)[] = []): (string | number)[][] {
  if (node === null || typeof node !== 'object') return [prefix];
  const children = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  return [prefix, ...children.flatMap((key: string | number) => paths(node[key], [...prefix, key]))];
}

describe('robustness', () => {
  const all = paths(parse(baseText)).filter((path) => path.length > 0);

  it('reports (never throws) when any node becomes null, text, a list or a mapping', () => {
    const replacements = [null, 'x', [], { a: 1 }];
    let checked = 0;
    // Each node gets one of the replacements in turn (all four for every node would take seconds).
    for (const [index, path] of all.entries()) {
      const replacement = replacements[index % replacements.length];
      {
        const document: Tree = parse(baseText);
        let parent = document;
        for (const segment of path.slice(0, -1)) parent = parent[segment];
        parent[path[path.length - 1] as string | number] = replacement;
        const report = validateDocument(stringify(document));
        for (const issue of [...report.errors, ...report.warnings]) {
          expect(issue.line, JSON.stringify(issue)).toBeGreaterThan(0);
          expect(issue.message.length).toBeGreaterThan(0);
        }
        checked++;
      }
    }
    expect(checked).toBe(all.length);
  });
});
