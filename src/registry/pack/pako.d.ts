/**
 * The part of pako 1.x (isomorphic-git's inflater, installed with it) that the pack reader uses:
 * zlib's low-level stream API, which reports where a stream ends and inflates into buffers the
 * caller owns.
 */
declare module 'pako/lib/zlib/zstream.js' {
  export default class ZStream {
    input: Uint8Array | null;
    next_in: number;
    avail_in: number;
    output: Uint8Array | null;
    next_out: number;
    avail_out: number;
    msg: string;
    /** Internal; the reader only restores the window size after a reset (see inflate.ts). */
    state: { wsize: number; wbits: number } | null;
  }
}

declare module 'pako/lib/zlib/inflate.js' {
  import type ZStream from 'pako/lib/zlib/zstream.js';

  const zlib: {
    inflateInit(strm: ZStream): number;
    inflateReset(strm: ZStream): number;
    inflate(strm: ZStream, flush: number): number;
    inflateEnd(strm: ZStream): number;
  };
  export default zlib;
}
