import { gzipSync } from 'node:zlib';
import { compress as zstdCompress, init as zstdInit } from '@bokuweb/zstd-wasm';

/** Compression codecs the writer offers. */
export type ParquetCodec = 'SNAPPY' | 'ZSTD' | 'GZIP' | 'UNCOMPRESSED';

/** A synchronous block compressor as hyparquet-writer expects it. */
export type BlockCompressor = (input: Uint8Array) => Uint8Array;

let zstdReady: Promise<void> | undefined;

/** Initialises the ZSTD wasm module once per process. */
export function initZstd(): Promise<void> {
  if (!zstdReady) {
    zstdReady = zstdInit().catch((error: unknown) => {
      zstdReady = undefined;
      throw error;
    });
  }
  return zstdReady;
}

/** Default compression level per codec. */
export const DEFAULT_LEVELS: Record<'ZSTD' | 'GZIP', number> = { ZSTD: 3, GZIP: 6 };

/** The compressors map for hyparquet-writer (SNAPPY is built in). */
export async function compressorsFor(
  codec: ParquetCodec,
  level?: number,
): Promise<Partial<Record<'ZSTD' | 'GZIP', BlockCompressor>>> {
  if (codec === 'ZSTD') {
    await initZstd();
    const zstdLevel = level ?? DEFAULT_LEVELS.ZSTD;
    return { ZSTD: (input) => zstdCompress(input, zstdLevel) };
  }
  if (codec === 'GZIP') {
    const gzipLevel = level ?? DEFAULT_LEVELS.GZIP;
    return { GZIP: (input) => new Uint8Array(gzipSync(input, { level: gzipLevel })) };
  }
  return {};
}
