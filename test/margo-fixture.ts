/** The base description of test/fixtures/margo, changed one thing at a time by the margo-* tests. */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { type DocumentReport, type Issue, validateDocument } from '../src/margo/index.js';

export const baseText = readFileSync(new URL('fixtures/margo/base.yaml', import.meta.url), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: tests reach into an untyped YAML tree on purpose.
export type Tree = any;

/** Validates the base description after `change` edited its parsed tree. */
export function validateVariant(change: (document: Tree) => void): DocumentReport {
  const document: Tree = parse(baseText);
  change(document);
  return validateDocument(stringify(document));
}

export function codes(issues: Issue[]): string[] {
  return issues.map((issue) => `${issue.code} ${issue.pointer}`);
}
