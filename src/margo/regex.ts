/**
 * Regular expressions from descriptions (`regexMatch`, D-4) run in RE2JS, a linear-time engine:
 * no look-around or back-references, and no catastrophic backtracking whatever the input.
 */
import { RE2JS } from 're2js';

export interface CompiledRegex {
  /** Search semantics: true when the pattern matches anywhere in `text` (anchor with ^…$ for a full match). */
  test(text: string): boolean;
}

export type RegexResult = { ok: true; regex: CompiledRegex } | { ok: false; message: string };

const cache = new Map<string, RegexResult>();
const CACHE_LIMIT = 500;

export function compileRegex(pattern: string): RegexResult {
  const known = cache.get(pattern);
  if (known) return known;
  let result: RegexResult;
  try {
    const compiled = RE2JS.compile(pattern);
    result = { ok: true, regex: { test: (text) => compiled.matcher(text).find() } };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result = { ok: false, message: `${detail} (the linear-time RE2 syntax has no look-around or back-references)` };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, result);
  return result;
}
