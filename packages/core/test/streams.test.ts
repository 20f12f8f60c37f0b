import { describe, expect, it, vi } from 'vitest';
import {
  batch,
  collect,
  createChannel,
  linesOfBlock,
  mapConcurrent,
  readLineBlocks,
  readLines,
} from '../src/index.js';

describe('batch', () => {
  it('groups values and keeps a short last batch', async () => {
    expect(await collect(batch([1, 2, 3, 4, 5], 2))).toEqual([[1, 2], [3, 4], [5]]);
  });
  it('rejects a non-positive size', async () => {
    await expect(collect(batch([1], 0))).rejects.toThrow(/positive integer/);
  });
});

describe('mapConcurrent', () => {
  it('keeps input order while running up to N at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await collect(
      mapConcurrent(
        [30, 5, 20, 1, 10],
        async (ms) => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, ms));
          running -= 1;
          return ms;
        },
        { concurrency: 2 },
      ),
    );
    expect(out).toEqual([30, 5, 20, 1, 10]);
    expect(peak).toBe(2);
  });

  it('pulls no more input than it has slots for (backpressure)', async () => {
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 100; i++) {
        pulled += 1;
        yield i;
      }
    }
    const iterator = mapConcurrent(source(), async (v) => v, { concurrency: 3 })[Symbol.asyncIterator]();
    await iterator.next();
    expect(pulled).toBeLessThanOrEqual(4);
    await iterator.return?.(undefined);
  });

  it('yields in completion order when ordered is false', async () => {
    const out = await collect(
      mapConcurrent(
        [30, 1],
        async (ms) => {
          await new Promise((r) => setTimeout(r, ms));
          return ms;
        },
        { concurrency: 2, ordered: false },
      ),
    );
    expect(out).toEqual([1, 30]);
  });

  it('ends with the error a mapper throws', async () => {
    const run = collect(
      mapConcurrent(
        [1, 2, 3],
        async (v) => {
          if (v === 2) throw new Error('boom');
          return v;
        },
        { concurrency: 2 },
      ),
    );
    await expect(run).rejects.toThrow('boom');
  });

  it('lets no mapper outlive the stream when it is aborted or a mapper fails', async () => {
    for (const end of ['abort', 'error'] as const) {
      const controller = new AbortController();
      const finished: number[] = [];
      const run = collect(
        mapConcurrent(
          [0, 1, 2, 3, 4, 5],
          async (v) => {
            if (v === 1 && end === 'abort') controller.abort(new Error('stop'));
            if (v === 1 && end === 'error') throw new Error('boom');
            await new Promise((r) => setTimeout(r, 30));
            finished.push(v);
            return v;
          },
          { concurrency: 3, ordered: false, signal: controller.signal },
        ),
      );
      await expect(run, end).rejects.toThrow(end === 'abort' ? 'aborted' : 'boom');
      const settledWhenRejected = [...finished];
      await new Promise((r) => setTimeout(r, 60));
      // Whatever had started (0, and 2 beside 1) ended before the stream did; nothing ran afterwards.
      expect(finished, end).toEqual(settledWhenRejected);
      expect(settledWhenRejected, end).toContain(0);
    }
  });
});

