/**
 * The YAML parser's errors in the words of this project: every independent error (a second
 * error at the same place is a consequence of the first and is dropped), over-indentation
 * explained with the line that is indented too far, duplicate keys named.
 */
import type { YAMLError } from 'yaml';
import type { Position } from './issues.js';
import type { ParseProblem } from './yaml.js';

function lineText(text: string, line: number): string {
  return text.split('\n')[line - 1] ?? '';
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Where the key of a `key: value` line starts (after any `- ` list markers), 1-based. */
function keyColumn(line: string): number {
  const match = /^(\s*(?:-\s+)*)/.exec(line);
  return (match?.[1]?.length ?? 0) + 1;
}

function keyOf(line: string): string {
  return (
    line
      .trim()
      .replace(/^(-\s+)*/, '')
      .split(':')[0]
      ?.trim() ?? ''
  );
}

/** `name: x` followed by a line indented deeper than `name`: YAML reads that line as part of x. */
function overIndentation(text: string, at: Position): string | undefined {
  const lines = text.split('\n');
  const keyLine = lineText(text, at.line);
  const column = keyColumn(keyLine);
  for (let n = at.line + 1; n <= lines.length; n++) {
    const line = lines[n - 1] ?? '';
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (indentOf(line) + 1 <= column) return undefined;
    const key = keyOf(keyLine);
    return (
      `line ${n} is indented more than '${key}' on line ${at.line} (column ${indentOf(line) + 1} instead of ${column}), ` +
      `so YAML reads it as a mapping nested inside the value of '${key}' ("Nested mappings are not allowed in compact mappings"); ` +
      `indent '${keyOf(line)}' at column ${column}, like '${key}'`
    );
  }
  return undefined;
}

function explain(error: YAMLError, at: Position, text: string): string {
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return 'the file holds several YAML documents; expected one';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return overIndentation(text, at) ?? error.message;
    case 'DUPLICATE_KEY': {
      const key = keyOf(lineText(text, at.line));
      return key ? `the key '${key}' appears twice in the same mapping; keys must be unique` : error.message;
    }
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed as indentation in YAML; indent with spaces';
    default:
      return error.message;
  }
}

export function explainErrors(
  errors: readonly YAMLError[],
  position: (offset: number) => Position,
  text: string,
): ParseProblem[] {
  const problems: ParseProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const at = position(error.pos[0]);
    const key = `${at.line}:${at.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ message: explain(error, at, text), line: at.line, column: at.column });
  }
  return problems;
}
