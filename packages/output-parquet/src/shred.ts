/**
 * Row shredding: turns items into Parquet leaf columns (values plus
 * definition and repetition levels) in one walk per item, converting values
 * on the way (INT64 as bigint, timestamps as microseconds, geometries as WKB,
 * bbox arrays as struct members) and collecting the row's side record.
 *
 * hyparquet-writer would do the level encoding itself, but it walks every row
 * once per leaf and needs converted copies of nested values; for items with
 * ~100 leaves one walk per row is several times cheaper. The leaves are then
 * handed to hyparquet-writer's column writer, one row group at a time.
 */
import { isForbiddenKey, ScmError } from '@scm/core';
import type { ParquetWriter, SchemaElement } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { type BoundsAccumulator, emptyBounds, inspectGeometry, toWkb } from './geometry.js';
import { ITEM_MEMBERS, RESERVED_COLUMNS } from './item-check.js';
import type { FilePlan, PlanColumn, PlanNode } from './plan.js';
import { readTimestamp, styleReproduces } from './timestamp.js';

/**
 * What the side column holds for one row (every member optional; the row's
 * cell is null when none is needed):
 *
 * - `x`: member paths whose null/absent state is the opposite of their column's policy;
 * - `t`: original text of timestamps the column's style does not reproduce (or that are not RFC 3339);
 * - `g`: the original geometry when WKB does not reproduce it (extra members such as `bbox`);
 * - `f`: foreign top-level members of the item;
 * - `p`: properties whose names are taken by item columns (`id`, `links`, …).
 */
export interface SideRecord {
  x?: (string | number)[][];
  t?: Record<string, string>;
  g?: unknown;
  f?: Record<string, unknown>;
  p?: Record<string, unknown>;
}

/** Per-file geometry statistics for the `geo` metadata. */
export interface GeometryStats {
  /** Geometry type names seen, e.g. `Polygon`, `Point Z`. */
  types: Set<string>;
  /** Bounds of all geometry coordinates. */
  bounds: BoundsAccumulator;
}

/** A new empty {@link GeometryStats}. */
export function emptyGeometryStats(): GeometryStats {
  return { types: new Set(), bounds: emptyBounds() };
}

/** One leaf column and the values and levels collected for the current row group. */
class Leaf {
  values: unknown[] = [];
  def = new Uint8Array(1024);
  rep = new Uint8Array(1024);
  count = 0;

  constructor(
    readonly element: SchemaElement,
    readonly schemaPath: SchemaElement[],
    readonly maxDef: number,
    readonly statistics: boolean,
  ) {}

  get columnName(): string {
    return this.schemaPath
      .slice(1)
      .map((e) => e.name)
      .join('.');
  }

  push(value: unknown, def: number, rep: number): void {
    const i = this.count;
    if (i === this.def.length) {
      const grownDef = new Uint8Array(i * 2);
      grownDef.set(this.def);
      this.def = grownDef;
      const grownRep = new Uint8Array(i * 2);
      grownRep.set(this.rep);
      this.rep = grownRep;
    }
    this.values.push(value);
    this.def[i] = def;
    this.rep[i] = rep;
    this.count = i + 1;
  }

  reset(): void {
    this.values = [];
    this.count = 0;
  }
}

/**
 * The shredder's view of a plan node: the plan's decisions plus where the
 * node's leaves are, as plain fields (the walk runs once per value).
 */
interface ShredNode {
  plan: PlanNode;
  kind: PlanNode['kind'];
  name: string;
  required: boolean;
  nullIsNull: boolean;
  mayFlip: boolean;
  /** First leaf of the subtree. */
  start: number;
  /** One past the last leaf. */
  end: number;
  /** The node's own leaf (primitives). */
  leaf: Leaf | undefined;
  /** Repetition level of a list's elements. */
  repLevel: number;
  element: ShredNode | undefined;
  fields: ShredNode[] | undefined;
}

/** Column kinds that get min/max statistics (useful for pruning; nested leaves are not worth their cost). */
const STATISTICS_KINDS: ReadonlySet<string> = new Set([
  'bool',
  'int',
  'double',
  'string',
  'timestamp',
  'bbox',
]);

/** Primitive kinds whose leaves may carry statistics (JSON and WKB bytes never do). */
const LEAF_STATISTICS: ReadonlySet<string> = new Set(['bool', 'int', 'double', 'string', 'timestamp']);

