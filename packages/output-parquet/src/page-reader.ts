import type { FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type {
  ColumnChunk,
  ColumnMetaData,
  Compressors,
  DecodedArray,
  PageHeader,
  ParquetParsers,
  RowGroup,
  SchemaTree,
} from 'hyparquet';
import { ColumnAssembler, type LeafSlice } from './assemble.js';
import { type Convert, Dictionary, dictionaryValues, type PageValues, plainValues } from './page-values.js';

/*
 * hyparquet decodes a whole column chunk before it returns any row of it, and a nested column chunk of a large
 * row group (40 assets of 13 KB items, 65K rows in a pyarrow file) decodes to gigabytes. Its page decoder (and,
 * for column shapes assemble.ts leaves to it, its nested-column assembler) are the right tools but are not in
 * its `exports` map, so they are loaded here from the pinned version's files (package.json pins hyparquet
 * exactly; the reader tests cover every page kind our writer and the peers produce). What is held per leaf
 * column is the page being taken (levels and unconverted values, page-values.ts) and, while dictionary-encoded
 * pages remain, its dictionary; only the rows of the current batch are converted and assembled.
 */

interface DataReader {
  view: DataView;
  offset: number;
}

/** The decoder settings hyparquet's page reader takes for one leaf column. */
interface ColumnDecoder extends ColumnMetaData {
  pathInSchema: string[];
  element: SchemaTree['element'];
  schemaPath: SchemaTree[];
  parsers: ParquetParsers;
  compressors?: Compressors;
  utf8: boolean;
}

/** A data page's levels and values, as hyparquet decodes them. */
interface DataPage {
  definitionLevels: ArrayLike<number> & { slice(start: number, end: number): ArrayLike<number> };
  repetitionLevels: ArrayLike<number> & { slice(start: number, end: number): ArrayLike<number> };
  dataPage: DecodedArray;
}

interface HyparquetPages {
  parquetHeader(reader: DataReader): PageHeader;
  readPage(
    reader: DataReader,
    header: PageHeader,
    decoder: ColumnDecoder,
    dictionary: DecodedArray | undefined,
    previous: DecodedArray | undefined,
    pageStart: number,
  ): { skipped: number; data?: DecodedArray };
  convert(data: DecodedArray, decoder: ColumnDecoder): DecodedArray;
  decompressPage(
    bytes: Uint8Array,
    uncompressedSize: number,
    codec: ColumnDecoder['codec'],
    compressors: Compressors | undefined,
  ): Uint8Array;
  readDataPage(
    page: Uint8Array,
    header: NonNullable<PageHeader['data_page_header']>,
    decoder: ColumnDecoder,
  ): DataPage;
  readDataPageV2(bytes: Uint8Array, header: PageHeader, decoder: ColumnDecoder): DataPage;
  assembleLists(
    output: unknown[],
    definitionLevels: ArrayLike<number> | undefined,
    repetitionLevels: ArrayLike<number>,
    values: DecodedArray,
    schemaPath: SchemaTree[],
  ): DecodedArray;
  assembleNested(columns: Map<string, DecodedArray>, schema: SchemaTree, parsers: ParquetParsers): void;
  DEFAULT_PARSERS: ParquetParsers;
}

let internals: Promise<HyparquetPages> | undefined;

/** hyparquet's page-level functions, from the files beside its entry point. */
function hyparquetPages(): Promise<HyparquetPages> {
  internals ??= (async () => {
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('hyparquet'));
    const load = (file: string) => import(new URL(file, entry).href);
    const [column, assemble, convert, datapage] = await Promise.all([
      load('./column.js'),
      load('./assemble.js'),
      load('./convert.js'),
      load('./datapage.js'),
    ]);
    return {
      parquetHeader: column.parquetHeader,
      readPage: column.readPage,
      convert: convert.convert,
      decompressPage: datapage.decompressPage,
      readDataPage: datapage.readDataPage,
      readDataPageV2: datapage.readDataPageV2,
      assembleLists: assemble.assembleLists,
      assembleNested: assemble.assembleNested,
      DEFAULT_PARSERS: convert.DEFAULT_PARSERS,
    };
  })();
  return internals;
}

