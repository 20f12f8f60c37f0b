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

/*
 * hyparquet decodes a whole column chunk before it returns any row of it, and a nested column chunk of a large
 * row group (40 assets of 13 KB items, 65K rows in a pyarrow file) decodes to gigabytes. Its page decoder and
 * its nested-column assembler are the right tools but are not in its `exports` map, so they are loaded here from
 * the pinned version's files (package.json pins hyparquet exactly; the reader tests cover every page kind
 * our writer and the peers produce).
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
  convertWithDictionary(
    data: DecodedArray,
    dictionary: DecodedArray | undefined,
    encoding: string,
    decoder: ColumnDecoder,
  ): DecodedArray;
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
      convertWithDictionary: convert.convertWithDictionary,
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

/**
 * A decoded data page kept flat (levels and values, as in the file) until its rows are taken: assembling lists
 * and structs is what multiplies the memory, so only the rows of the current batch are ever assembled.
 */
class FlatPage {
  /** Level (or value, without levels) where the next row starts. */
  private level = 0;
  private value = 0;
  /** Rows not taken yet. */
  rows: number;
  private readonly levels: number;

  constructor(
    private readonly page: DataPage,
    private readonly values: DecodedArray,
    private readonly maxDefinition: number,
  ) {
    page.definitionLevels ??= [];
    page.repetitionLevels ??= [];
    const { definitionLevels: def, repetitionLevels: rep } = page;
    this.levels = def.length || rep.length;
    if (rep.length > 0 && rep[0] !== 0) {
      throw new RangeError('a row continues from one data page into the next; such files are not supported');
    }
    this.rows = this.levels === 0 ? values.length : rep.length === 0 ? this.levels : countZeros(rep);
  }

  /** Appends the next `count` rows to `output`, assembled. */
  take(count: number, output: unknown[], pages: HyparquetPages, schemaPath: SchemaTree[]): void {
    this.rows -= count;
    const { definitionLevels: def, repetitionLevels: rep } = this.page;
    let end = this.level;
    let values = count;
    if (this.levels > 0) {
      values = 0;
      for (let rows = 0; end < this.levels; end++) {
        if (rep.length === 0 || rep[end] === 0) {
          if (rows === count) break;
          rows += 1;
        }
        // hyparquet drops the definition levels of a page without nulls: every level then has a value
        if (def.length === 0 || def[end] === this.maxDefinition) values += 1;
      }
    }
    const slice = this.values.slice(this.value, this.value + values) as DecodedArray;
    const defSlice = def.length > 0 ? def.slice(this.level, end) : def;
    const repSlice = rep.length > 0 ? rep.slice(this.level, end) : rep;
    const assembled = pages.assembleLists(output, defSlice, repSlice, slice, schemaPath);
    // without levels to apply, hyparquet hands the values back instead of appending them
    if (assembled !== output) for (let i = 0; i < assembled.length; i++) output.push(assembled[i]);
    this.level = end;
    this.value += values;
  }
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
  private dictionary: DecodedArray | undefined;
  private readonly waiting: FlatPage[] = [];
  private rows = 0;
  private done = false;
  private readonly maxDefinition: number;

  constructor(
    private readonly file: FileHandle,
    private readonly pages: HyparquetPages,
    private readonly decoder: ColumnDecoder,
    meta: ColumnMetaData,
  ) {
    this.position = Number(meta.dictionary_page_offset || meta.data_page_offset);
    this.end = this.position + Number(meta.total_compressed_size);
    this.maxDefinition = maxDefinitionLevel(decoder.schemaPath);
  }

  /** Decodes pages until `count` rows are waiting (or the chunk ends). */
  async fill(count: number): Promise<void> {
    while (!this.done && this.rows < count) await this.readNextPage();
  }

  /** Hands over the next `count` rows, assembled (lists as arrays). */
  take(count: number): unknown[] {
    const output: unknown[] = [];
    let left = Math.min(count, this.rows);
    while (left > 0) {
      const page = this.waiting[0]!;
      const rows = Math.min(left, page.rows);
      page.take(rows, output, this.pages, this.decoder.schemaPath);
      if (page.rows === 0) this.waiting.shift();
      left -= rows;
      this.rows -= rows;
    }
    return output;
  }

  private async readNextPage(): Promise<void> {
    if (this.position >= this.end - 1) {
      this.done = true;
      return;
    }
    const header = await this.readHeader();
    const bytes = await this.bytes(header.compressed_page_size);
    if (header.type === 'DICTIONARY_PAGE') {
      const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
      const { data } = this.pages.readPage(reader, header, this.decoder, undefined, undefined, 0);
      if (data) this.dictionary = this.pages.convert(data, this.decoder);
      return;
    }
    const { page, encoding } = this.decodePage(header, bytes);
    if (!page) return; // an index page, or another kind with no rows
    const values = this.pages.convertWithDictionary(page.dataPage, this.dictionary, encoding, this.decoder);
    const flat = new FlatPage(page, values, this.maxDefinition);
    this.waiting.push(flat);
    this.rows += flat.rows;
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
    const columns: [string, unknown[]][] = [];
    for (const child of this.schema.children) {
      columns.push([child.element.name, await this.readColumn(child, count)]);
    }
    const rows: Record<string, unknown>[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const row: Record<string, unknown> = {};
      for (const [name, values] of columns) row[name] = values[i];
      rows[i] = row;
    }
    return rows;
  }

  private async readColumn(child: SchemaTree, count: number): Promise<unknown[]> {
    const leaves = leafPaths(child).map((path) => {
      const cursor = this.cursors.get(path);
      if (!cursor) throw new RangeError(`the row group has no column chunk for ${path}`);
      return [path, cursor] as const;
    });
    for (const [, leaf] of leaves) await leaf.fill(count);
    if (child.children.length === 0) return leaves[0]![1].take(count);
    const parts = new Map<string, DecodedArray>();
    for (const [path, leaf] of leaves) parts.set(path, leaf.take(count) as DecodedArray);
    this.pages.assembleNested(parts, child, this.parsers);
    const assembled = parts.get(child.element.name);
    if (!assembled) throw new RangeError(`column ${child.element.name} could not be assembled`);
    return assembled as unknown[];
  }
}

/** Dotted paths of the leaves under `node`, in schema (= column chunk) order. */
function leafPaths(node: SchemaTree): string[] {
  if (node.children.length === 0) return [node.path.join('.')];
  return node.children.flatMap(leafPaths);
}
