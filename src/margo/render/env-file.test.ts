/**
 * Env-file quoting round-trips through docker compose's parser. There is no docker here, so the
 * test carries a port of the value rules of compose-go's `dotenv/parser.go` and `godotenv.go`
 * (compose-spec/compose-go at e70e961, July 2026: quoted values, escape expansion, `$`
 * interpolation) and checks that every value, including quotes, `$`, `#`, backslashes and
 * newlines, reads back exactly.
 */
import { describe, expect, it } from 'vitest';
import { quoteEnvValue, writeEnvFile } from './index.js';

/** compose-go `template.Substitute` for what matters here: `$$` is a `$`, `$NAME`/`${NAME}` expand. */
function substitute(value: string, env: Record<string, string>): string {
  return value.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, all, braced, bare) =>
    all === '$' ? '$' : (env[braced ?? bare] ?? ''),
  );
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
};

function expandEscapes(value: string): string {
  return value.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (match) => {
    const c = match.slice(1);
    if (c === '$') return '$$';
    if (c.startsWith('0')) return String.fromCharCode(Number.parseInt(c.slice(1) || '0', 8));
    return SIMPLE_ESCAPES[c] ?? match;
  });
}

/** compose-go `extractVarValue` for a quoted value; returns the value and the rest. */
function extractQuoted(src: string, env: Record<string, string>): [string, string] {
  const quote = src[0];
  let escaped = false;
  let chars = '';
  for (let i = 1; i < src.length; i++) {
    const char = src[i] as string;
    if (char !== quote) {
      if (!escaped && char === '\\') {
        escaped = true;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += '\\';
      }
      chars += char;
      continue;
    }
    if (escaped) {
      escaped = false;
      chars += char;
      continue;
    }
    const value = quote === '"' ? substitute(expandEscapes(chars), env) : chars;
    return [value, src.slice(i + 1)];
  }
  throw new Error(`unterminated quoted value ${src}`);
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    if (rest === '') return out;
    const match = /^([A-Za-z0-9_.]+)=/.exec(rest);
    if (!match) throw new Error(`bad line: ${rest.slice(0, 20)}`);
    rest = rest.slice(match[0].length);
    if (rest[0] !== '"' && rest[0] !== "'") throw new Error('the writer always quotes');
    const [value, after] = extractQuoted(rest, out);
    out[match[1] as string] = value;
    rest = after;
  }
}

const tricky = [
  '',
  'plain',
  'Azure AD',
  ' leading and trailing ',
  "it's",
  "'quoted'",
  '"double"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} must not be interpolated by compose
  'cost: $5 and ${HOME} and $$',
  'a # not a comment',
  'back\\slash',
  'ends with \\',
  '\\n is two characters',
  'line one\nline two',
  'carriage\r\nreturn',
  'tab\there',
  'mixed \'" $X \\ # \n',
  'ünïcødé ✓',
  '=equals=',
  '\\$HOME',
];

describe('env file quoting', () => {
  it.each(tricky)('round-trips %j through the compose parser', (value) => {
    const file = writeEnvFile([
      { name: 'FIRST', value, parameter: 'p' },
      { name: 'SECOND', value: 'after', parameter: 'q' },
    ]);
    expect(parseEnvFile(file)).toEqual({ FIRST: value, SECOND: 'after' });
  });

  it('uses single quotes when nothing needs escaping, double quotes otherwise', () => {
    expect(quoteEnvValue('a $b #c "d"')).toBe(`'a $b #c "d"'`);
    expect(quoteEnvValue("it's $x")).toBe(`"it's \\$x"`);
    expect(quoteEnvValue('a\nb\\')).toBe('"a\\nb\\\\"');
  });

  it('writes one line per variable, LF-terminated', () => {
    const file = writeEnvFile([
      { name: 'A', value: 'x\ny', parameter: 'a' },
      { name: 'B', value: '1', parameter: 'b' },
    ]);
    expect(file).toBe(`A="x\\ny"\nB='1'\n`);
  });
});
