/** Bad input gets findings, never a crash: every node of the base fixture replaced by wrong types. */
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { baseText, validateEdited, type YamlTree } from '../../test/support/margo-fixture.js';

function paths(node: YamlTree, prefix: (string | number)[] = []): (string | number)[][] {
  if (node === null || typeof node !== 'object') return [prefix];
  const children: [string | number, YamlTree][] = Array.isArray(node)
    ? node.map((child, i) => [i, child])
    : Object.entries(node);
  return [prefix, ...children.flatMap(([key, child]) => paths(child, [...prefix, key]))];
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
        const report = validateEdited(parseDocument(baseText), (document) => document.setIn(path, replacement));
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
