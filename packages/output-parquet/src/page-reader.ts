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
  assembleNested(columns: Map<string, DecodedArray>, schema: SchemaTree, parsers: ParquetParsers): void;
  DEFAULT_PARSERS: ParquetParsers;
}

let internals: Promise<HyparquetPages> | undefined;

/** hyparquet's page-level functions, from the files beside its entry point. */
function hyparquetPages(): Promise<HyparquetPages> {
  internals ??= (async () => {
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('hyparquet'));
    const load = (file: string) => import(new URL(file, entry).href);
    const [column, assemble, convert] = await Promise.all([
      load('./column.js'),
      load('./assemble.js'),
      load('./convert.js'),
    ]);
    return {
      parquetHeader: column.parquetHeader,
      readPage: column.readPage,
      convert: convert.convert,
      assembleNested: assemble.assembleNested,
      DEFAULT_PARSERS: convert.DEFAULT_PARSERS,
    };
  })();
  return internals;
}

/** Smallest read from the file: page headers are small, and pages are read whole. */
const READ_WINDOW = 64 * 1024;

/** Reads one leaf column chunk page by page and keeps only the rows decoded but not yet taken. */
class LeafCursor {
  private position: number;
  private readonly end: number;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private dictionary: DecodedArray | undefined;
  private rows: unknown[] = [];
  private done = false;

  constructor(
    private readonly file: FileHandle,
    private readonly pages: HyparquetPages,
    private readonly decoder: ColumnDecoder,
    meta: ColumnMetaData,
  ) {
    this.position = Number(meta.dictionary_page_offset || meta.data_page_offset);
    this.end = this.position + Number(meta.total_compressed_size);
  }

  /** Decodes pages until `count` complete rows are waiting (or the chunk ends). */
  async fill(count: number): Promise<void> {
    // the last row of a nested page may go on in the next page: it is complete once a later row starts
    while (!this.done && this.rows.length <= count) await this.readNextPage();
  }

  /** Hands over the first `count` rows. */
  take(count: number): unknown[] {
    if (count >= this.rows.length) {
      const all = this.rows;
      this.rows = [];
      return all;
    }
    return this.rows.splice(0, count);
  }

  private async readNextPage(): Promise<void> {
    if (this.position >= this.end - 1) {
      this.done = true;
      return;
    }
    const header = await this.readHeader();
    const bytes = await this.bytes(header.compressed_page_size);
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
    if (header.type === 'DICTIONARY_PAGE') {
      const { data } = this.pages.readPage(reader, header, this.decoder, undefined, undefined, 0);
      if (data) this.dictionary = this.pages.convert(data, this.decoder);
      return;
    }
    const previous = this.rows as DecodedArray;
    const { data } = this.pages.readPage(reader, header, this.decoder, this.dictionary, previous, 0);
    if (!data || data === previous) return; // appended to the waiting rows in place
    if (this.rows.length === 0)
      this.rows = Array.isArray(data) ? data : Array.from(data as ArrayLike<unknown>);
    else for (let i = 0; i < data.length; i++) this.rows.push(data[i]);
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
