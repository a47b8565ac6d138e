/** End-User values (§4): D-2 to D-6, D-12, the example patterns, values files and regex speed. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baseText } from '../../test/support/margo-fixture.js';
import {
  compileRegex,
  type Description,
  type InputValue,
  parseValuesFile,
  type SchemaEntry,
  validateDocument,
  validateValues,
} from './index.js';

const base = validateDocument(baseText).description as Description;

/** A description with one setting `x` of the given schema entry. */
function withSchema(entry: Omit<SchemaEntry, 'name'>, defaultValue?: string): Description {
  return {
    ...base,
    parameters: {
      x: {
        name: 'x',
        targets: [{ pointer: 'x', components: ['sensor-chart'] }],
        ...(defaultValue !== undefined ? { default: defaultValue, defaultText: defaultValue } : {}),
      },
    },
    configuration: {
      sections: [{ name: 'S', settings: [{ parameter: 'x', name: 'X', immutable: false, schema: 's' }] }],
      schema: [{ name: 's', ...entry }],
    },
  };
}

function check(entry: Omit<SchemaEntry, 'name'>, value: InputValue | undefined): string {
  const result = validateValues(withSchema(entry), value === undefined ? {} : { x: value });
  return result.valid ? 'ok' : (result.issues[0]?.code ?? '?');
}

const url = String.raw`^(http(s):\/\/.)[-a-zA-Z0-9@:%._\+~#=]{2,256}\.[a-z]{2,6}\b([-a-zA-Z0-9@:%_\+.~#?&//=]*)$`;

describe('defaults and resolution', () => {
  it('resolves input, else the default, with typed values and digits as written', () => {
    const result = validateValues(base, { greeting: 'hi', port: '9090' });
    expect(result.valid).toBe(true);
    expect(result.values).toMatchObject({
      greeting: { value: 'hi' },
      port: { value: 9090, text: '9090' },
      ratio: { value: 1.5, text: '1.50' },
      debug: { value: false },
      level: { value: 'info' },
    });
    // an empty optional value without a default is omitted.
    expect(result.values.site).toBeUndefined();
    expect(result.values.features).toBeUndefined();
  });

  it('D-9: resolved values carry their schema type (numbers as numbers, booleans as booleans)', () => {
    const result = validateValues(base, { port: '9090', debug: 'true', ratio: '3', greeting: '42' });
    expect(result.values.port).toEqual({ value: 9090, text: '9090' });
    expect(result.values.debug).toEqual({ value: true });
    expect(result.values.ratio).toEqual({ value: 3, text: '3' });
    expect(result.values.greeting).toEqual({ value: '42' });
  });

  it('rejects unknown parameter names', () => {
    const result = validateValues(base, { colour: 'blue' });
    expect(result.issues).toEqual([expect.objectContaining({ parameter: 'colour', code: 'VALUE_UNKNOWN' })]);
  });

  it('never repeats the value in a message (it may be a secret, A-34)', () => {
    const result = validateValues(base, { greeting: 'S3cret-Passw0rd!' });
    expect(result.issues[0]?.code).toBe('VALUE_LENGTH');
    expect(JSON.stringify(result.issues)).not.toContain('S3cret');
  });
});

describe('D-2 allowEmpty', () => {
  it('false (the default) requires a value; "", null and [] are empty', () => {
    for (const empty of ['', null, []] as InputValue[])
      expect(check({ dataType: 'string' }, empty)).toBe('VALUE_REQUIRED');
    expect(check({ dataType: 'string', allowEmpty: false }, undefined)).toBe('VALUE_REQUIRED');
  });

  it('true allows empty and skips every other rule (optionalText minLength 5)', () => {
    expect(check({ dataType: 'string', allowEmpty: true, minLength: 5 }, '')).toBe('ok');
    expect(check({ dataType: 'string', allowEmpty: true, minLength: 5 }, 'abc')).toBe('VALUE_LENGTH');
  });

  it('A-18: 0, false and whitespace are values, nothing is trimmed', () => {
    expect(check({ dataType: 'integer' }, '0')).toBe('ok');
    expect(check({ dataType: 'boolean' }, false)).toBe('ok');
    expect(check({ dataType: 'string', minLength: 2 }, '  ')).toBe('ok');
  });
});

