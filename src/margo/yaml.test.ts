/** The YAML loader's rejections (issue 2): size, aliases, nesting, duplicate keys, documents, keys. */
import { describe, expect, it } from 'vitest';
import { baseText } from '../../test/support/margo-fixture.js';
import { validateDocument } from './index.js';
import { MAX_DOCUMENT_BYTES } from './yaml.js';

function billionLaughs(levels: number): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= levels; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

function parseError(text: string) {
  const report = validateDocument(text);
  expect(report.kind).toBe('unparseable');
  expect(report.valid).toBe(false);
  expect(report.errors).toHaveLength(1);
  const [error] = report.errors;
  expect(error?.code).toBe('PARSE');
  return error;
}

describe('YAML loading', () => {
  it('rejects a billion-laughs document without expanding it', () => {
    // 10^30 nodes once expanded: no loader that expanded the aliases could return at all, so an
    // answer proves the document was measured, not expanded (no wall-clock bound needed).
    const error = parseError(billionLaughs(30));
    expect(error?.message).toMatch(/aliases expand the document/);
  });

  it('rejects a small billion-laughs document the same way', () => {
    expect(parseError(billionLaughs(9))?.message).toMatch(/aliases expand the document/);
  });

  it('accepts a few aliases that stay small', () => {
    const report = validateDocument(
      baseText.replace('value: hello', 'value: &greet hello').replace('value: info', 'value: *greet'),
    );
    expect(report.kind).toBe('description');
    expect(report.description?.parameters.level?.default).toBe('hello');
  });

  it('rejects a document over 1 MiB', () => {
    const text = `${baseText}\n# ${'x'.repeat(MAX_DOCUMENT_BYTES)}\n`;
    expect(parseError(text)?.message).toMatch(/larger than 1048576 bytes/);
  });

  it('counts bytes, not characters, for the size limit', () => {
    const text = `# ${'é'.repeat(MAX_DOCUMENT_BYTES / 2 + 10)}\n`;
    expect(parseError(text)?.message).toMatch(/larger than/);
  });

  it('rejects deep nesting, in flow and block style', () => {
    expect(parseError(`a: ${'['.repeat(300)}${']'.repeat(300)}\n`)?.message).toMatch(/nests deeper/);
    const block = Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(parseError(`${block} end\n`)?.message).toMatch(/nests deeper than 64/);
  });

  it('rejects duplicate keys with their position', () => {
    const error = parseError('apiVersion: v1\nid: a\nid: b\n');
    expect(error).toMatchObject({ line: 3, column: 1 });
    expect(error?.message).toMatch(/unique/);
  });

  it('rejects several documents in one file', () => {
    const error = parseError('apiVersion: v1\n---\napiVersion: v1\n');
    expect(error?.message).toMatch(/several YAML documents/);
    expect(error?.line).toBe(2);
  });

  it('rejects an unquoted {{X}} placeholder, naming it (D-11)', () => {
    const error = parseError(
      baseText.replace('revision: 1.2.0\n          wait', 'revision: {{CHART_VERSION}}\n          wait'),
    );
    expect(error?.message).toContain('{{CHART_VERSION}}');
    expect(error?.message).toContain('PLACEHOLDER');
    expect(error).toMatchObject({ line: 20, column: 22 });
  });

  it('rejects other non-scalar mapping keys', () => {
    expect(parseError('? [a, b]\n: c\n')?.message).toMatch(/mapping key must be a plain value/);
  });

  it('answers an empty file and a scalar with NOT_MARGO', () => {
    expect(validateDocument('').errors[0]?.code).toBe('NOT_MARGO');
    expect(validateDocument('just text').errors[0]?.code).toBe('NOT_MARGO');
    expect(validateDocument('- a\n- b\n').kind).toBe('not-margo');
  });

  it('reads YAML 1.2: yes and on stay strings', () => {
    const report = validateDocument(baseText.replace('value: hello', 'value: yes'));
    expect(report.description?.parameters.greeting?.default).toBe('yes');
  });
});