describe('createChannel', () => {
  it('makes the producer wait while full', async () => {
    const channel = createChannel<number>(2);
    await channel.push(1);
    await channel.push(2);
    let thirdDone = false;
    const third = channel.push(3).then(() => {
      thirdDone = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(thirdDone).toBe(false);
    const iterator = channel[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    await third;
    expect(thirdDone).toBe(true);
    channel.close();
    expect(await collect({ [Symbol.asyncIterator]: () => iterator })).toEqual([2, 3]);
  });

  it('passes a failure to the consumer', async () => {
    const channel = createChannel<number>(1);
    channel.fail(new Error('upstream broke'));
    await expect(collect(channel)).rejects.toThrow('upstream broke');
  });
});

describe('readLines', () => {
  async function* chunks(...parts: string[]) {
    for (const p of parts) yield Buffer.from(p, 'utf8');
  }
  it('splits across chunk borders with exact line numbers, CRLF and BOM', async () => {
    const lines = await collect(readLines(chunks('\uFEFFa\r\nb', 'c\n\nd')));
    expect(lines).toEqual([
      { text: 'a', line: 1 },
      { text: 'bc', line: 2 },
      { text: '', line: 3 },
      { text: 'd', line: 4 },
    ]);
  });
  it('does not split a multi-byte character cut by a chunk border', async () => {
    const bytes = Buffer.from('é\n', 'utf8');
    async function* split() {
      yield bytes.subarray(0, 1);
      yield bytes.subarray(1);
    }
    expect(await collect(readLines(split()))).toEqual([{ text: 'é', line: 1 }]);
  });
  it('refuses a line longer than the limit, naming its number', async () => {
    await expect(
      collect(readLines(chunks('ok\n', 'x'.repeat(50)), { maxLineBytes: 10, file: 'f.ndjson' })),
    ).rejects.toThrow(/line 2/);
  });
  it('reads a 50 MB line that arrives in 64 KiB chunks by joining its pieces once', async () => {
    const piece = Buffer.alloc(64 * 1024, 'x');
    const count = Math.ceil((50 * 1024 * 1024) / piece.length);
    async function* longLine() {
      yield Buffer.from('{"short":1}\n');
      for (let i = 0; i < count; i++) yield Buffer.from(piece);
      yield Buffer.from('\nlast');
    }
    // Re-joining the unfinished line on every chunk copies it again each time (quadratic in its length).
    const join = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      const lines: { length: number; line: number }[] = [];
      for await (const { text, line } of readLines(longLine())) lines.push({ length: text.length, line });
      expect(lines).toEqual([
        { length: 11, line: 1 },
        { length: count * piece.length, line: 2 },
        { length: 4, line: 3 },
      ]);
      // One buffer per block: the first line's, the long line's (joined once), the last line's.
      expect(join.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      join.mockRestore();
    }
  });
});

describe('readLineBlocks and linesOfBlock', () => {
  async function* chunks(...parts: string[]) {
    for (const p of parts) yield Buffer.from(p, 'utf8');
  }
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

  it('cuts the stream at the last newline of each chunk, numbering each block by its first line', async () => {
    const blocks = await collect(readLineBlocks(chunks('\uFEFFa\r\nb', 'c\n\nd', 'e\nf')));
    expect(blocks.map((b) => ({ bytes: text(b.bytes), firstLine: b.firstLine }))).toEqual([
      { bytes: '\uFEFFa\r\n', firstLine: 1 },
      { bytes: 'bc\n\n', firstLine: 2 },
      { bytes: 'de\n', firstLine: 4 },
      { bytes: 'f', firstLine: 5 },
    ]);
  });

  it('gives each line its text, number and byte range, as readLines does', async () => {
    const source = ['\uFEFF{"a":1}\r\n', '\n{"b":"\u00e9', '"}\n{"c":3}'];
    const fromBlocks = [];
    for await (const block of readLineBlocks(chunks(...source))) {
      for (const line of linesOfBlock(block)) {
        fromBlocks.push(line);
        // The range is the line's text in the block's bytes, its terminator left out.
        const raw = text(block.bytes.subarray(line.start, line.end));
        expect(raw.replace(/^\uFEFF/, '')).toBe(line.text);
      }
    }
    expect(fromBlocks.map(({ text, line }) => ({ text, line }))).toEqual(
      await collect(readLines(chunks(...source))),
    );
    expect(fromBlocks.map((l) => l.text)).toEqual(['{"a":1}', '', '{"b":"é"}', '{"c":3}']);
  });

  it('gives every block an ArrayBuffer of its own, so the source may reuse its read buffer', async () => {
    const reused = Buffer.alloc(8);
    async function* sameBuffer() {
      for (const part of ['ab\ncd', '\nef\ngh', '\n']) {
        reused.write(part);
        yield reused.subarray(0, part.length);
      }
    }
    const blocks = await collect(readLineBlocks(sameBuffer()));
    expect(blocks.map((b) => text(b.bytes))).toEqual(['ab\n', 'cd\nef\n', 'gh\n']);
    for (const { bytes } of blocks) expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
  });

  it('splits a block that is a plain Uint8Array (as a worker thread receives it)', () => {
    const bytes = new Uint8Array(Buffer.from('x\ny\n'));
    expect([...linesOfBlock({ bytes, firstLine: 7 })]).toEqual([
      { text: 'x', line: 7, start: 0, end: 1 },
      { text: 'y', line: 8, start: 2, end: 3 },
    ]);
  });

  it('refuses an unfinished line longer than the limit, naming its number', async () => {
    await expect(
      collect(readLineBlocks(chunks('ok\nfine\n', 'x'.repeat(50)), { maxLineBytes: 10 })),
    ).rejects.toThrow(/line 3 is longer than 10 bytes/);
  });
});