describe('D-3 precision and D-6 numbers', () => {
  it('counts the decimal places as typed: 1.50 has 2', () => {
    expect(check({ dataType: 'double', maxPrecision: 1 }, '1.5')).toBe('ok');
    expect(check({ dataType: 'double', maxPrecision: 1 }, '1.25')).toBe('VALUE_PRECISION');
    expect(check({ dataType: 'double', maxPrecision: 1 }, '1.50')).toBe('VALUE_PRECISION');
    expect(check({ dataType: 'double', minPrecision: 2 }, '1.50')).toBe('ok');
    expect(check({ dataType: 'double', minPrecision: 2 }, '1.5')).toBe('VALUE_PRECISION');
  });

  it('reads a default precision from its YAML source text', () => {
    const description = withSchema({ dataType: 'double', minPrecision: 2 }, '1.50');
    expect(validateValues(description, {}).values.x).toEqual({ value: 1.5, text: '1.50' });
  });

  it('integers: whole-number literals only; 30.0, 3e1 and 30.5 are rejected', () => {
    expect(check({ dataType: 'integer' }, '30')).toBe('ok');
    expect(check({ dataType: 'integer' }, '-30')).toBe('ok');
    expect(check({ dataType: 'integer' }, '30.0')).toBe('VALUE_TYPE');
    expect(check({ dataType: 'integer' }, '3e1')).toBe('VALUE_TYPE');
    expect(check({ dataType: 'integer' }, 30.5)).toBe('VALUE_TYPE');
    expect(check({ dataType: 'integer' }, '12345678901234567890')).toBe('VALUE_RANGE');
  });

  it('an integer is accepted where a double is expected; exponents are not (A-23)', () => {
    expect(check({ dataType: 'double' }, '2')).toBe('ok');
    expect(check({ dataType: 'double' }, 2)).toBe('ok');
    expect(check({ dataType: 'double' }, '1e-3')).toBe('VALUE_TYPE');
  });

  it('minValue and maxValue are inclusive', () => {
    const range = { dataType: 'integer', minValue: 30, maxValue: 360 };
    expect(check(range, '30')).toBe('ok');
    expect(check(range, '360')).toBe('ok');
    expect(check(range, '29')).toBe('VALUE_RANGE');
    expect(check(range, '361')).toBe('VALUE_RANGE');
    expect(check({ dataType: 'double', minValue: 0.5 }, '0.5')).toBe('ok');
    expect(check({ dataType: 'double', minValue: 0.5 }, '0.49')).toBe('VALUE_RANGE');
  });
});

describe('strings and booleans', () => {
  it('counts characters as Unicode code points (A-19)', () => {
    expect(check({ dataType: 'string', maxLength: 2 }, '😀😀')).toBe('ok');
    expect(check({ dataType: 'string', maxLength: 2 }, '😀😀😀')).toBe('VALUE_LENGTH');
  });

  it('digits stay a string', () => {
    expect(validateValues(withSchema({ dataType: 'string' }), { x: 123 }).values.x).toEqual({ value: '123' });
  });

  it('booleans: true/false only; yes and on are not booleans (A-27)', () => {
    expect(check({ dataType: 'boolean' }, true)).toBe('ok');
    expect(check({ dataType: 'boolean' }, 'false')).toBe('ok');
    expect(check({ dataType: 'boolean' }, 'yes')).toBe('VALUE_TYPE');
    expect(check({ dataType: 'boolean' }, 'on')).toBe('VALUE_TYPE');
  });
});

