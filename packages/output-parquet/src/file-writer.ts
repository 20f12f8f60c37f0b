import { type FileHandle, open } from 'node:fs/promises';
import { ByteWriter } from 'hyparquet-writer';

/**
 * hyparquet-writer's in-memory writer, drained to a file asynchronously after
 * each row group (the Parquet writer awaits `flush()` before encoding the next
 * group, so the buffer holds at most about one row group).
 */
export class AsyncFileWriter extends ByteWriter {
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {
    super(1024 * 1024);
  }

  /** Creates (or truncates) `path` and returns a writer for it. */
  static async create(path: string): Promise<AsyncFileWriter> {
    return new AsyncFileWriter(await open(path, 'w'));
  }

  /** Writes the buffered bytes to the file. */
  flush(): Promise<void> {
    if (this.index > 0) {
      const chunk = new Uint8Array(this.buffer.slice(0, this.index));
      this.index = 0;
      this.pending = this.pending.then(() => this.handle.write(chunk));
    }
    return this.pending.then(() => undefined);
  }

  override finish(): void {
    // The Parquet writer calls this synchronously; the bytes go out in close().
  }

  /** Flushes the rest, syncs and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file without flushing (after a failure). */
  async discard(): Promise<void> {
    this.index = 0;
    await this.pending.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }
}
