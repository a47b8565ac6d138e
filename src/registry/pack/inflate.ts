/**
 * One zlib inflater reused for every stream of a pack (pako's low-level API): output goes into
 * buffers the caller owns and the stream's end is reported with the input left over, so a pack's
 * entries can be inflated one after the other without knowing their compressed sizes.
 */
import zlib from 'pako/lib/zlib/inflate.js';
import ZStream from 'pako/lib/zlib/zstream.js';

const Z_OK = 0;
const Z_STREAM_END = 1;
const Z_BUF_ERROR = -5;

export type InflateStep = 'end' | 'input' | 'output';

export class Inflater {
  private readonly stream = new ZStream();
  private fresh = true;

  constructor() {
    zlib.inflateInit(this.stream);
  }

  /** Starts a new stream. */
  reset(): void {
    if (this.fresh) return;
    zlib.inflateReset(this.stream);
    // pako 1 forgets the window size on reset while keeping the window (zlib sets it again when it
    // next fills the window); without this a reused stream cannot copy from earlier output.
    const state = this.stream.state!;
    state.wsize = 1 << state.wbits;
    this.fresh = true;
  }

  setInput(input: Uint8Array): void {
    this.stream.input = input;
    this.stream.next_in = 0;
    this.stream.avail_in = input.length;
  }

  setOutput(output: Uint8Array): void {
    this.stream.output = output;
    this.stream.next_out = 0;
    this.stream.avail_out = output.length;
  }

  /** Input bytes not used yet (after `end`: the bytes after the stream). */
  get inputLeft(): number {
    return this.stream.avail_in;
  }

  /** Bytes written into the current output buffer. */
  get outputUsed(): number {
    return this.stream.next_out;
  }

  /**
   * Inflates until the stream ends (`end`), the input is used up (`input`: set more) or the output
   * buffer is full (`output`: take it, set another). Throws the zlib message for corrupt data.
   */
  run(): InflateStep {
    this.fresh = false;
    const status = zlib.inflate(this.stream, 0);
    if (status === Z_STREAM_END) return 'end';
    if (status !== Z_OK && status !== Z_BUF_ERROR) throw new Error(this.stream.msg || `zlib status ${status}`);
    if (this.stream.avail_out === 0) return 'output';
    if (this.stream.avail_in === 0) return 'input';
    throw new Error(this.stream.msg || 'the inflater stopped without reason');
  }
}