/** Smallest read from the file: page headers are small, and pages are read whole. */
const READ_WINDOW = 64 * 1024;

/** Levels in one byte each (two past 255); hyparquet decodes them into arrays of 8-byte slots. */
type Levels = Uint8Array | Uint16Array;

function compactLevels(levels: ArrayLike<number> | undefined): Levels | undefined {
  if (!levels || levels.length === 0) return undefined;
  let max = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i]! > max) max = levels[i]!;
  return max > 255 ? Uint16Array.from(levels) : Uint8Array.from(levels);
}

/**
 * A decoded data page kept flat (levels and unconverted values, as in the file) until its rows are taken:
 * only the rows of the current batch are ever converted and assembled.
 */
class FlatPage {
  /** Level (or value, without levels) where the next row starts. */
  private level = 0;
  private value = 0;
  /** Rows not taken yet. */
  rows: number;
  private readonly levels: number;
  /** Undefined when hyparquet dropped them (no nulls in the page) or the leaf has none. */
  private readonly def: Levels | undefined;
  private readonly rep: Levels | undefined;

  constructor(
    page: DataPage,
    private readonly values: PageValues,
    private readonly maxDefinition: number,
  ) {
    this.def = compactLevels(page.definitionLevels);
    this.rep = compactLevels(page.repetitionLevels);
    const { def, rep } = this;
    this.levels = def?.length ?? rep?.length ?? 0;
    if (rep && rep[0] !== 0) {
      throw new RangeError('a row continues from one data page into the next; such files are not supported');
    }
    this.rows = this.levels === 0 ? values.length : rep ? countZeros(rep) : this.levels;
  }

  /** The levels and converted values of the next `count` rows. */
  take(count: number): LeafSlice {
    this.rows -= count;
    const { def, rep } = this;
    let end = this.level;
    let values = count;
    if (this.levels > 0) {
      values = 0;
      for (let rows = 0; end < this.levels; end++) {
        if (!rep || rep[end] === 0) {
          if (rows === count) break;
          rows += 1;
        }
        // hyparquet drops the definition levels of a page without nulls: every level then has a value
        if (!def || def[end] === this.maxDefinition) values += 1;
      }
    } else {
      end += count;
    }
    const slice: LeafSlice = {
      def: def?.subarray(this.level, end),
      rep: rep?.subarray(this.level, end),
      values: this.values.slice(this.value, this.value + values),
      levels: end - this.level,
    };
    this.level = end;
    this.value += values;
    return slice;
  }
}

/** One slice of the slices of consecutive pages (a batch that spans a page boundary). */
function concatSlices(parts: LeafSlice[], maxDefinition: number): LeafSlice {
  if (parts.length === 1) return parts[0]!;
  const levels = parts.reduce((sum, part) => sum + part.levels, 0);
  const joinLevels = (pick: (part: LeafSlice) => ArrayLike<number> | undefined, fill: number) => {
    if (parts.every((part) => pick(part) === undefined)) return undefined;
    const out = new Uint16Array(levels);
    let at = 0;
    for (const part of parts) {
      const source = pick(part);
      if (source) out.set(source, at);
      else out.fill(fill, at, at + part.levels);
      at += part.levels;
    }
    return out;
  };
  const values: unknown[] = [];
  for (const part of parts) for (let i = 0; i < part.values.length; i++) values.push(part.values[i]);
  return {
    def: joinLevels((part) => part.def, maxDefinition),
    rep: joinLevels((part) => part.rep, 0),
    values: values as DecodedArray,
    levels,
  };
}