/** The schema element of a primitive plan node's leaf column. */
function primitiveElement(node: PlanNode): SchemaElement {
  const name = node.name;
  const repetition_type = node.required ? 'REQUIRED' : 'OPTIONAL';
  switch (node.kind) {
    case 'bool':
      return { name, type: 'BOOLEAN', repetition_type };
    case 'int':
      return { name, type: 'INT64', repetition_type };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type };
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'json':
      return { name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type };
    case 'wkb':
      return { name, type: 'BYTE_ARRAY', repetition_type };
    case 'timestamp':
      return {
        name,
        type: 'INT64',
        repetition_type,
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      };
    default:
      throw new ScmError('SCM_INTERNAL', `no primitive column for a ${node.kind} node`);
  }
}

/** The Parquet schema of a plan and its leaves. */
export class Layout {
  /** Flattened schema, root first. */
  readonly schema: SchemaElement[] = [];
  /** Leaf columns in schema order. */
  readonly leaves: Leaf[] = [];
  /** Shred nodes of the top-level columns, in plan order. */
  readonly columns: ShredNode[] = [];

  constructor(plan: FilePlan) {
    const root: SchemaElement = { name: 'root', num_children: plan.columns.length };
    this.schema.push(root);
    for (const column of plan.columns) {
      this.columns.push(this.visit(column.node, [root], 0, 0, STATISTICS_KINDS.has(column.node.kind)));
    }
  }

  private addLeaf(element: SchemaElement, path: SchemaElement[], def: number, stats: boolean): Leaf {
    this.schema.push(element);
    const leaf = new Leaf(element, [...path, element], def, stats);
    this.leaves.push(leaf);
    return leaf;
  }

  private visit(
    node: PlanNode,
    path: SchemaElement[],
    parentDef: number,
    rep: number,
    stats: boolean,
  ): ShredNode {
    const def = node.required ? parentDef : parentDef + 1;
    const out: ShredNode = {
      plan: node,
      kind: node.kind,
      name: node.name,
      required: node.required,
      nullIsNull: node.nullIsNull,
      mayFlip: node.mayFlip,
      start: this.leaves.length,
      end: 0,
      leaf: undefined,
      repLevel: 0,
      element: undefined,
      fields: undefined,
    };
    const repetition_type = node.required ? 'REQUIRED' : 'OPTIONAL';
    switch (node.kind) {
      case 'bbox':
        this.visitBbox(node, path, def, stats);
        break;
      case 'list': {
        const group: SchemaElement = {
          name: node.name,
          repetition_type,
          converted_type: 'LIST',
          num_children: 1,
        };
        const repeated: SchemaElement = { name: 'list', repetition_type: 'REPEATED', num_children: 1 };
        this.schema.push(group, repeated);
        out.repLevel = rep + 1;
        out.element = this.visit(node.element!, [...path, group, repeated], def + 1, rep + 1, stats);
        break;
      }
      case 'struct': {
        const group: SchemaElement = { name: node.name, repetition_type, num_children: node.fields!.length };
        this.schema.push(group);
        out.fields = node.fields!.map((field) => this.visit(field, [...path, group], def, rep, stats));
        break;
      }
      default:
        out.leaf = this.addLeaf(primitiveElement(node), path, def, stats && LEAF_STATISTICS.has(node.kind));
    }
    out.end = this.leaves.length;
    return out;
  }

  /** A bbox is a group of four (or six, with optional z) double leaves. */
  private visitBbox(node: PlanNode, path: SchemaElement[], def: number, stats: boolean): void {
    const names = node.has3d
      ? ['xmin', 'ymin', 'zmin', 'xmax', 'ymax', 'zmax']
      : ['xmin', 'ymin', 'xmax', 'ymax'];
    const repetition_type = node.required ? 'REQUIRED' : 'OPTIONAL';
    const group: SchemaElement = { name: node.name, repetition_type, num_children: names.length };
    this.schema.push(group);
    for (const name of names) {
      const optional = name.startsWith('z');
      this.addLeaf(
        { name, type: 'DOUBLE', repetition_type: optional ? 'OPTIONAL' : 'REQUIRED' },
        [...path, group],
        optional ? def + 1 : def,
        stats,
      );
    }
  }

  /** Empties the leaves for the next row group. */
  reset(): void {
    for (const leaf of this.leaves) leaf.reset();
  }
}

