import {
  appendPointer,
  escapePointerSegment,
  pointerSegments,
  toPointer,
  unescapePointerSegment,
} from '@scm/core/json-pointer';
import { describe, expect, it } from 'vitest';

describe('JSON Pointer', () => {
  it('escapes ~ before / so keys holding "~1" survive a round trip', () => {
    expect(escapePointerSegment('a/b')).toBe('a~1b');
    expect(escapePointerSegment('~1')).toBe('~01');
    expect(unescapePointerSegment('~01')).toBe('~1');
    expect(escapePointerSegment(3)).toBe('3');
  });

  it('builds and splits pointers (RFC 6901 examples)', () => {
    expect(toPointer(['properties', 'eo:bands', 0])).toBe('/properties/eo:bands/0');
    expect(appendPointer('/assets', 'my/file', 'href')).toBe('/assets/my~1file/href');
    expect(pointerSegments('')).toEqual([]);
    expect(pointerSegments('/a~1b/m~0n/')).toEqual(['a/b', 'm~n', '']);
  });
});
