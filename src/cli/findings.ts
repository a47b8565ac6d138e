/** The one way every command prints a finding, and the one order findings appear in. */
import type { Issue } from '../margo/index.js';

/** `file:line:column: severity CODE: message (at path)`; findings without a position print `0:0`. */
export function formatFinding(file: string, issue: Issue): string {
  const at = issue.path ? ` (at ${issue.path})` : '';
  return `${file}:${issue.line}:${issue.column}: ${issue.severity} ${issue.code}: ${issue.message}${at}\n`;
}

/** Sorted by position in the file (line, then column); findings without one come first, as they concern the file. */
export function byPosition<T extends Pick<Issue, 'line' | 'column'>>(issues: readonly T[]): T[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
