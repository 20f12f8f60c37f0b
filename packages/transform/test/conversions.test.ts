import { describe, expect, it } from 'vitest';
import { applyMapping, parseMapping, type TransformSpec } from '../src/index.js';

/** Maps `{ v: value }` through one transform; returns the output value or the failure message. */
function convert(transform: TransformSpec | TransformSpec[], value: unknown): unknown {
  const mapping = parseMapping({ mappings: [{ source_field: 'v', target_field: 'out', transform }] });
  const result = applyMapping({ v: value }, mapping);
  if (!result.ok) throw new Error(result.failure.error_message);
  return result.value.out;
}

function failure(transform: TransformSpec | TransformSpec[], value: unknown): string {
  const mapping = parseMapping({ mappings: [{ source_field: 'v', target_field: 'out', transform }] });
  const result = applyMapping({ v: value }, mapping);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure.error_message;
}

describe('string, number, integer, boolean', () => {
  it('string', () => {
    expect(convert('string', 12.5)).toBe('12.5');
    expect(convert('string', true)).toBe('true');
    expect(convert('string', 'x')).toBe('x');
    expect(failure('string', { a: 1 })).toMatch(/expected a text value, got an object/);
  });

  it('number', () => {
    expect(convert('number', '12.5')).toBe(12.5);
    expect(convert('number', ' -3e2 ')).toBe(-300);
    expect(convert('number', '.5')).toBe(0.5);
    expect(convert('number', 7)).toBe(7);
    expect(convert({ type: 'number', decimal: ',' }, '12,75')).toBe(12.75);
    expect(failure('number', '0x10')).toMatch(/"0x10" is not a number/);
    expect(failure('number', '12abc')).toMatch(/not a number/);
    expect(failure('number', true)).toMatch(/expected a number, got boolean/);
    expect(failure('number', 'Infinity')).toMatch(/not a number/);
  });

  it('integer', () => {
    expect(convert('integer', '42')).toBe(42);
    expect(convert('integer', '42.0')).toBe(42);
    expect(failure('integer', '4.2')).toMatch(/"4.2" is not an integer/);
    expect(convert({ type: 'integer', round: 'round' }, '4.5')).toBe(5);
    expect(convert({ type: 'integer', round: 'floor' }, -4.5)).toBe(-5);
    expect(convert({ type: 'integer', round: 'trunc' }, '-4.5')).toBe(-4);
  });

  it('boolean', () => {
    for (const v of ['true', 'TRUE', 'Yes', 'y', '1', 1, 'on', true])
      expect(convert('boolean', v)).toBe(true);
    for (const v of ['false', 'No', 'N', '0', 0, 'off', false]) expect(convert('boolean', v)).toBe(false);
    expect(failure('boolean', 'maybe')).toMatch(/"maybe" is not a boolean/);
    expect(failure('boolean', 2)).toMatch(/not a boolean/);
    expect(convert({ type: 'boolean', true_values: ['ok'], false_values: ['ko'] }, 'OK')).toBe(true);
    expect(failure({ type: 'boolean', true_values: ['ok'], false_values: ['ko'] }, 'yes')).toMatch(
      /not a boolean/,
    );
  });
});

