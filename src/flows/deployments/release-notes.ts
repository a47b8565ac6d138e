/**
 * A new version's release notes as markdown a forge may render inside a proposal body (issue 15).
 * The text is the publisher's, so nothing in it may act on the forge or leave its section. Outside
 * code: @mentions and issue references (`#1`, `owner/repo#1`, `GH-1`) get a zero-width space, so
 * forges neither notify nor link back (their filters run on the rendered text, where backslash
 * escapes and entities are already gone); `&` and `<` are escaped (no raw HTML, no comments, no
 * entity spelling of `@` or `#`); images become links (nothing is loaded from the publisher's
 * hosts); headings are demoted below the section's own. A code fence left open is closed, and the
 * proposal marker cannot be spelled anywhere, code included. Cuts fall between blocks (never
 * inside a code fence or a link); one oversized first block is cut at a line, or at a space.
 */
import MarkdownIt from 'markdown-it';

// Raw HTML on, so that HTML blocks are found where the forge finds them (their text is escaped).
const parser = new MarkdownIt({ html: true });
const ZERO_WIDTH = '&#8203;';
const URL_START = /^(?:https?:\/\/|www\.)[^\s<>]*/i;
const LINK_DESTINATION = /^\]\([^)\s]*/;
// Letters and digits only: `_@name_` renders as emphasised `@name`, which forges do mention.
const ALPHANUMERIC = /[a-z0-9]/i;

export interface SafeNotes {
  markdown: string;
  /** Set when the text was longer than the bound and was cut. */
  cut: boolean;
}

/** `text` made safe to render below a heading of level `sectionLevel`, cut to at most `limit` characters of the source. */
export function safeReleaseNotes(text: string, limit: number, sectionLevel: number): SafeNotes {
  const { kept, cut } = cutBetweenBlocks(text.replace(/\r\n?/g, '\n'), limit);
  return { markdown: neutralise(kept, sectionLevel), cut };
}

function cutBetweenBlocks(text: string, limit: number): { kept: string; cut: boolean } {
  if (text.length <= limit) return { kept: text.trimEnd(), cut: false };
  const lines = text.split('\n');
  // lengthBefore[n]: characters of the first n lines joined.
  const lengthBefore = [0];
  for (const line of lines) lengthBefore.push(lengthBefore.at(-1)! + line.length + (lengthBefore.length > 1 ? 1 : 0));
  // The last whole block that fits, at any depth (a list item, a table row): blocks nest, so such an
  // end is never inside a code fence, and a link does not cross blocks.
  let end = 0;
  for (const token of parser.parse(text, {})) {
    if (!token.map || token.nesting === -1 || token.type === 'inline') continue;
    if (lengthBefore[token.map[1]]! <= limit) end = Math.max(end, token.map[1]);
  }
  if (end === 0) {
    while (end < lines.length && lengthBefore[end + 1]! <= limit) end += 1;
  }
  if (end === 0) return { kept: cutLine(lines[0] ?? '', limit), cut: true };
  return { kept: lines.slice(0, end).join('\n').trimEnd(), cut: true };
}

/** One over-long line: cut at a space, and before a link whose destination the cut would split. */
function cutLine(line: string, limit: number): string {
  let kept = line.slice(0, limit);
  const space = kept.lastIndexOf(' ');
  if (space > 0) kept = kept.slice(0, space);
  const open = kept.lastIndexOf('[');
  if (open >= 0 && kept.indexOf(')', open) < 0) kept = kept.slice(0, open);
  return kept.trimEnd();
}