describe('D-4 regexMatch', () => {
  it('uses search semantics unless anchored', () => {
    expect(check({ dataType: 'string', regexMatch: 'b' }, 'abc')).toBe('ok');
    expect(check({ dataType: 'string', regexMatch: '^b$' }, 'abc')).toBe('VALUE_PATTERN');
  });

  it('applies the example url pattern as written', () => {
    const pattern = { dataType: 'string', regexMatch: url };
    expect(check(pattern, 'https://123-abc.com')).toBe('ok');
    expect(check(pattern, 'https://example.com/path?x=1')).toBe('ok');
    expect(check(pattern, 'http://example.com')).toBe('VALUE_PATTERN');
    expect(check(pattern, 'https://example.COM')).toBe('VALUE_PATTERN');
    expect(check(pattern, 'https://192.168.1.1')).toBe('VALUE_PATTERN');
    expect(check(pattern, 'https://localhost:8080')).toBe('VALUE_PATTERN');
    expect(check(pattern, 'https://ab.io')).toBe('VALUE_PATTERN');
  });

  it('applies the example email pattern as written: anything with @', () => {
    const pattern = { dataType: 'string', regexMatch: '.*@[a-z0-9.-]*' };
    expect(check(pattern, 'rpwilkershank@northstar-ida.com')).toBe('ok');
    expect(check(pattern, '@')).toBe('ok');
    expect(check(pattern, 'NAME@EXAMPLE.COM')).toBe('ok');
    expect(check(pattern, 'no-at-sign')).toBe('VALUE_PATTERN');
  });

  it('answers ^(a+)+$ against 40 a and ! at once (linear time)', () => {
    const compiled = compileRegex('^(a+)+$');
    if (!compiled.ok) throw new Error(compiled.message);
    const start = performance.now();
    expect(compiled.regex.test(`${'a'.repeat(40)}!`)).toBe(false);
    expect(performance.now() - start).toBeLessThan(50);
    expect(check({ dataType: 'string', regexMatch: '^(a+)+$' }, `${'a'.repeat(5000)}!`)).toBe('VALUE_PATTERN');
  });

  it('bounds the pattern length in validation and the value length checked, with clear errors', () => {
    const long = compileRegex('(a|b)'.repeat(2000));
    expect(long.ok).toBe(false);
    expect(long.ok ? '' : long.message).toMatch(/longer than 1000 characters/);
    const pattern = { dataType: 'string', regexMatch: 'x$' };
    const start = performance.now();
    const result = validateValues(withSchema(pattern), { x: 'a'.repeat(100_000) });
    expect(performance.now() - start).toBeLessThan(500);
    expect(result.issues[0]).toMatchObject({ code: 'VALUE_PATTERN' });
    expect(result.issues[0]?.message).toMatch(/longer than 10000 characters/);
    expect(check(pattern, `${'a'.repeat(9_999)}x`)).toBe('ok');
  });
});

describe('D-5 select and multiselect', () => {
  it('compares options type-aware: strings exact and case-sensitive, numbers by value', () => {
    expect(check({ dataType: 'string', options: ['info', 'warn'] }, 'info')).toBe('ok');
    expect(check({ dataType: 'string', options: ['info', 'warn'] }, 'INFO')).toBe('VALUE_OPTION');
    expect(check({ dataType: 'integer', options: [1, 2, 10] }, '10')).toBe('ok');
    expect(check({ dataType: 'integer', options: [1, 2, 10] }, '010')).toBe('ok');
    expect(check({ dataType: 'integer', options: [1, 2, 10] }, '3')).toBe('VALUE_OPTION');
    expect(check({ dataType: 'double', options: [0.5, 1] }, '0.50')).toBe('ok');
    expect(check({ dataType: 'boolean', options: [true] }, 'true')).toBe('ok');
    expect(validateValues(withSchema({ dataType: 'integer', options: [1, 2] }), { x: '2' }).values.x?.value).toBe(2);
  });

  it('multiselect: arrays of options without duplicates; [] is empty', () => {
    const multi = { dataType: 'string', options: ['a', 'b', 'c'], multiselect: true };
    expect(check(multi, ['a', 'c'])).toBe('ok');
    // kept in options order.
    expect(validateValues(withSchema(multi), { x: ['c', 'a'] }).values.x).toEqual({ value: ['a', 'c'] });
    expect(check(multi, ['a', 'a'])).toBe('VALUE_DUPLICATE');
    expect(check(multi, ['d'])).toBe('VALUE_OPTION');
    expect(check(multi, 'a')).toBe('VALUE_TYPE');
    expect(check(multi, [])).toBe('VALUE_REQUIRED');
    expect(check({ ...multi, allowEmpty: true }, [])).toBe('ok');
    // array[T] with options is a multiselect too; numbers compared by value.
    expect(check({ dataType: 'array[integer]', options: [1, 2], multiselect: true }, ['1', '2'])).toBe('ok');
    expect(check({ dataType: 'array[integer]', options: [1, 2], multiselect: true }, ['1', '01'])).toBe(
      'VALUE_DUPLICATE',
    );
  });

  it('array[T] without options checks each item as T', () => {
    expect(check({ dataType: 'array[integer]', maxValue: 5 }, ['1', '5'])).toBe('ok');
    expect(check({ dataType: 'array[integer]', maxValue: 5 }, ['1', '6'])).toBe('VALUE_RANGE');
    expect(check({ dataType: 'array[string]' }, [])).toBe('VALUE_REQUIRED');
  });
});