/** Dictionary-encoded data pages of a column chunk, from its `encoding_stats`; undefined without them. */
function dictionaryEncodedPages(meta: ColumnMetaData): number | undefined {
  if (!meta.encoding_stats?.length) return undefined;
  let pages = 0;
  for (const { page_type, encoding, count } of meta.encoding_stats) {
    if (page_type !== 'DICTIONARY_PAGE' && encoding.endsWith('_DICTIONARY')) pages += count;
  }
  return pages;
}

function countZeros(levels: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i] === 0) zeros += 1;
  return zeros;
}

/** Highest definition level of a leaf: one per optional or repeated element on its path. */
function maxDefinitionLevel(schemaPath: SchemaTree[]): number {
  let level = 0;
  for (const { element } of schemaPath.slice(1)) if (element.repetition_type !== 'REQUIRED') level += 1;
  return level;
}

/** Reads one leaf column chunk page by page and keeps only the pages whose rows are not all taken. */
class LeafCursor {
  private position: number;
  private readonly end: number;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private dictionary: Dictionary | undefined;
  /** Dictionary-encoded pages still to come, when the metadata counts them (see {@link LeafCursor.pageValues}). */
  private dictionaryPagesLeft: number | undefined;
  private readonly waiting: FlatPage[] = [];
  private rows = 0;
  private done = false;
  private readonly maxDefinition: number;
  private readonly convert: Convert;

  constructor(
    private readonly file: FileHandle,
    private readonly pages: HyparquetPages,
    private readonly decoder: ColumnDecoder,
    meta: ColumnMetaData,
  ) {
    this.position = Number(meta.dictionary_page_offset || meta.data_page_offset);
    this.dictionaryPagesLeft = dictionaryEncodedPages(meta);
    this.end = this.position + Number(meta.total_compressed_size);
    this.maxDefinition = maxDefinitionLevel(decoder.schemaPath);
    this.convert = (raw) => pages.convert(raw, decoder);
  }

  get schemaPath(): SchemaTree[] {
    return this.decoder.schemaPath;
  }

  /** Decodes pages until `count` rows are waiting (or the chunk ends). */
  async fill(count: number): Promise<void> {
    while (!this.done && this.rows < count) await this.readNextPage();
  }

  /** Hands over the levels and converted values of the next `count` rows. */
  take(count: number): LeafSlice {
    const parts: LeafSlice[] = [];
    let left = Math.min(count, this.rows);
    while (left > 0) {
      const page = this.waiting[0]!;
      const rows = Math.min(left, page.rows);
      parts.push(page.take(rows));
      if (page.rows === 0) this.waiting.shift();
      left -= rows;
      this.rows -= rows;
    }
    if (parts.length === 0) return { def: undefined, rep: undefined, values: [], levels: 0 };
    return concatSlices(parts, this.maxDefinition);
  }

  private async readNextPage(): Promise<void> {
    if (this.position >= this.end - 1) {
      this.done = true;
      return;
    }
    const header = await this.readHeader();
    const bytes = await this.bytes(header.compressed_page_size);
    if (header.type === 'DICTIONARY_PAGE') {
      // (no page of the chunk uses it if the metadata counts none)
      if (this.dictionaryPagesLeft !== 0) this.dictionary = this.readDictionary(header, bytes);
      return;
    }
    const { page, encoding } = this.decodePage(header, bytes);
    if (!page) return; // an index page, or another kind with no rows
    const flat = new FlatPage(page, this.pageValues(page.dataPage, encoding), this.maxDefinition);
    this.waiting.push(flat);
    this.rows += flat.rows;
  }

  private readDictionary(header: PageHeader, bytes: Uint8Array): Dictionary | undefined {
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    const { data } = this.pages.readPage(reader, header, this.decoder, undefined, undefined, 0);
    return data ? new Dictionary(data, header.uncompressed_page_size, this.convert) : undefined;
  }