/** Writes one row's side cell: its own record, the helper's merged in, then the trailing members; null when empty. */
function pushSide(
  leaf: Leaf,
  own: SideRecord | undefined,
  theirs: SideRecord | undefined,
  tail: SideRecord | undefined,
): void {
  let side = own;
  if (theirs) {
    side ??= {};
    mergeSide(side, theirs);
  }
  if (tail) {
    side ??= {};
    if (tail.f) side.f = tail.f;
    if (tail.p) side.p = tail.p;
  }
  leaf.push(side ?? null, side ? 1 : 0, 0);
}

/**
 * The first share's part of the leaves: less than half, as its thread also reads every line and hands it to
 * the helper (30,000 HLS items of 13 KB, pass two: 0.5 kept the helper idle a fifth of the time; 0.4 balanced).
 */
const FIRST_SHARE = 0.4;

/**
 * Where to split a layout's leaves between two shredders: the leaf that starts a top-level column, or a member
 * of a top-level struct (one asset of `assets`), nearest to {@link FIRST_SHARE} of the leaves before the side column.
 * The first share keeps the geometry column (its statistics) and the side column. Undefined when no such leaf
 * leaves each share something. Never inside a list: a side record's member paths then keep one walk's order.
 * `end` is where the helper's share ends: the side column's leaf, or the end of the leaves.
 */
export function splitPoint(layout: Layout, plan: FilePlan): { at: number; end: number } | undefined {
  let sideStart = layout.leaves.length;
  let after = 0;
  const candidates: number[] = [];
  plan.columns.forEach((column, i) => {
    const node = layout.columns[i]!;
    if (column.source === 'side') sideStart = node.start;
    else {
      if (column.name === 'geometry' && column.source === 'item') after = node.end;
      candidates.push(node.start);
      if (node.kind === 'struct') for (const field of node.fields!) candidates.push(field.start);
    }
  });
  const middle = sideStart * FIRST_SHARE;
  let best: number | undefined;
  for (const k of candidates) {
    if (k <= 0 || k < after || k >= sideStart) continue;
    if (best === undefined || Math.abs(k - middle) < Math.abs(best - middle)) best = k;
  }
  return best === undefined ? undefined : { at: best, end: sideStart };
}

const bigints = new Map<number, bigint>();

/** `BigInt(value)`, reusing earlier results: STAC integers repeat a lot (EPSG codes, shapes, nodata). */
function toBigInt(value: number): bigint {
  let big = bigints.get(value);
  if (big === undefined) {
    big = BigInt(value);
    if (bigints.size < 65_536) bigints.set(value, big);
  }
  return big;
}

function mismatch(what: string, value: unknown): ScmError {
  return new ScmError(
    'SCM_INTERNAL',
    `value does not match the inferred schema at ${what} (${typeof value}); the input changed between passes?`,
  );
}

/**
 * The leaves one shredder fills, when a row group's columns are split between two threads (see
 * {@link splitPoint}): leaves `[from, to)` in schema order, and whether this shredder owns the side column.
 * The side records of the other share come back as {@link HelperSides} and are merged in before the side
 * column is written, so the rows are those one shredder of every leaf writes.
 */
export interface LeafShare {
  from: number;
  to: number;
  side: boolean;
}

/** Side records a shredder without the side column collected, as `[row, record]` for the rows that have one. */
export type HelperSides = [number, SideRecord][];

/**
 * Members of `more` added to `into`, as one walk over both shares' columns would have added them: in the
 * order `more` got them (the side cell is JSON text, so member order shows in the file).
 */
function mergeSide(into: SideRecord, more: SideRecord): void {
  for (const key of Object.keys(more) as (keyof SideRecord)[]) {
    if (key === 'x') into.x = into.x ? into.x.concat(more.x!) : more.x;
    else if (key === 't') into.t = into.t ? Object.assign(into.t, more.t) : more.t;
    else into[key] = more[key] as never;
  }
}

/** The foreign members (`f`) and reserved-name properties (`p`) of an item, added after every column. */
function trailingSide(
  item: Record<string, unknown>,
  properties: Record<string, unknown>,
): SideRecord | undefined {
  let tail: SideRecord | undefined;
  for (const key in item) {
    if (!ITEM_MEMBERS.has(key) && !isForbiddenKey(key)) {
      tail ??= {};
      tail.f ??= {};
      tail.f[key] = item[key];
    }
  }
  for (const key in properties) {
    if (RESERVED_COLUMNS.has(key) && !isForbiddenKey(key)) {
      tail ??= {};
      tail.p ??= {};
      tail.p[key] = properties[key];
    }
  }
  return tail;
}

