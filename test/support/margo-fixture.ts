/** The base description of test/fixtures/margo, changed one thing at a time by the margo-* tests. */
import { readFileSync } from 'node:fs';
import { type Document, parseDocument, stringify } from 'yaml';
import { type DocumentReport, type Issue, validateDocument } from '../../src/margo/index.js';

export const baseText = readFileSync(new URL('../fixtures/margo/base.yaml', import.meta.url), 'utf8');

/** Plain YAML data as `yaml`'s `parse` returns it, for tests that walk every node. */
export type YamlTree = null | boolean | number | string | YamlTree[] | { [key: string]: YamlTree };

/**
 * Validates `document` after `change` edited it (`set`/`setIn`/`deleteIn`/`addIn`). It is written
 * out from plain data, so the text validated does not keep the base file's comments or quoting.
 */
export function validateEdited(document: Document, change: (document: Document) => void): DocumentReport {
  change(document);
  return validateDocument(stringify(document.toJS()));
}

/** Validates the base description after `change` edited it. */
export function validateVariant(change: (document: Document) => void): DocumentReport {
  return validateEdited(parseDocument(baseText), change);
}

export function codes(issues: Issue[]): string[] {
  return issues.map((issue) => `${issue.code} ${issue.pointer}`);
}
