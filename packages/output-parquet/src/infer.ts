import { isForbiddenKey, type StacAsset } from '@scm/core';
import { inspectGeometry } from './geometry.js';
import {
  CORE_TIMESTAMPS,
  ITEM_COLUMNS,
  ITEM_MEMBERS,
  RESERVED_COLUMNS,
  SOFT_TIMESTAMPS,
} from './item-check.js';
import {
  applyHint,
  DEFAULT_SHAPE_LIMITS,
  declareFromSample,
  jsonView,
  type PropertyTypeHint,
  ShapeNode,
  type ShapeLimits,
} from './shape.js';
import { TimestampStyleCounter } from './timestamp.js';

/** Inputs that shape the schema before any item arrives. */
export interface SchemaSeed {
  /** Asset definitions (a collection's `item_assets`). */
  itemAssets?: Record<string, Partial<StacAsset>>;
  /** Declared property types. */
  properties?: Record<string, PropertyTypeHint>;
  /** Store assets as JSON text. */
  assetsAsJson: boolean;
  /** Store links as JSON text. */
  linksAsJson: boolean;
  /** Fallback limits. */
  limits?: ShapeLimits;
}

/** Column source: an item member or a property. */
export type ColumnSource = 'item' | 'property';

/** One inferred column. */
export interface InferredColumn {
  /** Column name. */
  name: string;
  /** Where its values come from. */
  source: ColumnSource;
  /** Inferred shape. */
  node: ShapeNode;
}

/**
 * What a {@link SchemaBuilder} has learnt, as plain data that crosses threads (see
 * {@link SchemaBuilder.snapshot}).
 */
export interface SchemaSnapshot {
  items: number;
  foreignMembers: boolean;
  reservedProperties: boolean;
  inexactGeometry: boolean;
  limits: ShapeLimits;
  columns: Map<string, InferredColumn>;
}

/**
 * Pass one of the writer: watches every item and widens the schema. It keeps
 * only the schema tree and counters, never the items.
 */
export class SchemaBuilder {
  /** Items observed. */
  items = 0;
  /** Some item has top-level members outside the STAC Item ones. */
  foreignMembers = false;
  /** Some item has a property named like an item column. */
  reservedProperties = false;
  /** Some geometry is not reproduced exactly by WKB (extra members such as `bbox`). */
  inexactGeometry = false;
  private readonly columns = new Map<string, InferredColumn>();
  private readonly limits: ShapeLimits;

  constructor(seed: SchemaSeed) {
    this.limits = seed.limits ?? DEFAULT_SHAPE_LIMITS;
    for (const name of ITEM_COLUMNS) {
      const node = new ShapeNode();
      switch (name) {
        case 'id':
        case 'type':
        case 'stac_version':
        case 'collection':
          node.join('string');
          break;
        case 'stac_extensions':
          node.join('list');
          node.elementNode().join('string');
          break;
        case 'geometry':
          node.join('wkb');
          break;
        case 'bbox':
          node.join('bbox');
          break;
        case 'links':
          if (seed.linksAsJson) node.join('json');
          else {
            node.join('list');
            const link = node.elementNode();
            link.join('struct');
            link.field('href').join('string');
            link.field('rel').join('string');
          }
          break;
        case 'assets':
          if (seed.assetsAsJson) node.join('json');
          else {
            node.join('struct');
            node.unlimited = true;
          }
          break;
      }
      this.columns.set(name, { name, source: 'item', node });
    }
    this.property('datetime');
    if (!seed.assetsAsJson && seed.itemAssets) {
      const assets = this.columns.get('assets')!.node;
      for (const [key, definition] of Object.entries(seed.itemAssets)) {
        if (isForbiddenKey(key)) continue;
        const asset = assets.field(key);
        declareFromSample(asset, { href: '', ...definition }, this.limits);
      }
    }
    for (const [name, hint] of Object.entries(seed.properties ?? {})) {
      if (isForbiddenKey(name) || RESERVED_COLUMNS.has(name) || CORE_TIMESTAMPS.includes(name)) continue;
      applyHint(this.property(name).node, hint);
    }
  }

  /**
   * The builder's state for `postMessage`, which copies it at once: the columns are the builder's own, so
   * the snapshot is to be posted (or revived) before the builder observes anything more.
   */
  snapshot(): SchemaSnapshot {
    const { items, foreignMembers, reservedProperties, inexactGeometry, limits, columns } = this;
    return { items, foreignMembers, reservedProperties, inexactGeometry, limits, columns };
  }

  /** A builder that goes on from a {@link snapshot} taken in another thread. */
  static revive(snapshot: SchemaSnapshot): SchemaBuilder {
    const builder = new SchemaBuilder({ assetsAsJson: false, linksAsJson: false, limits: snapshot.limits });
    builder.columns.clear();
    for (const [name, column] of snapshot.columns) {
      builder.columns.set(name, { name, source: column.source, node: ShapeNode.revive(column.node) });
    }
    builder.items = snapshot.items;
    builder.foreignMembers = snapshot.foreignMembers;
    builder.reservedProperties = snapshot.reservedProperties;
    builder.inexactGeometry = snapshot.inexactGeometry;
    return builder;
  }

  private property(name: string): InferredColumn {
    let column = this.columns.get(name);
    if (!column) {
      const node = new ShapeNode();
      if (CORE_TIMESTAMPS.includes(name)) {
        node.timestampCandidate = true;
        node.join('timestamp');
        node.styles = new TimestampStyleCounter();
      } else if (SOFT_TIMESTAMPS.includes(name)) {
        node.timestampCandidate = true;
      } else if (name === 'proj:geometry') {
        node.wkbCandidate = true;
      }
      column = { name, source: 'property', node };
      this.columns.set(name, column);
    }
    return column;
  }

  /** Records one item that passed {@link checkItem}. */
  observe(item: Record<string, unknown>): void {
    this.items += 1;
    for (const name of ITEM_COLUMNS) {
      const node = this.columns.get(name)!.node;
      const value = item[name];
      if (value === undefined) continue;
      if (value === null) {
        node.nulls += 1;
        continue;
      }
      if (name === 'geometry') {
        node.present += 1;
        const info = inspectGeometry(value);
        if (typeof info !== 'string' && !info.exact) this.inexactGeometry = true;
      } else if (name === 'bbox') {
        node.present += 1;
        if ((value as unknown[]).length === 6) node.has3d = true;
      } else {
        node.observe(value, this.limits);
      }
    }
    for (const key in item) {
      if (!ITEM_MEMBERS.has(key) && !isForbiddenKey(key) && jsonView(item[key]) !== undefined) {
        this.foreignMembers = true;
      }
    }
    const properties = item.properties as Record<string, unknown>;
    for (const key in properties) {
      if (isForbiddenKey(key) || jsonView(properties[key]) === undefined) continue;
      if (RESERVED_COLUMNS.has(key)) {
        this.reservedProperties = true;
        continue;
      }
      this.property(key).node.observe(properties[key], this.limits);
    }
  }

  /** The inferred columns, item members first, then properties in first-seen order. */
  result(): InferredColumn[] {
    return [...this.columns.values()];
  }
}