  /**
   * A page's values, converted only when taken. Writers fall back from dictionary to plain encoding once the
   * dictionary is full (pyarrow and arrow-rs at 1 MB, after 7-10K unique hrefs) and never go back: when the
   * chunk's metadata counts its dictionary-encoded pages (`encoding_stats`), the dictionary is let go after
   * the last of them (its pages keep what they need of it).
   */
  private pageValues(data: DecodedArray, encoding: string): PageValues {
    if (!encoding.endsWith('_DICTIONARY')) return plainValues(data, this.convert);
    const { dictionary } = this;
    if (!dictionary) {
      throw new RangeError(
        this.dictionaryPagesLeft === 0
          ? 'the column chunk has more dictionary-encoded pages than its metadata counts'
          : 'a dictionary-encoded page comes without a dictionary page',
      );
    }
    if (this.dictionaryPagesLeft !== undefined && --this.dictionaryPagesLeft === 0)
      this.dictionary = undefined;
    return dictionaryValues(data, dictionary);
  }

  private decodePage(header: PageHeader, bytes: Uint8Array): { page?: DataPage; encoding: string } {
    const { pages, decoder } = this;
    if (header.type === 'DATA_PAGE' && header.data_page_header) {
      const page = pages.decompressPage(
        bytes,
        Number(header.uncompressed_page_size),
        decoder.codec,
        decoder.compressors,
      );
      return {
        page: pages.readDataPage(page, header.data_page_header, decoder),
        encoding: header.data_page_header.encoding,
      };
    }
    if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
      return {
        page: pages.readDataPageV2(bytes, header, decoder),
        encoding: header.data_page_header_v2.encoding,
      };
    }
    return { encoding: '' };
  }

  private async readHeader(): Promise<PageHeader> {
    for (let want = READ_WINDOW; ; want *= 2) {
      const view = await this.peek(want);
      const reader = { view: new DataView(view.buffer, view.byteOffset, view.byteLength), offset: 0 };
      try {
        const header = this.pages.parquetHeader(reader);
        this.position += reader.offset;
        return header;
      } catch (error) {
        // a header cut by the end of the window: read a larger one, unless the chunk has no more bytes
        if (!(error instanceof RangeError) || view.byteLength >= this.end - this.position) throw error;
      }
    }
  }

  /** The next `length` bytes (or fewer at the chunk's end), without consuming them. */
  private async peek(length: number): Promise<Uint8Array> {
    const wanted = Math.min(length, this.end - this.position);
    const offset = this.position - this.windowStart;
    if (offset >= 0 && offset + wanted <= this.window.byteLength) {
      return this.window.subarray(offset, offset + wanted);
    }
    const size = Math.min(Math.max(wanted, READ_WINDOW), this.end - this.position);
    const buffer = new Uint8Array(size);
    const { bytesRead } = await this.file.read(buffer, 0, size, this.position);
    if (bytesRead < size)
      throw new RangeError(`the file ends inside a column chunk at byte ${this.position}`);
    this.window = buffer;
    this.windowStart = this.position;
    return buffer.subarray(0, wanted);
  }

  private async bytes(length: number): Promise<Uint8Array> {
    const view = await this.peek(length);
    if (view.byteLength < length)
      throw new RangeError(`a page runs past its column chunk at byte ${this.position}`);
    this.position += length;
    return view;
  }
}

function leafPath(schema: SchemaTree, path: string[]): SchemaTree[] {
  const out = [schema];
  let node = schema;
  for (const name of path) {
    const next = node.children.find((child) => child.element.name === name);
    if (!next) throw new RangeError(`column ${path.join('.')} is not in the schema`);
    out.push(next);
    node = next;
  }
  return out;
}

/** Options of {@link RowGroupReader}. */
export interface RowGroupReaderOptions {
  compressors?: Compressors;
  parsers: Partial<ParquetParsers>;
}

/** Reads a row group a slice of rows at a time, decoding each column chunk page by page. */
export class RowGroupReader {
  /** Leaf cursors by dotted column path. */
  private readonly cursors = new Map<string, LeafCursor>();
  private columns: TopColumn[] | undefined;

  private constructor(
    private readonly schema: SchemaTree,
    private readonly pages: HyparquetPages,
    private readonly parsers: ParquetParsers,
  ) {}

