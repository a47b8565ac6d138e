/**
 * Text a person types or a forge sends, checked before it is stored: PostgreSQL cannot store NUL,
 * and control characters, bidirectional overrides and lone surrogates make a value misleading or
 * unprintable where it is shown. One check for every folder (no imports).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `value` is not acceptable as a name or other single-line text, or null when it is. */
export function unsafeTextReason(value: string, options: { allowBlank?: boolean } = {}): string | null {
  if (CONTROL.test(value)) return 'contains a control character';
  if (BIDI.test(value)) return 'contains a bidirectional override character';
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired surrogate';
  if (!options.allowBlank && value.length > 0 && value.trim() === '') return 'is only whitespace';
  return null;
}