/** Shreds items into a {@link Layout}'s leaves. */
export class RowShredder {
  private readonly stack: (string | number)[] = [];
  private side: SideRecord = {};
  private sideUsed = false;
  private readonly leaves: Leaf[];
  private readonly share: LeafShare;
  /** Whether this shredder fills only part of the leaves. */
  private readonly clipped: boolean;
  /** Rows shredded into the current row group. */
  private row = 0;
  /** Side column owner with a helper: each row's own side record and trailing members, until the helper's. */
  private deferred: (SideRecord | undefined)[] | undefined;
  /** Helper (no side column): the side records of the current row group's rows. */
  private helperSides: HelperSides = [];
  /** The side column's leaf, when the plan has one. */
  private readonly sideLeaf: Leaf | undefined;

  constructor(
    private readonly plan: FilePlan,
    private readonly layout: Layout,
    private stats: GeometryStats,
    share?: LeafShare,
  ) {
    this.leaves = layout.leaves;
    this.share = share ?? { from: 0, to: layout.leaves.length, side: true };
    this.clipped = share !== undefined;
    if (this.clipped && this.share.side) this.deferred = [];
    const side = plan.columns.findIndex((column) => column.source === 'side');
    this.sideLeaf = side < 0 ? undefined : layout.columns[side]!.leaf;
  }

  /** Switches the geometry statistics target (one per part file). */
  setStats(stats: GeometryStats): void {
    this.stats = stats;
  }