  /** Prepares the cursors of every leaf column of `group`. */
  static async open(
    file: FileHandle,
    schema: SchemaTree,
    group: RowGroup,
    options: RowGroupReaderOptions,
  ): Promise<RowGroupReader> {
    const pages = await hyparquetPages();
    const parsers = { ...pages.DEFAULT_PARSERS, ...options.parsers };
    const reader = new RowGroupReader(schema, pages, parsers);
    for (const chunk of group.columns) reader.addLeaf(file, chunk, options.compressors);
    return reader;
  }

  private addLeaf(file: FileHandle, chunk: ColumnChunk, compressors: Compressors | undefined): void {
    const meta = chunk.meta_data;
    if (!meta) throw new RangeError('a column chunk has no metadata');
    if (chunk.file_path) throw new RangeError('column chunks in other files are not supported');
    const schemaPath = leafPath(this.schema, meta.path_in_schema);
    const decoder: ColumnDecoder = {
      ...meta,
      pathInSchema: meta.path_in_schema,
      element: schemaPath[schemaPath.length - 1]!.element,
      schemaPath,
      parsers: this.parsers,
      compressors,
      utf8: false,
    };
    this.cursors.set(meta.path_in_schema.join('.'), new LeafCursor(file, this.pages, decoder, meta));
  }

  /** The next `count` rows as objects keyed by top-level column, in schema order. */
  async read(count: number): Promise<Record<string, unknown>[]> {
    this.columns ??= this.schema.children.map((child) => this.column(child));
    const values: unknown[][] = [];
    for (const column of this.columns) values.push(await this.readColumn(column, count));
    const rows: Record<string, unknown>[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < values.length; c++) row[this.columns[c]!.name] = values[c]![i];
      rows[i] = row;
    }
    return rows;
  }

  private column(node: SchemaTree): TopColumn {
    const leaves = leafPaths(node).map((path) => {
      const cursor = this.cursors.get(path);
      if (!cursor) throw new RangeError(`the row group has no column chunk for ${path}`);
      return { path, cursor };
    });
    return { name: node.element.name, node, leaves, assembler: ColumnAssembler.for(node) };
  }

  private async readColumn(column: TopColumn, count: number): Promise<unknown[]> {
    for (const { cursor } of column.leaves) await cursor.fill(count);
    const slices = column.leaves.map(({ cursor }) => cursor.take(count));
    if (column.assembler) return column.assembler.assemble(slices, count);
    // a shape left to hyparquet's assembler (see assemble.ts)
    const parts = new Map<string, DecodedArray>();
    column.leaves.forEach(({ path, cursor }, i) => {
      const { def, rep, values } = slices[i]!;
      const assembled = this.pages.assembleLists([], def ?? [], rep ?? [], values, cursor.schemaPath);
      // without levels to apply, hyparquet hands the values back (maybe a typed array) instead of a new array
      parts.set(
        path,
        Array.isArray(assembled) ? assembled : (Array.from(assembled as ArrayLike<unknown>) as DecodedArray),
      );
    });
    if (column.node.children.length === 0) return parts.get(column.leaves[0]!.path) as unknown[];
    this.pages.assembleNested(parts, column.node, this.parsers);
    const assembled = parts.get(column.name);
    if (!assembled) throw new RangeError(`column ${column.name} could not be assembled`);
    return assembled as unknown[];
  }
}

/** A top-level column: its leaf cursors in schema order and, for the usual shapes, its assembler. */
interface TopColumn {
  name: string;
  node: SchemaTree;
  leaves: { path: string; cursor: LeafCursor }[];
  assembler: ColumnAssembler | undefined;
}

/** Dotted paths of the leaves under `node`, in schema (= column chunk) order. */
function leafPaths(node: SchemaTree): string[] {
  if (node.children.length === 0) return [node.path.join('.')];
  return node.children.flatMap(leafPaths);
}
