import { describe, expect, it } from 'vitest';
import { DigestSet, digest64 } from '../src/id-set.js';

// Ids shaped like CMR-STAC's HLS ids, which differ in a few characters only.
const hlsId = (i: number) =>
  `HLS.S30.T${10 + (i % 50)}SFC.2022${String(i % 365).padStart(3, '0')}T${String(i).padStart(7, '0')}.v2.0`;

describe('DigestSet', () => {
  it('answers add and has like a Set<string>, across growth', () => {
    const set = new DigestSet({ initialCapacity: 16 });
    const reference = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const id = hlsId(i % 40_000); // the last 10,000 are repeats
      expect(set.add(id)).toBe(!reference.has(id));
      reference.add(id);
    }
    expect(set.size).toBe(40_000);
    for (let i = 0; i < 40_000; i++) expect(set.has(hlsId(i))).toBe(true);
    for (let i = 40_000; i < 80_000; i++) expect(set.has(hlsId(i))).toBe(false);
  });

  it('holds a million ids in 16 MiB (10 million would take 128 MiB)', () => {
    const set = new DigestSet();
    for (let i = 0; i < 1_000_000; i++) set.add(hlsId(i));
    expect(set.size).toBe(1_000_000);
    expect(set.byteLength).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('clear forgets everything', () => {
    const set = new DigestSet();
    set.add('a');
    set.add('');
    set.clear();
    expect(set.size).toBe(0);
    expect(set.has('a')).toBe(false);
    expect(set.add('')).toBe(true);
  });

  it('on a digest collision a new string looks already seen (the documented false duplicate)', () => {
    const set = new DigestSet({ digest: (text) => [0, text.length] }); // every same-length string collides
    expect(set.add('item-a')).toBe(true);
    expect(set.add('item-b')).toBe(false);
    expect(set.has('item-c')).toBe(true);
    expect(set.has('item-10')).toBe(false);
    expect(set.size).toBe(1);
    // The all-zero digest is the empty-slot marker; it is stored under another value and still found.
    const zero = new DigestSet({ digest: () => [0, 0] });
    expect(zero.add('x')).toBe(true);
    expect(zero.has('x')).toBe(true);
  });

  it('digest64 is deterministic and spreads near-identical ids over both halves', () => {
    expect(digest64('HLS.S30.T13SFC.2022273T174141.v2.0')).toEqual(
      digest64('HLS.S30.T13SFC.2022273T174141.v2.0'),
    );
    const highs = new Set<number>();
    const lows = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      const [high, low] = digest64(hlsId(i));
      highs.add(high);
      lows.add(low);
    }
    // 100,000 draws from 2^32 values: a handful of repeats at most if the halves look random.
    expect(highs.size).toBeGreaterThan(99_990);
    expect(lows.size).toBeGreaterThan(99_990);
  });
});
