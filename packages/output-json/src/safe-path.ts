import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ScmError } from '@scm/core';

/** Longest name {@link safePathSegment} returns by default, in characters (all ASCII). */
export const DEFAULT_MAX_SEGMENT_LENGTH = 120;

/** Hex digits of the SHA-256 digest kept in a hashed name (64 bits). */
const HASH_DIGITS = 16;
/** Marks a hashed name. Never produced by escaping: an escape is `~` plus two upper-case hex digits. */
const HASH_MARK = '~h';
const SHORTEST_MAX = HASH_MARK.length + HASH_DIGITS + 1;

/** Windows device names, reserved with or without an extension (`con`, `CON.json`, `com1.tar.gz`). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
/** A data-derived folder must never look like (or clash with) one of the metadata files the writers make. */
const METADATA_SUFFIX = /\.(json|ndjson)$/i;

/** Options of {@link safePathSegment}. */
export interface SafePathSegmentOptions {
  /**
   * Longest result in characters; longer names are cut and get a hash suffix.
   * At least 19. Default {@link DEFAULT_MAX_SEGMENT_LENGTH} (120).
   */
  maxLength?: number;
}

function isKeptCode(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f // _
  );
}

function escapeByte(byte: number): string {
  return `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Escapes one code point as its UTF-8 bytes. A lone surrogate is written as
 * the three bytes generalized UTF-8 (WTF-8) gives it, so two different lone
 * surrogates never share a name (plain UTF-8 would turn both into U+FFFD).
 */
function escapeCodePoint(cp: number): string {
  if (cp < 0x80) return escapeByte(cp);
  if (cp < 0x800) return escapeByte(0xc0 | (cp >> 6)) + escapeByte(0x80 | (cp & 0x3f));
  if (cp < 0x10000) {
    return (
      escapeByte(0xe0 | (cp >> 12)) + escapeByte(0x80 | ((cp >> 6) & 0x3f)) + escapeByte(0x80 | (cp & 0x3f))
    );
  }
  return (
    escapeByte(0xf0 | (cp >> 18)) +
    escapeByte(0x80 | ((cp >> 12) & 0x3f)) +
    escapeByte(0x80 | ((cp >> 6) & 0x3f)) +
    escapeByte(0x80 | (cp & 0x3f))
  );
}

/** Escapes every character outside `[A-Za-z0-9._-]`; the result decodes back to `id`. */
function escapeId(id: string): string {
  let out = '';
  for (const ch of id) {
    const cp = ch.codePointAt(0)!;
    out += cp < 0x80 && isKeptCode(cp) ? ch : escapeCodePoint(cp);
  }
  return out;
}

/** Applies the position rules (leading/trailing dot, device names, metadata suffix) to an escaped name. */
function applyNameRules(name: string): string {
  let out = name;
  // A leading dot would make `.`, `..` and hidden files; a trailing dot is dropped by Windows.
  if (out.startsWith('.')) out = `~2E${out.slice(1)}`;
  if (out.endsWith('.')) out = `${out.slice(0, -1)}~2E`;
  const dot = out.indexOf('.');
  if (WINDOWS_DEVICE.test(dot === -1 ? out : out.slice(0, dot)))
    out = escapeByte(out.charCodeAt(0)) + out.slice(1);
  const suffix = METADATA_SUFFIX.exec(out);
  if (suffix) out = `${out.slice(0, suffix.index)}~2E${out.slice(suffix.index + 1)}`;
  return out;
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_DIGITS);
}

/** Cuts an escaped name to at most `length` characters without splitting a `~XX` escape. */
function cutEscaped(name: string, length: number): string {
  let end = Math.min(length, name.length);
  const tilde = name.lastIndexOf('~', end - 1);
  if (tilde !== -1 && tilde > end - 3) end = tilde;
  return name.slice(0, end);
}

/**
 * `<prefix>~h<16 hex digits>`: used for names that are empty or too long, and
 * by the writers when a name is already taken (e.g. `ABC` and `abc` on a
 * case-insensitive file system). `hashInput` decides the digest.
 */
export function hashedSegment(
  escaped: string,
  hashInput: string,
  maxLength = DEFAULT_MAX_SEGMENT_LENGTH,
): string {
  const prefix = cutEscaped(escaped, maxLength - HASH_MARK.length - HASH_DIGITS);
  return `${prefix}${HASH_MARK}${digest(hashInput)}`;
}

/**
 * Turns an id into a file or folder name that is safe on Linux, macOS and
 * Windows and in a URL path, and that is different for every id.
 *
 * Rules, in order:
 * - `A-Z a-z 0-9 . _ -` are kept; every other character becomes `~XX` per
 *   UTF-8 byte (`a/b` → `a~2Fb`, `~` → `~7E`, `é` → `~C3~A9`). `~` is used
 *   rather than `%` because web servers and object stores decode `%2F` in a
 *   URL path, which would break the links of a published catalog; `~` never
 *   needs escaping in a URL, so an href is the file name as is.
 * - A leading or trailing `.` is escaped (`.` → `~2E`, `..` → `~2E~2E`,
 *   `a.` → `a~2E`), so no name is `.`, `..`, hidden, or changed by Windows.
 * - Windows device names get their first letter escaped (`con` → `~63on`,
 *   `NUL.json` → `~4EUL~2Ejson`).
 * - A name never ends in `.json` or `.ndjson` (`catalog.json` → `catalog~2Ejson`),
 *   so a folder cannot clash with a metadata file the writers make.
 * - An empty id, or a name longer than `maxLength`, becomes its first
 *   characters plus `~h` and 16 hex digits of the SHA-256 of the escaped id.
 *
 * Escaped names decode back to the id, and hashed names contain `~h`, which
 * no escape produces, so two different ids never get the same name.
 */
export function safePathSegment(id: string, options: SafePathSegmentOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_SEGMENT_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < SHORTEST_MAX) {
    throw new RangeError(`maxLength must be an integer of at least ${SHORTEST_MAX}, got ${maxLength}`);
  }
  const escaped = applyNameRules(escapeId(String(id)));
  if (escaped.length === 0 || escaped.length > maxLength) return hashedSegment(escaped, escaped, maxLength);
  return escaped;
}

/**
 * Resolves `target` (absolute, or relative to `root`) and checks that it is
 * `root` itself or inside it. Returns the resolved absolute path. Throws
 * `ScmError` `SCM_OUTPUT_PATH` otherwise. The check is lexical: symbolic
 * links already present in the folder are not followed.
 */
export function assertInside(root: string, target: string): string {
  const base = resolve(root);
  const full = resolve(base, target);
  const rel = relative(base, full);
  if (rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))) return full;
  throw new ScmError(
    'SCM_OUTPUT_PATH',
    `"${target}" resolves to "${full}", outside the output folder "${base}"`,
    {
      details: { root: base, path: full },
    },
  );
}

/** True when `target` resolves to `root` or a path inside it (see {@link assertInside}). */
export function isInside(root: string, target: string): boolean {
  const base = resolve(root);
  const rel = relative(base, resolve(base, target));
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