describe('datetime and date', () => {
  const dt = (formats: string[], value: unknown, timezone?: string) =>
    convert({ type: 'datetime', formats, ...(timezone ? { timezone } : {}) }, value);

  it('reads RFC 3339 and ISO 8601 forms by default', () => {
    expect(convert('datetime', '2024-01-12T13:50:00Z')).toBe('2024-01-12T13:50:00Z');
    expect(convert('datetime', '2024-01-12T13:50:00.529Z')).toBe('2024-01-12T13:50:00.529Z');
    expect(convert('datetime', '2024-01-12T13:50:00.123456789Z')).toBe('2024-01-12T13:50:00.123456789Z');
    expect(convert('datetime', '2024-01-12T13:50:00.500+02:00')).toBe('2024-01-12T11:50:00.5Z');
    expect(convert('datetime', '2024-01-12 13:50')).toBe('2024-01-12T13:50:00Z');
    expect(convert('datetime', '2024-01-12t13:50:00z')).toBe('2024-01-12T13:50:00Z');
    expect(convert('datetime', '2024-01-12')).toBe('2024-01-12T00:00:00Z');
    expect(convert('datetime', '2024-01-12T00:30:00-0130')).toBe('2024-01-12T02:00:00Z');
    expect(convert('datetime', '2024-01-01T00:30:00+01:00')).toBe('2023-12-31T23:30:00Z');
  });

  it('reads token formats, tried in order', () => {
    const formats = ['DD/MM/YYYY HH:mm', 'YYYY-MM-DD', 'X', 'x', 'iso'];
    expect(dt(formats, '12/01/2024 10:30')).toBe('2024-01-12T10:30:00Z');
    expect(dt(formats, '2024-01-12')).toBe('2024-01-12T00:00:00Z');
    expect(dt(formats, '1705055400')).toBe('2024-01-12T10:30:00Z');
    expect(dt(formats, 1705055400)).toBe('2024-01-12T10:30:00Z');
    expect(dt(['x'], 1705055400123)).toBe('2024-01-12T10:30:00.123Z');
    expect(dt(['x'], '1705055400000')).toBe('2024-01-12T10:30:00Z');
    expect(dt(['X'], '1705055400.25')).toBe('2024-01-12T10:30:00.25Z');
    expect(dt(['X'], -1.5)).toBe('1969-12-31T23:59:58.5Z');
    expect(dt(['X'], 0)).toBe('1970-01-01T00:00:00Z');
    expect(dt(formats, '2024-01-12T10:30:00Z')).toBe('2024-01-12T10:30:00Z');
  });

  it('supports month names, 12-hour clocks, fractions, offsets, day of year and literals', () => {
    expect(dt(['D MMM YYYY'], '5 Sep 2023')).toBe('2023-09-05T00:00:00Z');
    expect(dt(['D MMM YYYY'], '5 sept 2023')).toBe('2023-09-05T00:00:00Z');
    expect(dt(['MMMM D, YYYY h:mm A'], 'January 12, 2024 1:05 PM')).toBe('2024-01-12T13:05:00Z');
    expect(dt(['MMMM D, YYYY h:mm A'], 'January 12, 2024 12:05 am')).toBe('2024-01-12T00:05:00Z');
    expect(dt(['ddd, DD MMM YYYY HH:mm:ss Z'], 'Fri, 12 Jan 2024 10:30:00 +0100')).toBe(
      '2024-01-12T09:30:00Z',
    );
    expect(dt(['YYYYMMDD[T]HHmmss.SSS'], '20240112T103000.120')).toBe('2024-01-12T10:30:00.12Z');
    expect(dt(['YYYY-DDDD'], '2024-060')).toBe('2024-02-29T00:00:00Z');
    expect(dt(['YY-MM-DD'], '99-12-31')).toBe('1999-12-31T00:00:00Z');
    expect(dt(['YY-MM-DD'], '24-12-31')).toBe('2024-12-31T00:00:00Z');
    expect(dt(['[Acquired on] YYYY/M/D'], 'Acquired on 2024/1/2')).toBe('2024-01-02T00:00:00Z');
  });

  it('applies the time zone to values without an offset', () => {
    expect(dt(['DD/MM/YYYY HH:mm'], '12/01/2024 10:30', '+02:00')).toBe('2024-01-12T08:30:00Z');
    expect(dt(['DD/MM/YYYY HH:mm'], '12/01/2024 10:30', '-05:00')).toBe('2024-01-12T15:30:00Z');
    expect(dt(['iso'], '2024-01-12T10:30:00Z', '+02:00')).toBe('2024-01-12T10:30:00Z');
    // IANA zones follow daylight saving time: CET in January, CEST in July.
    expect(dt(['iso'], '2024-01-12T10:30:00', 'Europe/Paris')).toBe('2024-01-12T09:30:00Z');
    expect(dt(['iso'], '2024-07-12T10:30:00', 'Europe/Paris')).toBe('2024-07-12T08:30:00Z');
  });

  it('rejects impossible dates and values that match no format', () => {
    expect(failure({ type: 'datetime', formats: ['DD/MM/YYYY'] }, '31/02/2024')).toMatch(
      /day 31 does not exist in 2024-02/,
    );
    expect(failure({ type: 'datetime', formats: ['DD/MM/YYYY'] }, '29/02/2023')).toMatch(
      /day 29 does not exist/,
    );
    expect(convert({ type: 'datetime', formats: ['DD/MM/YYYY'] }, '29/02/2024')).toBe('2024-02-29T00:00:00Z');
    expect(failure('datetime', '2024-13-01')).toMatch(/month 13/);
    expect(failure('datetime', '2024-01-01T24:00:00Z')).toMatch(/hour 24/);
    expect(failure('datetime', '2024-01-01T10:60:00Z')).toMatch(/minute 60/);
    expect(failure('datetime', '12/01/2024')).toMatch(/matches none of the formats iso/);
    expect(failure('datetime', 1705055400)).toMatch(/add "X" for epoch seconds/);
    expect(failure('datetime', [2024])).toMatch(/expected a date string, got an array/);
    expect(failure({ type: 'datetime', formats: ['h:mm'] }, '1:05')).toMatch(/needs AM or PM/);
  });

  it('accepts Date objects (from Parquet readers)', () => {
    const mapping = parseMapping({
      mappings: [{ source_field: 'v', target_field: 'out', transform: 'datetime' }],
    });
    const result = applyMapping({ v: new Date('2024-01-12T10:30:00.250Z') }, mapping);
    expect(result.ok && result.value.out).toBe('2024-01-12T10:30:00.25Z');
  });

  it('date keeps the calendar date as written', () => {
    expect(convert('date', '2024-01-12T23:30:00-05:00')).toBe('2024-01-12T00:00:00Z');
    expect(convert({ type: 'date', output: 'date' }, '2024-01-12T10:30:00Z')).toBe('2024-01-12');
    expect(convert({ type: 'date', formats: ['DD.MM.YYYY'] }, '12.01.2024')).toBe('2024-01-12T00:00:00Z');
  });

  it('rejects bad formats and zones at load time', () => {
    expect(() =>
      parseMapping([
        { source_field: 'v', target_field: 'o', transform: { type: 'datetime', formats: ['yyyy-MM-dd'] } },
      ]),
    ).toThrow(/"y" in date format "yyyy-MM-dd" is not a token/);
    expect(() =>
      parseMapping([
        { source_field: 'v', target_field: 'o', transform: { type: 'datetime', timezone: 'Mars/Base' } },
      ]),
    ).toThrow(/unknown time zone "Mars\/Base"/);
    expect(() =>
      parseMapping([{ source_field: 'v', target_field: 'o', transform: { type: 'datetime', formats: [] } }]),
    ).toThrow(/option "formats" of transform "datetime" must NOT have fewer than 1 items/);
  });
});

