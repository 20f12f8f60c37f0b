import { describe, expect, it } from 'vitest';
import {
  assertSafePath,
  countFailure,
  createFailure,
  finishSummary,
  formatLocation,
  formatSummary,
  isFailure,
  ScmError,
  startSummary,
  removeForbiddenKeys,
  plainCopy,
  setOwnMember,
  stripForbiddenKeys,
} from '../src/index.js';

describe('createFailure', () => {
  it('has the PRD structure with a UTC timestamp', () => {
    const failure = createFailure({
      itemId: 'a',
      errorType: 'validation_error',
      message: 'properties.datetime: must be RFC 3339',
      step: 'validate',
      sourceData: { id: 'a' },
      file: 'items.ndjson',
      line: 3,
      timestamp: new Date('2024-01-12T13:50:00Z'),
    });
    expect(failure).toEqual({
      item_id: 'a',
      error_type: 'validation_error',
      error_message: 'properties.datetime: must be RFC 3339',
      error_context: {
        source_data: { id: 'a' },
        step: 'validate',
        timestamp: '2024-01-12T13:50:00Z',
        file: 'items.ndjson',
        line: 3,
      },
    });
    expect(isFailure(failure)).toBe(true);
  });
});

describe('summary', () => {
  it('counts and formats a run', () => {
    const counter = startSummary('rebuild-catalog', 'full', new Date('2024-01-01T00:00:00Z'));
    counter.processed = 10;
    counter.succeeded = 9;
    countFailure(counter, 'validation_error');
    const summary = finishSummary(counter, new Date('2024-01-01T00:00:02Z'));
    expect(summary).toMatchObject({
      processed: 10,
      succeeded: 9,
      failed: 1,
      duration_s: 2,
      items_per_second: 5,
    });
    expect(summary.failures_by_type).toEqual({ validation_error: 1 });
    expect(formatSummary(summary)).toContain('processed 10, succeeded 9, failed 1');
  });
});

describe('safe keys', () => {
  it('rejects prototype keys in a path', () => {
    expect(() => assertSafePath(['properties', '__proto__', 'x'], 'target_field of rule 1')).toThrow(
      ScmError,
    );
    expect(() => assertSafePath(['constructor', 'prototype'], 'rule')).toThrow(/constructor/);
    expect(() => assertSafePath(['properties', 'x'], 'rule')).not.toThrow();
  });
  it('drops __proto__ members from parsed JSON', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}');
    const clean = stripForbiddenKeys(parsed);
    expect(Object.keys(clean.a)).toEqual(['b']);
    const target = Object.assign({}, clean.a);
    expect((target as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('copies members as plain members, a __proto__ key too, never reaching a prototype', () => {
    const parsed = JSON.parse('{"a":1,"__proto__":{"polluted":true},"b":{"c":2}}');
    const copy = plainCopy(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['a', '__proto__', 'b']);
    expect(copy.polluted).toBeUndefined();
    expect(copy.b).toBe(parsed.b);
    const target: Record<string, unknown> = {};
    setOwnMember(target, '__proto__', { polluted: true });
    setOwnMember(target, 'x', 1);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('removes forbidden members in place, at any depth, keeping the rest', () => {
    const parsed = JSON.parse(
      '{"a":[{"__proto__":{"polluted":true},"b":1}],"constructor":{"prototype":1},"c":{"d":{"prototype":2,"e":3}}}',
    );
    expect(removeForbiddenKeys(parsed)).toBe(parsed);
    expect(parsed).toEqual({ a: [{ b: 1 }], c: { d: { e: 3 } } });
    expect(Object.keys(parsed.a[0])).toEqual(['b']);
    Object.assign({}, parsed.a[0]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('formatLocation', () => {
  it('reads as file:line:column at path', () => {
    expect(formatLocation({ file: 'c.yaml', line: 3, column: 5, path: 'output.format' })).toBe(
      'c.yaml:3:5 at output.format',
    );
  });
});
