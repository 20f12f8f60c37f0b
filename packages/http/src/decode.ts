import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);
const inflateAsync = promisify(inflate);

/**
 * Decodes a `content-encoding` of gzip, br or deflate (anything else is
 * returned as is). Done with node:zlib rather than undici's decompress
 * interceptor, which prints an ExperimentalWarning on Node 20 in every run.
 * `maxBytes` bounds the decoded size, so a small compressed body cannot
 * expand past it.
 */
export async function decodeBody(
  raw: Buffer,
  encoding: string | string[] | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const name = (Array.isArray(encoding) ? encoding.at(-1) : encoding)?.trim().toLowerCase();
  const options = { maxOutputLength: maxBytes };
  if (name === 'gzip' || name === 'x-gzip') return gunzipAsync(raw, options);
  if (name === 'br') return brotliAsync(raw, options);
  if (name === 'deflate') return inflateAsync(raw, options);
  return raw;
}
