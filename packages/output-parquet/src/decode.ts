import { isForbiddenKey, isPlainObject, type StacItem, stripForbiddenKeys } from '@scm/core';
import type { SideRecord } from './shred.js';
import { fromWkb } from './geometry.js';
import type { FilePlan, PlanNode } from './plan.js';
import { formatTimestamp } from './timestamp.js';

const ABSENT = Symbol('absent');
type Decoded = unknown | typeof ABSENT;

const textDecoder = new TextDecoder();

/** Member order of a decoded item (key order is not significant, this is only tidy). */
const ITEM_ORDER = [
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'geometry',
  'bbox',
  'properties',
  'links',
  'assets',
  'collection',
];

/**
 * Turns rows (as hyparquet assembles them, with timestamps as bigint
 * microseconds and WKB as bytes) back into Items, applying the null policy,
 * timestamp styles and the side column.
 */
export class RowDecoder {
  private flips: Set<string> | undefined;
  private readonly stack: (string | number)[] = [];

  constructor(private readonly plan: FilePlan) {}

  /** Decodes one row. */
  decode(row: Record<string, unknown>): StacItem {
    let side: SideRecord | undefined;
    for (const column of this.plan.columns) {
      if (column.source === 'side') {
        const value = row[column.name];
        if (isPlainObject(value)) side = stripForbiddenKeys(value) as SideRecord;
      }
    }
    this.flips = side?.x && side.x.length > 0 ? new Set(side.x.map((p) => p.join('\u0000'))) : undefined;
    const members: Record<string, unknown> = {};
    const properties: Record<string, unknown> = {};
    for (const column of this.plan.columns) {
      if (column.source === 'side') continue;
      let value: Decoded;
      const override = side?.t?.[column.name];
      if (override !== undefined) value = override;
      else if (column.name === 'geometry' && column.source === 'item' && side?.g !== undefined)
        value = side.g;
      else {
        this.stack.length = 0;
        this.stack.push(column.name);
        value = this.decodeMember(column.node, row[column.name]);
      }
      if (value === ABSENT) continue;
      if (column.source === 'item') members[column.name] = value;
      else properties[column.name] = value;
    }
    if (side?.p) for (const [key, value] of Object.entries(side.p)) properties[key] = value;
    members.properties = properties;
    if (side?.f)
      for (const [key, value] of Object.entries(side.f)) if (!(key in members)) members[key] = value;
    const item: Record<string, unknown> = {};
    for (const key of ITEM_ORDER) if (key in members) item[key] = members[key];
    for (const key of Object.keys(members)) if (!(key in item)) item[key] = members[key];
    return item as StacItem;
  }

  private isFlipped(): boolean {
    return this.flips?.has(this.stack.join('\u0000')) ?? false;
  }

  private decodeMember(node: PlanNode, value: unknown): Decoded {
    if (value === null || value === undefined) {
      return node.nullIsNull !== this.isFlipped() ? null : ABSENT;
    }
    return this.decodeValue(node, value);
  }

  private decodeValue(node: PlanNode, value: unknown): unknown {
    switch (node.kind) {
      case 'int':
        return typeof value === 'bigint' ? Number(value) : value;
      case 'double':
        return typeof value === 'bigint' ? Number(value) : value;
      case 'string':
        return value instanceof Uint8Array ? textDecoder.decode(value) : value;
      case 'timestamp':
        return typeof value === 'bigint' ? formatTimestamp(value, node.style!) : value;
      case 'wkb':
        return value instanceof Uint8Array ? fromWkb(value) : value;
      case 'bbox': {
        const b = value as Record<string, number | null | undefined>;
        const hasZ = b.zmin !== null && b.zmin !== undefined;
        return hasZ ? [b.xmin, b.ymin, b.zmin, b.xmax, b.ymax, b.zmax] : [b.xmin, b.ymin, b.xmax, b.ymax];
      }
      case 'list': {
        const list = value as unknown[];
        const element = node.element!;
        const out = new Array<unknown>(list.length);
        for (let i = 0; i < list.length; i++) {
          const item = list[i];
          if (item === null || item === undefined) out[i] = null;
          else {
            this.stack.push(i);
            out[i] = this.decodeValue(element, item);
            this.stack.pop();
          }
        }
        return out;
      }
      case 'struct': {
        const object = value as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const field of node.fields!) {
          this.stack.push(field.name);
          const decoded = this.decodeMember(field, object[field.name]);
          this.stack.pop();
          if (decoded !== ABSENT && !isForbiddenKey(field.name)) out[field.name] = decoded;
        }
        return out;
      }
      default:
        return value;
    }
  }
}
