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
