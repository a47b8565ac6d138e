import { describe, expect, it } from 'vitest';
import { expectPositionals, parseArguments, UsageError } from './args.js';

const specs = {
  json: { type: 'boolean' },
  profile: { type: 'string' },
  registry: { type: 'string', multiple: true },
} as const;

describe('parseArguments', () => {
  it('reads flags, values in both spellings, repeated multi-value options and positionals', () => {
    const parsed = parseArguments(
      ['a.yaml', '--json', '--profile=helm', '--registry', 'x', '--registry', 'y', 'b'],
      specs,
    );
    expect(parsed).toEqual({
      options: { json: true, profile: 'helm', registry: ['x', 'y'] },
      positionals: ['a.yaml', 'b'],
    });
  });

  it('takes everything after -- as positionals', () => {
    expect(parseArguments(['--', '--json'], specs).positionals).toEqual(['--json']);
  });

  it('refuses unknown options with the nearest known one, a missing value and a repeated single option', () => {
    expect(() => parseArguments(['--jsno'], specs)).toThrow("unknown option '--jsno'; did you mean --json?");
    expect(() => parseArguments(['--strict'], specs)).toThrow(/^unknown option '--strict'$/);
    expect(() => parseArguments(['--profile'], specs)).toThrow('--profile needs a value');
    expect(() => parseArguments(['--profile', '--json'], specs)).toThrow('--profile needs a value');
    expect(() => parseArguments(['--profile', 'a', '--profile', 'b'], specs)).toThrow(
      '--profile is given more than once',
    );
    expect(() => parseArguments(['--json=yes'], specs)).toThrow(UsageError);
    expect(() => parseArguments(['-j'], specs)).toThrow(UsageError);
  });

  it('checks the number of positionals', () => {
    expect(() => expectPositionals([], 1, 1, 'the description')).toThrow('missing the description');
    expect(() => expectPositionals(['a', 'b', 'c'], 1, 1, 'x')).toThrow('unexpected arguments b c');
    expect(() => expectPositionals(['a'], 1, 1, 'x')).not.toThrow();
  });
});
