/**
 * The members of a STAC Item (`@scm/core/stac-item`): what sits at the top
 * level of an Item, as opposed to its `properties` and foreign members.
 */

/** Top-level members of a STAC 1.x Item, in the order writers put them. */
export const ITEM_MEMBER_NAMES = [
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'collection',
  'geometry',
  'bbox',
  'properties',
  'links',
  'assets',
] as const;

/** One top-level Item member name. */
export type ItemMemberName = (typeof ITEM_MEMBER_NAMES)[number];

const MEMBERS: ReadonlySet<string> = new Set(ITEM_MEMBER_NAMES);

/** True when `name` is a STAC Item member; any other top-level key of an Item is a foreign member. */
export function isItemMember(name: string): name is ItemMemberName {
  return MEMBERS.has(name);
}

/** Properties that hold RFC 3339 date-times in every Item (core `datetime` fields and common metadata). */
export const ITEM_DATETIME_PROPERTIES = [
  'datetime',
  'start_datetime',
  'end_datetime',
  'created',
  'updated',
] as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/** Index after the whitespace (JSON's four characters) at `from`. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Index of the quote that closes the string opening at `open`, or -1. */
function stringClose(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return i;
  }
}

/** Index just after the JSON value starting at `start` (strings, objects and arrays skipped whole), or -1. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    const close = stringClose(text, start);
    return close < 0 ? -1 : close + 1;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringClose(text, i);
      if (i < 0) return -1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (c === COMMA || c <= 0x20)) return i;
  }
  return depth === 0 ? text.length : -1;
}

/** The string at `open` (a quote), unescaped only when it holds an escape. */
function stringAt(text: string, open: number, close: number): string {
  const raw = text.slice(open + 1, close);
  return raw.includes('\\') ? (JSON.parse(text.slice(open, close + 1)) as string) : raw;
}

/** Index of the value of member `key` in the object whose `{` is at `open`, or -1 (earlier members skipped whole). */
function memberValueAt(text: string, open: number, key: string): number {
  let i = skipSpace(text, open + 1);
  while (text.charCodeAt(i) === QUOTE) {
    const keyClose = stringClose(text, i);
    if (keyClose < 0) return -1;
    const name = stringAt(text, i, keyClose);
    i = skipSpace(text, keyClose + 1);
    if (text.charCodeAt(i) !== COLON) return -1;
    i = skipSpace(text, i + 1);
    if (name === key) return i;
    const end = valueEnd(text, i);
    if (end < 0) return -1;
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== COMMA) return -1;
    i = skipSpace(text, i + 1);
  }
  return -1;
}

/**
 * The string value of the top-level member `key` of a JSON object's text (an NDJSON line, an Item file),
 * found without parsing the rest: members before it are skipped by their brackets and quotes, and the scan
 * stops there, so finding an Item's `id` (one of its first members as writers put them) costs next to
 * nothing however many assets follow. `undefined` when the text is not an object, has no such member, its
 * value is not a string, or the text breaks before it. The first occurrence wins (`JSON.parse` keeps the
 * last); the text after the value is not checked.
 */
export function topLevelString(text: string, key: string): string | undefined {
  return memberString(text, [key]);
}

/**
 * {@link topLevelString} one or more objects down: `memberString(line, ['properties', 'datetime'])` is an
 * Item's `properties.datetime` read from its text, with every member before each step skipped whole (a
 * `datetime` of an asset is never mistaken for it). `undefined` in the same cases, and when a step is not
 * an object.
 */
export function memberString(text: string, path: readonly string[]): string | undefined {
  let i = skipSpace(text, 0);
  for (const key of path) {
    if (text.charCodeAt(i) !== 0x7b) return undefined;
    i = memberValueAt(text, i, key);
    if (i < 0) return undefined;
  }
  const close = text.charCodeAt(i) === QUOTE ? stringClose(text, i) : -1;
  return close < 0 ? undefined : stringAt(text, i, close);
}