describe('arrays and objects', () => {
  it('array / split', () => {
    expect(convert('array', 'a, b ,,c')).toEqual(['a', 'b', 'c']);
    expect(convert({ type: 'split', separator: ';', keep_empty: true }, 'a;;b')).toEqual(['a', '', 'b']);
    expect(convert({ type: 'array', trim: false }, 'a, b')).toEqual(['a', ' b']);
    expect(convert('array', ['x'])).toEqual(['x']);
    expect(convert('array', 5)).toEqual([5]);
  });

  it('first, last and join', () => {
    expect(convert('first', ['a', 'b'])).toBe('a');
    expect(convert('last', ['a', 'b'])).toBe('b');
    expect(convert(['array', 'last'], 'a,b,c')).toBe('c');
    expect(convert('first', 'solo')).toBe('solo');
    expect(failure('first', [])).toMatch(/no value is left after the transform of \[\]/);
    expect(convert({ type: 'join', separator: ' | ' }, ['a', 1, true])).toBe('a | 1 | true');
    expect(failure('join', [{ a: 1 }])).toMatch(/join needs text/);
  });

  it('flatten and nest', () => {
    const nested = { a: { b: 1, c: { d: [1, 2] } }, e: 'x' };
    expect(convert('flatten', nested)).toEqual({ 'a.b': 1, 'a.c.d': [1, 2], e: 'x' });
    expect(convert({ type: 'flatten', prefix: 'src', separator: ':' }, { a: { b: 1 } })).toEqual({
      'src:a:b': 1,
    });
    expect(convert('nest', { 'a.b': 1, 'a.c.d': [1, 2], e: 'x' })).toEqual(nested);
    expect(convert({ type: 'nest', prefix: 'meta_', separator: '_' }, { meta_a_b: 1, other: 2 })).toEqual({
      a: { b: 1 },
    });
    expect(failure('nest', { 'a.b': 1, a: 2 })).toMatch(/conflicts|holds/);
    expect(failure('flatten', 'x')).toMatch(/flatten needs an object/);
  });

  it('json and object', () => {
    expect(convert('json', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(convert('json', '3')).toBe(3);
    expect(convert('json', { already: true })).toEqual({ already: true });
    expect(failure('json', '{bad')).toMatch(/not valid JSON/);
    expect(convert('object', '{"a":1}')).toEqual({ a: 1 });
    expect(failure('object', '[1]')).toMatch(/expected an object, got an array/);
  });

  it('each applies a transform to every element', () => {
    expect(convert({ type: 'number', each: true }, ['1', '2.5'])).toEqual([1, 2.5]);
    expect(convert(['array', { type: 'uppercase', each: true }], 'a,b')).toEqual(['A', 'B']);
    expect(failure({ type: 'number', each: true }, ['1', 'x'])).toMatch(/"x" is not a number/);
  });
});

describe('numbers and text', () => {
  it('scale', () => {
    expect(convert({ type: 'scale', factor: 0.0001 }, '2500')).toBe(0.25);
    expect(convert({ type: 'scale', factor: 1, offset: -273.15, digits: 2 }, 300)).toBe(26.85);
    expect(convert({ type: 'scale', factor: 0.1, digits: 3 }, 3)).toBe(0.3);
    expect(failure({ type: 'scale', factor: 2 }, 'abc')).toMatch(/not a number/);
  });

  it('lowercase, uppercase, trim', () => {
    expect(convert('lowercase', 'ABC')).toBe('abc');
    expect(convert('uppercase', 'abc')).toBe('ABC');
    expect(convert('trim', '  a b  ')).toBe('a b');
    expect(failure('uppercase', 5)).toMatch(/uppercase needs a string, got number 5/);
  });

  it('template transform with {$value}', () => {
    expect(convert({ type: 'template', template: 'ipfs://{$value}' }, 'bafy123')).toBe('ipfs://bafy123');
    expect(convert({ type: 'template', template: 'https://h/{$value|urlencode}' }, 'a b/c')).toBe(
      'https://h/a%20b%2Fc',
    );
  });

  it('pipelines run in order', () => {
    expect(
      convert(
        ['trim', 'lowercase', { type: 'split', separator: ' ' }, { type: 'join', separator: '-' }],
        '  Hello Big World ',
      ),
    ).toBe('hello-big-world');
  });
});