describe('D-12 immutable settings', () => {
  it('rejects a changed immutable value on update, naming section, setting and parameter', () => {
    const result = validateValues(base, { port: '9091' }, { previous: { port: 9090 } });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ parameter: 'port', code: 'VALUE_IMMUTABLE' });
    expect(result.issues[0]?.message).toMatch(/Port.*General.*port/);
  });

  it('compares typed: "9090" from an older deployment equals 9090', () => {
    expect(validateValues(base, { port: '9090' }, { previous: { port: '9090' } }).valid).toBe(true);
    expect(validateValues(base, {}, { previous: { port: 8080 } }).valid).toBe(true);
  });

  it('a default used at install counts as set; a parameter absent before is not yet set (A-29a)', () => {
    expect(validateValues(base, { port: '9090' }, { previous: { port: 8080 } }).valid).toBe(false);
    expect(validateValues(base, { port: '9090' }, { previous: {} }).valid).toBe(true);
  });

  it('mutable settings may change', () => {
    expect(validateValues(base, { greeting: 'bye' }, { previous: { greeting: 'hi' } }).valid).toBe(true);
  });
});

describe('values files', () => {
  it('keeps the source text of numbers (1.50 stays "1.50")', () => {
    const parsed = parseValuesFile('ratio: 1.50\nport: 30.0\ndebug: true\nfeatures: [metrics, 2]\nsite: null\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.values).toEqual({ ratio: '1.50', port: '30.0', debug: true, features: ['metrics', '2'], site: null });
    const result = validateValues(base, parsed.values);
    expect(result.issues.map((issue) => `${issue.parameter} ${issue.code}`)).toEqual([
      'port VALUE_TYPE',
      'features VALUE_OPTION',
    ]);
  });

  it('reads JSON the same way', () => {
    expect(parseValuesFile('{"ratio": 2.50, "greeting": "hey"}').values).toEqual({
      ratio: '2.50',
      greeting: 'hey',
    });
  });

  it('reports a file that is not a mapping, nested mappings and parse errors with positions', () => {
    expect(parseValuesFile('- a\n').errors[0]).toMatchObject({ code: 'PARSE' });
    expect(parseValuesFile('a:\n  b: 1\n').errors[0]).toMatchObject({ code: 'VALUE_TYPE', path: 'a', line: 1 });
    expect(parseValuesFile('a: [\n').errors[0]).toMatchObject({ code: 'PARSE', line: 2 });
  });

  it('gives the position of each value, and names a description or deployment given in its place', () => {
    expect(parseValuesFile('# values\nport: 8080\nratio:\n  1.5\n').positions).toEqual({
      port: { line: 2, column: 7 },
      ratio: { line: 4, column: 3 },
    });
    const description = readFileSync(new URL('../../test/fixtures/margo/base.yaml', import.meta.url), 'utf8');
    expect(parseValuesFile(description).errors).toEqual([
      expect.objectContaining({
        code: 'NOT_VALUES',
        message: expect.stringMatching(/^this is an application description, not a values file/),
      }),
    ]);
    const deployment = 'apiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\nmetadata: {}\n';
    expect(parseValuesFile(deployment).errors[0]?.message).toMatch(
      /^this is an ApplicationDeployment, not a values file/,
    );
  });

  it('validates the fixture files', () => {
    const good = parseValuesFile(
      readFileSync(new URL('../../test/fixtures/margo/values-good.yaml', import.meta.url), 'utf8'),
    );
    expect(validateValues(base, good.values).valid).toBe(true);
    const bad = parseValuesFile(
      readFileSync(new URL('../../test/fixtures/margo/values-bad.yaml', import.meta.url), 'utf8'),
    );
    expect(validateValues(base, bad.values).issues.map((issue) => issue.code)).toEqual([
      'VALUE_UNKNOWN',
      'VALUE_LENGTH',
      'VALUE_TYPE',
      'VALUE_PRECISION',
    ]);
  });
});