  /** Adds one item to the current row group. */
  shred(item: Record<string, unknown>): void {
    this.side = {};
    this.sideUsed = false;
    const properties = item.properties as Record<string, unknown>;
    const columns = this.plan.columns;
    let sideNode: ShredNode | undefined;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const node = this.layout.columns[i]!;
      if (column.source === 'side') {
        sideNode = node;
        continue;
      }
      if (this.clipped && !this.touches(node)) continue;
      const value = column.source === 'item' ? item[column.name] : properties[column.name];
      this.shredColumn(column, node, value);
    }
    this.endRow(item, properties, sideNode);
  }

  /** The row's side record: written (one share), kept for the merge (owner with a helper) or collected (helper). */
  private endRow(
    item: Record<string, unknown>,
    properties: Record<string, unknown>,
    sideNode: ShredNode | undefined,
  ): void {
    const own = this.sideUsed ? this.side : undefined;
    const row = this.row++;
    if (!this.share.side) {
      if (own) this.helperSides.push([row, own]);
      return;
    }
    if (!sideNode) return;
    const tail = trailingSide(item, properties);
    if (this.deferred) this.deferred.push(own, tail);
    else pushSide(sideNode.leaf!, own, undefined, tail);
  }

  /**
   * Helper: the side records of the row group shredded since the last call (the rows count from 0 again).
   */
  takeHelperSides(): HelperSides {
    const sides = this.helperSides;
    this.helperSides = [];
    this.row = 0;
    return sides;
  }

  /** Side column owner with a helper: writes the row group's side column with the helper's records merged in. */
  completeSides(helper: HelperSides): void {
    const deferred = this.deferred!;
    this.deferred = [];
    this.row = 0;
    const sideLeaf = this.sideLeaf;
    if (!sideLeaf) return;
    let next = 0;
    for (let row = 0; 2 * row < deferred.length; row++) {
      const theirs = next < helper.length && helper[next]![0] === row ? helper[next++]![1] : undefined;
      pushSide(sideLeaf, deferred[2 * row], theirs, deferred[2 * row + 1]);
    }
  }

  /** Whether the subtree of `node` has a leaf in this shredder's share. */
  private touches(node: ShredNode): boolean {
    return node.end > this.share.from && node.start < this.share.to;
  }

  /** Whether a flip at `node` itself is this shredder's to record: its first leaf is in the share. */
  private owns(node: ShredNode): boolean {
    return !this.clipped || (node.start >= this.share.from && node.start < this.share.to);
  }

  private flip(): void {
    if (!this.side.x) this.side.x = [];
    this.side.x.push(this.stack.slice());
    this.sideUsed = true;
  }

  private nulls(node: ShredNode, def: number, rep: number): void {
    const leaves = this.leaves;
    const end = Math.min(node.end, this.share.to);
    for (let i = Math.max(node.start, this.share.from); i < end; i++) leaves[i]!.push(null, def, rep);
  }

  private shredColumn(column: PlanColumn, node: ShredNode, value: unknown): void {
    this.stack.length = 0;
    this.stack.push(column.name);
    if (value === undefined || value === null) {
      if (node.required) throw mismatch(column.name, value);
      if (node.mayFlip && (value === null) !== node.nullIsNull && this.owns(node)) this.flip();
      this.nulls(node, 0, 0);
      return;
    }
    if (node.kind === 'timestamp') {
      if (typeof value !== 'string') throw mismatch(column.name, value);
      const parsed = readTimestamp(value);
      if (!parsed || !styleReproduces(parsed, node.plan.style!)) {
        if (!this.plan.side) throw mismatch(column.name, value);
        if (!this.side.t) this.side.t = {};
        this.side.t[column.name] = value;
        this.sideUsed = true;
      }
      if (parsed) node.leaf!.push(parsed.micros, 1, 0);
      else this.nulls(node, 0, 0);
      return;
    }
    if (node.kind === 'wkb' && column.name === 'geometry' && column.source === 'item') {
      const info = inspectGeometry(value, this.stats.bounds);
      if (typeof info === 'string') throw mismatch(column.name, value);
      this.stats.types.add(info.typeName);
      if (!info.exact) {
        this.side.g = value;
        this.sideUsed = true;
      }
      node.leaf!.push(toWkb(value), 1, 0);
      return;
    }
    this.shredValue(node, value, node.required ? 0 : 1, 0);
  }

  /** Shreds a non-null value whose own definition level (already counted) is `def`. */
  private shredValue(node: ShredNode, value: unknown, def: number, rep: number): void {
    switch (node.kind) {
      case 'bbox':
        this.shredBbox(node, value, def, rep);
        return;
      case 'list':
        this.shredList(node, value, def, rep);
        return;
      case 'struct':
        this.shredStruct(node, value, def, rep);
        return;
      default:
        node.leaf!.push(this.leafValue(node, value), def, rep);
    }
  }

  /** The value a primitive leaf stores for `value`, checked against the planned kind. */
  private leafValue(node: ShredNode, value: unknown): unknown {
    switch (node.kind) {
      case 'string':
        if (typeof value !== 'string') throw mismatch(this.stack.join('.'), value);
        return value;
      case 'double':
        if (typeof value !== 'number') throw mismatch(this.stack.join('.'), value);
        return value;
      case 'int':
        if (typeof value !== 'number') throw mismatch(this.stack.join('.'), value);
        return toBigInt(value);
      case 'bool':
        if (typeof value !== 'boolean') throw mismatch(this.stack.join('.'), value);
        return value;
      case 'wkb':
        return toWkb(value);
      case 'timestamp': {
        const parsed = typeof value === 'string' ? readTimestamp(value) : undefined;
        if (!parsed) throw mismatch(this.stack.join('.'), value);
        return parsed.micros;
      }
      default:
        return value; // json: serialised by the leaf
    }
  }

  /** A 2D bbox fills a 3D layout with null z values; a 6-number bbox keeps its order. */
  private shredBbox(node: ShredNode, value: unknown, def: number, rep: number): void {
    if (!Array.isArray(value)) throw mismatch('bbox', value);
    const b = value as number[];
    const has3d = node.plan.has3d;
    const ordered = b.length === 6 ? b : has3d ? [b[0], b[1], null, b[2], b[3], null] : b;
    for (let i = 0; i < ordered.length; i++) {
      const v = ordered[i];
      const z = has3d && (i === 2 || i === 5);
      this.leaves[node.start + i]!.push(v, z && v !== null ? def + 1 : def, rep);
    }
  }

  private shredList(node: ShredNode, value: unknown, def: number, rep: number): void {
    if (!Array.isArray(value)) throw mismatch(this.stack.join('.'), value);
    const element = node.element!;
    if (value.length === 0) {
      this.nulls(element, def, rep);
      return;
    }
    const repLevel = node.repLevel;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const r = i === 0 ? rep : repLevel;
      if (item === null || item === undefined) this.nulls(element, def + 1, r);
      else if (element.leaf && element.kind === 'string' && typeof item === 'string') {
        // the common case (roles, keywords) skips the recursion and the path bookkeeping
        element.leaf.push(item, def + 2, r);
      } else {
        this.stack.push(i);
        this.shredValue(element, item, def + 2, r);
        this.stack.pop();
      }
    }
  }

  private shredStruct(node: ShredNode, value: unknown, def: number, rep: number): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw mismatch(this.stack.join('.'), value);
    }
    const object = value as Record<string, unknown>;
    const fields = node.fields!;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (this.clipped && !this.touches(field)) continue;
      const member = object[field.name];
      this.stack.push(field.name);
      if (member === undefined || member === null) {
        if (field.mayFlip && (member === null) !== field.nullIsNull && this.owns(field)) this.flip();
        this.nulls(field, def, rep);
      } else {
        this.shredValue(field, member, field.required ? def : def + 1, rep);
      }
      this.stack.pop();
    }
  }
}

