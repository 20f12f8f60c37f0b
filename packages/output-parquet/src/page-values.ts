import type { DecodedArray } from 'hyparquet';

/*
 * The values of a data page are held as hyparquet's decoders give them, before conversion, and converted only
 * for the rows being taken. Converting a page at a time (1 MB pages of 7-10K strings, for each of 200 leaf
 * columns of an HLS item) makes strings that outlive several young-generation collections, so V8 promotes them
 * and the old generation fills with the garbage of finished pages; the values of a batch, converted when the
 * batch is taken, die young instead. Conversion (strings, JSON, timestamps, …) is hyparquet's `convert`, value
 * by value, so converting a slice gives what converting the whole page would have given for those rows.
 */

/** Converts raw values as hyparquet does (the leaf column's `convert`). */
export type Convert = (raw: DecodedArray) => DecodedArray;

/** Unconverted values, held compact. */
interface RawStore {
  readonly length: number;
  /** Values `start` to `end`. */
  slice(start: number, end: number): DecodedArray;
  /** The values at `indices[start]` to `indices[end - 1]`. */
  gather(indices: Int32Array, start: number, end: number): DecodedArray;
}

/**
 * Byte-array values (PLAIN strings, JSON, WKB) as offsets into the decompressed page: hyparquet makes a
 * `Uint8Array` view per value (about 90 bytes of heap each, and the strings converted from them as much
 * again); here views are made only for the values being taken. The decompressed page is an `ArrayBuffer`
 * outside the V8 heap.
 */
class ByteStore implements RawStore {
  private constructor(
    private readonly buffer: ArrayBufferLike,
    private readonly offsets: Int32Array,
    private readonly lengths: Int32Array,
  ) {}

  /** Packs hyparquet's views when they all lie in one buffer; `undefined` otherwise (e.g. DELTA_BYTE_ARRAY). */
  static from(data: DecodedArray): ByteStore | undefined {
    if (!Array.isArray(data) || data.length === 0 || !(data[0] instanceof Uint8Array)) return undefined;
    const { buffer } = data[0] as Uint8Array;
    const offsets = new Int32Array(data.length);
    const lengths = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const view = data[i] as unknown;
      if (!(view instanceof Uint8Array) || view.buffer !== buffer) return undefined;
      offsets[i] = view.byteOffset;
      lengths[i] = view.byteLength;
    }
    return new ByteStore(buffer, offsets, lengths);
  }

  get length(): number {
    return this.offsets.length;
  }

  slice(start: number, end: number): DecodedArray {
    const views = new Array<Uint8Array>(end - start);
    for (let i = 0; i < views.length; i++) views[i] = this.view(start + i);
    return views;
  }

  gather(indices: Int32Array, start: number, end: number): DecodedArray {
    const views = new Array<Uint8Array>(end - start);
    for (let i = 0; i < views.length; i++) views[i] = this.view(indices[start + i]!);
    return views;
  }

  private view(index: number): Uint8Array {
    return new Uint8Array(this.buffer, this.offsets[index]!, this.lengths[index]!);
  }
}

/** Values kept as decoded: typed arrays for numbers (already compact), arrays otherwise. */
class ArrayStore implements RawStore {
  constructor(private readonly data: DecodedArray) {}

  get length(): number {
    return this.data.length;
  }

  slice(start: number, end: number): DecodedArray {
    return this.data.slice(start, end) as DecodedArray;
  }

  /** Gathered into the same kind of array, so that `convert` takes the same path as for the whole page. */
  gather(indices: Int32Array, start: number, end: number): DecodedArray {
    const { data } = this;
    const out = (
      Array.isArray(data)
        ? new Array(end - start)
        : new (data.constructor as new (length: number) => DecodedArray)(end - start)
    ) as unknown[];
    for (let i = 0; i < out.length; i++) out[i] = data[indices[start + i]!];
    return out as DecodedArray;
  }
}

function rawStore(data: DecodedArray): RawStore {
  return ByteStore.from(data) ?? new ArrayStore(data);
}

/** The values of one data page, converted a slice at a time. */
export interface PageValues {
  readonly length: number;
  /** Values `start` to `end`, converted. */
  slice(start: number, end: number): DecodedArray;
}

/** Values encoded in the page itself (PLAIN, DELTA_*, BYTE_STREAM_SPLIT, …). */
export function plainValues(data: DecodedArray, convert: Convert): PageValues {
  const raw = rawStore(data);
  return {
    length: raw.length,
    slice: (start, end) => convert(raw.slice(start, Math.min(end, raw.length))),
  };
}

/**
 * Dictionaries of at most this many bytes are converted once: their values repeat (media types, roles,
 * platform names), so converting them at every lookup would only repeat the work. Larger ones are the
 * dictionaries of unique values (hrefs, ids: 1 MB before writers fall back to plain pages), looked up about
 * once per value, and kept unconverted.
 */
const CONVERTED_DICTIONARY_BYTES = 64 * 1024;

/** A column chunk's dictionary, converted once or at each lookup depending on its size. */
export class Dictionary {
  private readonly raw: RawStore | undefined;
  private readonly converted: DecodedArray | undefined;

  constructor(
    data: DecodedArray,
    bytes: number,
    private readonly convert: Convert,
  ) {
    if (bytes <= CONVERTED_DICTIONARY_BYTES) this.converted = convert(data);
    else this.raw = rawStore(data);
  }

  /** The converted values of `indices[start]` to `indices[end - 1]`. */
  lookup(indices: Int32Array, start: number, end: number): DecodedArray {
    const { converted } = this;
    if (!converted) return this.convert(this.raw!.gather(indices, start, end));
    const out = new Array<unknown>(end - start);
    for (let i = 0; i < out.length; i++) out[i] = converted[indices[start + i]!];
    return out as DecodedArray;
  }
}

/** Dictionary-encoded values: indices, looked up in the dictionary when taken. */
export function dictionaryValues(data: DecodedArray, dictionary: Dictionary): PageValues {
  const indices = data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>);
  return {
    length: indices.length,
    slice: (start, end) => dictionary.lookup(indices, start, Math.min(end, indices.length)),
  };
}
