import type { DecodedArray, SchemaTree } from 'hyparquet';

/*
 * Record assembly (Dremel) of one top-level column for a batch of rows, straight from the leaves' levels and
 * values into the row values. hyparquet's assembler gives the same values but wraps every value in one array
 * per optional ancestor (an optional struct is a list of zero or one) and then unwraps them: with 40 assets of
 * 4-5 fields each that is about 90 KB of short-lived arrays per HLS row, most of the reader's garbage. The
 * shapes handled here are what stac-geoparquet writers produce: leaves, structs and 3-level LISTs, each
 * REQUIRED or OPTIONAL, nested in any way. A column with any other shape (MAP, 2-level lists, repeated
 * fields outside a LIST, VARIANT) is left to hyparquet's assembler. The values are those hyparquet gives:
 * `null` for an absent optional value, struct members in schema order, `[]` for an empty list.
 */

/** Levels of a leaf for the rows of a batch; `def`/`rep` undefined when all are at their max / zero. */
export interface LeafSlice {
  /** Definition levels (one per entry), or undefined if every entry has a value. */
  def: ArrayLike<number> | undefined;
  /** Repetition levels, or undefined for a leaf without repeated ancestors (one entry per row). */
  rep: ArrayLike<number> | undefined;
  /** The converted values of the entries that have one, in order. */
  values: DecodedArray;
  /** Entries (levels) in the slice. */
  levels: number;
}

type AssemblyNode =
  | { kind: 'leaf'; leaf: number; optional: boolean; defLevel: number }
  | {
      kind: 'struct';
      optional: boolean;
      defLevel: number;
      first: number;
      leaves: number[];
      fields: { name: string; node: AssemblyNode }[];
    }
  | {
      kind: 'list';
      optional: boolean;
      defLevel: number;
      first: number;
      leaves: number[];
      /** Definition level of the repeated group: a list with entries reaches it. */
      repeatedDefLevel: number;
      /** Repetition level of the repeated group: an entry at this level starts a new element. */
      repLevel: number;
      element: AssemblyNode;
    };

interface Levels {
  def: number;
  rep: number;
}

/** Builds the assembly plan of `column` (leaves numbered in schema order), or undefined for another shape. */
function plan(column: SchemaTree): AssemblyNode | undefined {
  let leafCount = 0;
  const build = (node: SchemaTree, parent: Levels): AssemblyNode | undefined => {
    const { element } = node;
    // a repeated field is handled only as the repeated group of a LIST
    if (element.repetition_type === 'REPEATED') return undefined;
    const optional = element.repetition_type === 'OPTIONAL';
    const levels = { def: parent.def + (optional ? 1 : 0), rep: parent.rep };
    if (node.children.length === 0) {
      return { kind: 'leaf', leaf: leafCount++, optional, defLevel: levels.def };
    }
    const first = leafCount;
    const annotation = element.logical_type?.type;
    if (element.converted_type === 'LIST' && (annotation === undefined || annotation === 'LIST')) {
      const repeated = node.children[0];
      if (node.children.length !== 1 || !repeated || repeated.element.repetition_type !== 'REPEATED')
        return undefined;
      if (repeated.children.length !== 1 || repeated.element.converted_type || repeated.element.logical_type)
        return undefined;
      const inner = { def: levels.def + 1, rep: levels.rep + 1 };
      const element = build(repeated.children[0]!, inner);
      if (!element) return undefined;
      return {
        kind: 'list',
        optional,
        defLevel: levels.def,
        first,
        leaves: range(first, leafCount),
        repeatedDefLevel: inner.def,
        repLevel: inner.rep,
        element,
      };
    }
    if (element.converted_type || annotation) return undefined; // MAP, VARIANT, LIST without converted type, …
    const fields: { name: string; node: AssemblyNode }[] = [];
    for (const child of node.children) {
      const built = build(child, levels);
      if (!built) return undefined;
      fields.push({ name: child.element.name, node: built });
    }
    return { kind: 'struct', optional, defLevel: levels.def, first, leaves: range(first, leafCount), fields };
  };
  return build(column, { def: 0, rep: 0 });
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** Assembles the rows of one top-level column from its leaves' slices, without intermediate arrays. */
export class ColumnAssembler {
  private slices: LeafSlice[] = [];
  private readonly level: Int32Array;
  private readonly value: Int32Array;
  private readonly maxDef: Int32Array;

  private constructor(
    private readonly root: AssemblyNode,
    leafCount: number,
    maxDefinitionLevels: number[],
  ) {
    this.level = new Int32Array(leafCount);
    this.value = new Int32Array(leafCount);
    this.maxDef = Int32Array.from(maxDefinitionLevels);
  }

  /**
   * An assembler for `column`, whose leaves (in schema order) have the given maximum definition levels;
   * undefined if the column has a shape left to hyparquet.
   */
  static for(column: SchemaTree): ColumnAssembler | undefined {
    const root = plan(column);
    if (!root) return undefined;
    const maxDefs: number[] = [];
    const walk = (node: AssemblyNode): void => {
      if (node.kind === 'leaf') maxDefs[node.leaf] = node.defLevel;
      else if (node.kind === 'struct') for (const field of node.fields) walk(field.node);
      else walk(node.element);
    };
    walk(root);
    return new ColumnAssembler(root, maxDefs.length, maxDefs);
  }

  /** The values of `rows` rows, one per row. */
  assemble(slices: LeafSlice[], rows: number): unknown[] {
    this.slices = slices;
    this.level.fill(0);
    this.value.fill(0);
    const out = new Array<unknown>(rows);
    for (let row = 0; row < rows; row++) out[row] = this.read(this.root);
    for (let leaf = 0; leaf < slices.length; leaf++) {
      if (this.level[leaf] !== slices[leaf]!.levels) {
        throw new RangeError(
          `column leaf ${leaf} has ${slices[leaf]!.levels} levels, ${this.level[leaf]} were read`,
        );
      }
    }
    this.slices = [];
    return out;
  }

  private def(leaf: number): number {
    const { def } = this.slices[leaf]!;
    return def === undefined ? this.maxDef[leaf]! : def[this.level[leaf]!]!;
  }

  private rep(leaf: number): number {
    const { rep } = this.slices[leaf]!;
    return rep === undefined ? 0 : rep[this.level[leaf]!]!;
  }

  /** Consumes one entry of each leaf under a null or empty node (they have no value there). */
  private skip(leaves: number[]): void {
    for (const leaf of leaves) this.level[leaf]! += 1;
  }

  private read(node: AssemblyNode): unknown {
    if (node.kind === 'leaf') {
      const { leaf } = node;
      const present = this.def(leaf) === this.maxDef[leaf];
      this.level[leaf]! += 1;
      return present ? this.slices[leaf]!.values[this.value[leaf]!++] : null;
    }
    const def = this.def(node.first);
    if (node.optional && def < node.defLevel) {
      this.skip(node.leaves);
      return null;
    }
    if (node.kind === 'struct') {
      const out: Record<string, unknown> = {};
      for (const field of node.fields) out[field.name] = this.read(field.node);
      return out;
    }
    if (def < node.repeatedDefLevel) {
      this.skip(node.leaves);
      return [];
    }
    const out: unknown[] = [];
    const { first, repLevel } = node;
    const entries = this.slices[first]!.levels;
    do out.push(this.read(node.element));
    while (this.level[first]! < entries && this.rep(first) === repLevel);
    return out;
  }
}
