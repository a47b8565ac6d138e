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

/**
 * RE2's cost is at worst the pattern's size times the text's: both are bounded so that one check
 * stays in milliseconds (a 10,000-character pattern on a 100,000-character value took 47 s).
 */
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_MATCHED_LENGTH = 10_000;

export function compileRegex(pattern: string): RegexResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `the pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
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
