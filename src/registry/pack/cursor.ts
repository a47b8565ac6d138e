/**
 * Sequential reads of a pack file through a bounded window, and the zlib streams in it inflated
 * piece by piece: a pack is never read whole. The window, the inflater and its output buffer are
 * reused from entry to entry, so walking a pack allocates little beyond what it hands out. Every
 * byte the cursor moves past is reported, so the indexer can checksum the pack (SHA-1) and each
 * entry (CRC-32) as it goes.
 */
import type { RandomAccessFile } from '../storage.js';
import { corruptPack } from './errors.js';
import { Inflater } from './inflate.js';

const MAX_WINDOW_BYTES = 64 * 1024;
/** What an entry's header takes at most (type and size, a delta's base offset or id). */
const HEADER_WINDOW_BYTES = 40;

export class PackCursor {
  private buffer: Uint8Array = new Uint8Array(0);
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private windowBytes: number;
  private inflater: Inflater | undefined;
  private output: Uint8Array = new Uint8Array(0);
  private readonly oneEntry: boolean;

  /**
   * Reads `file` from `position` up to `limit` (exclusive: a pack's trailing checksum is not entry
   * data); `onConsumed` sees each byte moved past, once, in order. A cursor for `oneEntry` at a
   * time (`seek` to each) starts with a small window, sized to the entry once its header is read.
   */
  constructor(
    private readonly file: RandomAccessFile,
    public position: number,
    private readonly limit: number,
    private readonly onConsumed?: (bytes: Uint8Array) => void,
    options: { oneEntry?: boolean } = {},
  ) {
    this.oneEntry = options.oneEntry === true;
    this.windowBytes = this.oneEntry ? HEADER_WINDOW_BYTES : MAX_WINDOW_BYTES;
  }

  /** Moves to the entry at `position` (reading one entry: from a small window again). */
  seek(position: number): void {
    this.position = position;
    if (this.oneEntry) this.windowBytes = HEADER_WINDOW_BYTES;
  }

  /** Sizes the next windows for an entry whose data inflates to `bytes` (deflate adds a little). */
  private expect(bytes: number): void {
    if (this.oneEntry) this.windowBytes = Math.min(MAX_WINDOW_BYTES, Math.max(HEADER_WINDOW_BYTES, bytes + 64));
  }

  /** The bytes from the position to the end of the window (loading the next one); throws at the limit. */
  async available(): Promise<Uint8Array> {
    const at = this.position - this.windowStart;
    if (at >= 0 && at < this.window.length) return this.window.subarray(at);
    if (this.position >= this.limit) throw corruptPack(`it ends in the middle of the entry at ${this.position}`);
    const length = Math.min(this.windowBytes, this.limit - this.position);
    if (this.buffer.length < length) this.buffer = new Uint8Array(length);
    this.window = await this.file.read(this.position, length, this.buffer);
    this.windowStart = this.position;
    if (this.window.length === 0) throw corruptPack(`it is shorter than expected (at ${this.position})`);
    return this.window;
  }

  /** Moves past `count` bytes of what `available` returned last. */
  consume(count: number): void {
    const at = this.position - this.windowStart;
    this.onConsumed?.(this.window.subarray(at, at + count));
    this.position += count;
  }

  async byte(): Promise<number> {
    const value = (await this.available())[0]!;
    this.consume(1);
    return value;
  }

  async bytes(count: number): Promise<Uint8Array> {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const part = (await this.available()).subarray(0, count - filled);
      out.set(part, filled);
      filled += part.length;
      this.consume(part.length);
    }
    return out;
  }

  /**
   * Inflates the zlib stream at the position, handing the output to `onData` in pieces (valid only
   * during the call: the buffer is reused), and leaves the cursor just past the stream.
   * `expectedBytes` is the size the entry header states: any other size is a corrupt pack.
   */
  async inflate(expectedBytes: number, onData: (chunk: Uint8Array) => void): Promise<void> {
    const size = Math.min(MAX_WINDOW_BYTES, expectedBytes + 1);
    if (this.output.length < size) this.output = new Uint8Array(size);
    const output = this.output;
    await this.inflateInto(expectedBytes, output, (filled) => {
      onData(filled);
      return output;
    });
  }

  /** The whole inflated stream at the position (for objects that must be held: delta bases, trees). */
  async inflateWhole(expectedBytes: number): Promise<Uint8Array> {
    const out = new Uint8Array(expectedBytes);
    // Output past the stated size lands in a probe byte and fails the size check.
    await this.inflateInto(expectedBytes, out, () => new Uint8Array(1));
    return out;
  }

  /** Inflates into `first`, then into what `next` returns for each buffer filled (and the last part). */
  private async inflateInto(
    expectedBytes: number,
    first: Uint8Array,
    next: (filled: Uint8Array) => Uint8Array,
  ): Promise<void> {
    const start = this.position;
    this.expect(expectedBytes);
    this.inflater ??= new Inflater();
    const inflater = this.inflater;
    inflater.reset();
    inflater.setOutput(first);
    let output = first;
    let produced = 0;
    let input = await this.available();
    inflater.setInput(input);
    for (;;) {
      let step: ReturnType<Inflater['run']>;
      try {
        step = inflater.run();
      } catch (error) {
        throw corruptPack(`the entry at ${start} does not inflate (${(error as Error).message})`);
      }
      if (step === 'input') {
        this.consume(input.length);
        input = await this.available();
        inflater.setInput(input);
        continue;
      }
      const used = inflater.outputUsed;
      produced += used;
      if (produced > expectedBytes) {
        throw corruptPack(`the entry at ${start} inflates to more than the ${expectedBytes} bytes it states`);
      }
      if (step === 'end') {
        if (used > 0) next(output.subarray(0, used));
        this.consume(input.length - inflater.inputLeft);
        break;
      }
      output = next(output.subarray(0, used));
      inflater.setOutput(output);
    }
    if (produced !== expectedBytes) {
      throw corruptPack(`the entry at ${start} inflates to ${produced} bytes, not the ${expectedBytes} it states`);
    }
  }
}