/** Options of {@link writeRowGroup}. */
export interface RowGroupOptions {
  /** Rows shredded into the layout. */
  rows: number;
  /** Target page size in bytes (default 1 MiB). */
  pageSize?: number;
}

/** The file's encoding settings a column chunk is written with (a helper thread gets them too). */
export interface EncodeSettings {
  codec: ParquetWriter['codec'];
  compressors: ParquetWriter['compressors'];
  statisticsTruncateLength: number | undefined;
  /** Target page size in bytes. */
  pageSize: number;
}

/** One encoded leaf: its column chunk and offset index, as hyparquet-writer's column writer returns them. */
export type EncodedLeaf = ReturnType<typeof writeColumn>;

/** The encoding settings of `writer`'s file. */
export function encodeSettingsOf(writer: ParquetWriter, pageSize = 1024 * 1024): EncodeSettings {
  const { codec, compressors, statisticsTruncateLength } = writer;
  return { codec, compressors, statisticsTruncateLength, pageSize };
}

/** Encodes leaves, in order, as column chunks appended to `out`. */
export function encodeLeaves(
  out: ParquetWriter['writer'],
  leaves: readonly Leaf[],
  settings: EncodeSettings,
): EncodedLeaf[] {
  return leaves.map((leaf) =>
    writeColumn({
      writer: out,
      column: {
        columnName: leaf.columnName,
        element: leaf.element,
        schemaPath: leaf.schemaPath,
        codec: settings.codec,
        compressors: settings.compressors,
        stats: leaf.statistics,
        statisticsTruncateLength: settings.statisticsTruncateLength,
        pageSize: settings.pageSize,
        columnIndex: false,
        offsetIndex: true,
      },
      pageData: {
        values: leaf.values as never,
        definitionLevels: (leaf.maxDef === 0 ? [] : leaf.def.subarray(0, leaf.count)) as number[],
        repetitionLevels: (leaf.schemaPath.length > 2 ? leaf.rep.subarray(0, leaf.count) : []) as number[],
        maxDefinitionLevel: leaf.maxDef,
      },
    }),
  );
}

/** Moves leaves encoded from offset 0 of a buffer of their own to `base`, where that buffer lands in the file. */
export function rebaseLeaves(encoded: readonly EncodedLeaf[], base: number): void {
  const by = BigInt(base);
  for (const { chunk, offsetIndex } of encoded) {
    chunk.file_offset += by;
    const meta = chunk.meta_data!;
    meta.data_page_offset += by;
    if (meta.dictionary_page_offset !== undefined) meta.dictionary_page_offset += by;
    for (const page of offsetIndex?.page_locations ?? []) page.offset += by;
  }
}

/** Adds a row group of encoded leaves (all of them, in schema order) to the file's metadata, then flushes. */
export async function closeRowGroup(
  writer: ParquetWriter,
  encoded: readonly EncodedLeaf[],
  groupStart: number,
  rows: number,
): Promise<void> {
  const out = writer.writer;
  const columns = encoded.map((one) => one.chunk);
  for (const one of encoded) writer.pendingIndexes.push(one as never);
  let totalByteSize = 0n;
  for (const { meta_data } of columns) totalByteSize += meta_data?.total_uncompressed_size ?? 0n;
  writer.num_rows += BigInt(rows);
  writer.row_groups.push({
    columns,
    total_byte_size: totalByteSize,
    num_rows: BigInt(rows),
    total_compressed_size: BigInt(out.offset - groupStart),
  } as never);
  await out.flush?.();
}

/**
 * Writes the layout's leaves as one row group of `writer`, the way
 * `ParquetWriter.write` does for a single group, then flushes the file writer.
 */
export async function writeRowGroup(
  writer: ParquetWriter,
  layout: Layout,
  options: RowGroupOptions,
): Promise<void> {
  const groupStart = writer.writer.offset;
  const encoded = encodeLeaves(writer.writer, layout.leaves, encodeSettingsOf(writer, options.pageSize));
  await closeRowGroup(writer, encoded, groupStart, options.rows);
}
