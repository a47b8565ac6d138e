/**
 * Building findings: one place turns a document path into both forms tests and users see
 * (`configuration.sections[1].settings[0].schema` and the JSON pointer `/configuration/sections/1/...`).
 */
import type { Issue } from './model.js';

export type PathSegment = string | number;
export type DocPath = readonly PathSegment[];

const identifier = /^[A-Za-z_$][\w$-]*$/;

/** Dotted form: `a.b[0].c`; keys that are not plain words are quoted (`parameters["my.key"]`). */
export function dottedPath(path: DocPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (identifier.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** RFC 6901 JSON pointer; '' for the root. */
export function jsonPointer(path: DocPath): string {
  return path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export interface Position {
  line: number;
  column: number;
}

/** Finds where a path is in the source; implemented by the YAML loader, absent for values from elsewhere. */
export type Locate = (path: DocPath, at?: 'key' | 'value') => Position;

/** Collects findings for one document, with positions looked up once per finding. */
export class IssueList {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];

  constructor(private readonly locate: Locate) {}

  error(code: string, path: DocPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.errors.push(this.make('error', code, path, message, at));
  }

  warning(code: string, path: DocPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.warnings.push(this.make('warning', code, path, message, at));
  }

  private make(severity: Issue['severity'], code: string, path: DocPath, message: string, at: 'key' | 'value'): Issue {
    const { line, column } = this.locate(path, at);
    return { severity, code, message, path: dottedPath(path), pointer: jsonPointer(path), line, column };
  }
}