function neutralise(text: string, sectionLevel: number): string {
  if (text === '') return '';
  const lines = text.split('\n');
  const out: (string | null)[] = [...lines];
  const code = new Set<number>();
  const done = new Set<number>();
  const tokens = parser.parse(text, {});
  let openFence: string | undefined;
  for (const token of tokens) {
    if (!token.map || (token.type !== 'fence' && token.type !== 'code_block')) continue;
    const [start, end] = token.map;
    for (let line = start; line < end; line += 1) code.add(line);
    // Only a fence at the top level stays open past the notes: containers end at the blank line after them.
    if (
      token.type === 'fence' &&
      token.level === 0 &&
      !closesFence(lines[end - 1] ?? '', token.markup, end - 1 > start)
    ) {
      openFence = token.markup;
    }
  }
  for (const token of tokens) {
    if (token.type !== 'inline' || !token.map || done.has(token.map[0])) continue;
    const range: number[] = [];
    for (let line = token.map[0]; line < token.map[1]; line += 1)
      if (!code.has(line) && !done.has(line)) range.push(line);
    // Joined, so that a code span over several lines is seen whole.
    const safe = safeInline(range.map((line) => lines[line]).join('\n')).split('\n');
    range.forEach((line, index) => {
      out[line] = safe[index] ?? '';
      done.add(line);
    });
  }
  for (let line = 0; line < lines.length; line += 1) {
    if (!code.has(line) && !done.has(line)) out[line] = safeInline(lines[line]!);
  }
  for (const token of tokens) {
    if (token.type === 'heading_open' && token.map)
      demoteHeading(out, token.map, token.markup, token.level, sectionLevel);
  }
  const result = out.filter((line) => line !== null);
  if (openFence) result.push(openFence);
  // The marker is matched as text, so it is broken in code too (with a character code shows as nothing).
  return result.join('\n').replace(/margo-bridge:/gi, (word) => `${word.slice(0, -1)}\u200b:`);
}

function closesFence(line: string, markup: string, afterOpening: boolean): boolean {
  if (!afterOpening) return false;
  const bare = line.replace(/^[\s>]*/, '').trimEnd();
  return bare.length >= markup.length && [...bare].every((char) => char === markup[0]);
}

/** `# x` becomes a heading below the section's level; a setext heading (`x` over `===`) becomes one line. */
function demoteHeading(
  out: (string | null)[],
  [start, end]: [number, number],
  markup: string,
  level: number,
  sectionLevel: number,
): void {
  const depth = markup.startsWith('#') ? markup.length : markup === '=' ? 1 : 2;
  const hashes = '#'.repeat(Math.min(6, sectionLevel + depth));
  if (markup.startsWith('#')) {
    out[start] = (out[start] ?? '').replace(/^([\s>]*(?:(?:[-*+]|\d+[.)])\s+)*)#{1,6}(?=\s|$)/, `$1${hashes}`);
    return;
  }
  if (level !== 0) return;
  const words = out.slice(start, end - 1).map((line) => (line ?? '').trim());
  out[start] = `${hashes} ${words.join(' ')}`;
  for (let line = start + 1; line < end; line += 1) out[line] = null;
}

/** Inline markdown outside code spans, URLs and link destinations made inert on the forge. */
function safeInline(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    const rest = text.slice(index);
    const previous = index > 0 ? text[index - 1]! : '';
    if (char === '\\' && /^\\[\\`<!&]/.test(rest)) {
      out += rest.slice(0, 2);
      index += 2;
      continue;
    }
    if (char === '`') {
      const run = /^`+/.exec(rest)![0];
      const close = closingRun(text, index + run.length, run.length);
      const end = close < 0 ? index + run.length : close + run.length;
      out += text.slice(index, end);
      index = end;
      continue;
    }
    const verbatim = (!/\w/.test(previous) && URL_START.exec(rest)) || LINK_DESTINATION.exec(rest);
    if (verbatim && verbatim[0].length > 1) {
      out += verbatim[0].replace(/&/g, '&amp;');
      index += verbatim[0].length;
      continue;
    }
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '!' && text[index + 1] === '[') {
      out += '[image: ';
      index += 1;
    } else if (char === '@' && !ALPHANUMERIC.test(previous) && /^@[a-z0-9]/i.test(rest)) out += `@${ZERO_WIDTH}`;
    else if (char === '#' && /^#\d/.test(rest)) out += `#${ZERO_WIDTH}`;
    else if (/^gh-\d/i.test(rest) && !ALPHANUMERIC.test(previous)) {
      out += `${rest.slice(0, 2)}${ZERO_WIDTH}`;
      index += 1;
    } else out += char;
    index += 1;
  }
  return out;
}

/** Where a run of exactly `length` backticks starts at or after `from`; -1 when none does. */
function closingRun(text: string, from: number, length: number): number {
  const pattern = /`+/g;
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0].length === length) return match.index;
  }
  return -1;
}
