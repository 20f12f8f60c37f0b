/**
 * A set of strings that stores only a 64-bit digest of each, for the sets that grow with a run (ids seen
 * for `duplicate_id`, one NDJSON record per id): 8 bytes per entry in a flat table, about 13-27 bytes per
 * entry with its free slots, where a `Set<string>` of 40-character ids costs about 300. Ten million ids
 * take 128 MiB (192 MiB for the moment the table last doubled).
 *
 * Collisions: two different strings with the same digest look like one, so the second is taken as already
 * seen (a false duplicate; a string never seen is never reported as missing from a set it was added to).
 * With a 64-bit digest that behaves as random, the chance that any two of n strings collide is about
 * n² / 2^65: 3 × 10^-12 for 10,000 strings, 1.7 × 10^-8 for 800,000, 3 × 10^-6 for 10 million.
 *
 * @packageDocumentation
 */

/** A 64-bit digest as two unsigned 32-bit halves. */
export type Digest64 = readonly [high: number, low: number];

/** Murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function avalanche(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A 64-bit digest of a string's UTF-16 code units: two 32-bit lanes with different seeds, multipliers and
 * rotations, each finished with an avalanche step and mixed with the other. Fast, not cryptographic: fine
 * for ids from data, which are not chosen to collide.
 */
export function digest64(text: string): Digest64 {
  let a = 0x243f6a88 ^ text.length;
  let b = 0x85a308d3 ^ Math.imul(text.length, 0x9e3779b1);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b + c, 0x5bd1e995);
    b = (b << 17) | (b >>> 15);
  }
  const high = avalanche(a ^ Math.imul(b, 0x27d4eb2f));
  const low = avalanche(b ^ Math.imul(a, 0x165667b1));
  return [high, low];
}

/** Options of {@link DigestSet}. */
export interface DigestSetOptions {
  /** Slots to start with (rounded up to a power of two, at least 16). Default 1024; the table doubles as needed. */
  initialCapacity?: number;
  /** The digest function. Default {@link digest64}; a test may pass a weaker one to force collisions. */
  digest?: (text: string) => Digest64;
}

/** The largest share of slots in use before the table doubles: linear probing stays short below it. */
const MAX_LOAD = 0.6;

/**
 * A growable open-addressing hash set of 64-bit string digests (two `Uint32Array`s, linear probing). It
 * answers `add` and `has` like a `Set<string>` except for the collision rule described in this module:
 * a digest collision (astronomically unlikely below millions of strings) makes a new string look seen.
 */
export class DigestSet {
  private high: Uint32Array;
  private low: Uint32Array;
  private mask: number;
  private count = 0;
  private readonly digest: (text: string) => Digest64;

  constructor(options: DigestSetOptions = {}) {
    const wanted = Math.max(16, Math.floor(options.initialCapacity ?? 1024));
    const capacity = 2 ** Math.ceil(Math.log2(wanted));
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.digest = options.digest ?? digest64;
  }

  /** Strings added (distinct digests). */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.high.byteLength + this.low.byteLength;
  }

  /** Adds `text`; true when it was not there yet, false when it (or a string with its digest) was. */
  add(text: string): boolean {
    const [high, low] = this.slotDigest(text);
    const slot = this.find(high, low);
    if (this.high[slot] !== 0 || this.low[slot] !== 0) return false;
    this.high[slot] = high;
    this.low[slot] = low;
    this.count += 1;
    if (this.count > (this.mask + 1) * MAX_LOAD) this.grow();
    return true;
  }

  /** True when `text` (or a string with its digest) was added. */
  has(text: string): boolean {
    const [high, low] = this.slotDigest(text);
    const slot = this.find(high, low);
    return this.high[slot] !== 0 || this.low[slot] !== 0;
  }

  /** Forgets every string, keeping the table's size. */
  clear(): void {
    this.high.fill(0);
    this.low.fill(0);
    this.count = 0;
  }

  /** The digest, with 0:0 (the empty slot) moved to 0:1. */
  private slotDigest(text: string): Digest64 {
    const [high, low] = this.digest(text);
    return high === 0 && low === 0 ? [0, 1] : [high >>> 0, low >>> 0];
  }

  /** The slot holding this digest, or the empty slot where it would go. */
  private find(high: number, low: number): number {
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & this.mask;
    while (this.high[slot] !== 0 || this.low[slot] !== 0) {
      if (this.high[slot] === high && this.low[slot] === low) return slot;
      slot = (slot + 1) & this.mask;
    }
    return slot;
  }

  private grow(): void {
    const oldHigh = this.high;
    const oldLow = this.low;
    this.high = new Uint32Array(oldHigh.length * 2);
    this.low = new Uint32Array(oldLow.length * 2);
    this.mask = this.high.length - 1;
    for (let i = 0; i < oldHigh.length; i++) {
      const high = oldHigh[i]!;
      const low = oldLow[i]!;
      if (high === 0 && low === 0) continue;
      const slot = this.find(high, low);
      this.high[slot] = high;
      this.low[slot] = low;
    }
  }
}
