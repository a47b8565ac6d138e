/**
 * The one Git protocol v2 exchange isomorphic-git does not offer: a `fetch` of one commit at depth 1
 * (isomorphic-git's clone and fetch speak protocol v1 and download the whole ref advertisement),
 * optionally without blobs (`filter blob:none`, a partial clone), and a fetch of chosen blobs by id.
 * The response is streamed to the caller chunk by chunk, so the pack is never held whole here and
 * the pack size limit aborts the download cleanly.
 */
import { toHex } from '../bytes.js';
import { BridgeError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pktLine(text: string): string {
  return (encoder.encode(text).length + 4).toString(16).padStart(4, '0') + text;
}

function checkObjectId(oid: string): void {
  if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(oid))
    throw new BridgeError('REGISTRY_PROTOCOL', `invalid object id ${oid}`);
}

function fetchRequest(args: string[]): Uint8Array {
  const lines = [
    pktLine('command=fetch\n'),
    pktLine('agent=margo-bridge\n'),
    '0001',
    pktLine('ofs-delta\n'),
    pktLine('no-progress\n'),
    ...args.map((arg) => pktLine(`${arg}\n`)),
    pktLine('done\n'),
    '0000',
  ];
  return encoder.encode(lines.join(''));
}

/**
 * The request body of a v2 `fetch` for `commit` alone, shallow, without progress messages; with
 * `withoutBlobs` only its commit and trees (the server must advertise `fetch=… filter`).
 */
export function shallowFetchRequest(commit: string, options: { withoutBlobs?: boolean } = {}): Uint8Array {
  checkObjectId(commit);
  return fetchRequest([`want ${commit}`, 'deepen 1', ...(options.withoutBlobs ? ['filter blob:none'] : [])]);
}

/** The request body of a v2 `fetch` of the given objects (blobs of a partial clone) by id. */
export function objectsFetchRequest(oids: readonly string[]): Uint8Array {
  for (const oid of oids) checkObjectId(oid);
  return fetchRequest(oids.map((oid) => `want ${oid}`));
}

/** Whether a v2 capability advertisement's `fetch` line offers `filter` (partial clones). */
export function offersFilter(capabilities: Record<string, string | true>): boolean {
  const fetch = capabilities.fetch;
  return typeof fetch === 'string' && fetch.split(' ').includes('filter');
}

/** Reads exactly n bytes at a time from an async stream of chunks (views of them where it can). */
class ByteReader {
  private readonly chunks: Uint8Array[] = [];
  private available = 0;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.iterator = body[Symbol.asyncIterator]();
  }

  /** n bytes, or undefined at a clean end of stream. */
  async read(n: number): Promise<Uint8Array | undefined> {
    while (this.available < n) {
      if (!(await this.pull())) {
        if (this.available === 0) return undefined;
        throw midMessage();
      }
    }
    this.available -= n;
    const first = this.chunks[0];
    // Within one chunk: a view, not a copy.
    if (!first || first.length >= n) {
      if (!first || n === 0) return new Uint8Array(0);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const piece = this.take(n - filled);
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  /** Exactly n bytes: the end of the stream here is the middle of a message. */
  async exactly(n: number): Promise<Uint8Array> {
    const bytes = await this.read(n);
    if (bytes === undefined && n > 0) throw midMessage();
    return bytes ?? new Uint8Array(0);
  }

  /** n bytes, handed to `onPiece` as views of the chunks they arrived in (no copy, however they are split). */
  async pieces(n: number, onPiece: (piece: Uint8Array) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.chunks.length === 0 && !(await this.pull())) throw midMessage();
      const piece = this.take(left);
      left -= piece.length;
      this.available -= piece.length;
      if (piece.length > 0) await onPiece(piece);
    }
  }

  /** Up to n bytes from the first chunk (a view), removed from it. */
  private take(n: number): Uint8Array {
    const head = this.chunks[0]!;
    const count = Math.min(head.length, n);
    if (count === head.length) this.chunks.shift();
    else this.chunks[0] = head.subarray(count);
    return head.subarray(0, count);
  }

  private async pull(): Promise<boolean> {
    const next = await this.iterator.next();
    if (next.done) return false;
    this.chunks.push(next.value);
    this.available += next.value.length;
    return true;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/**
 * The pack from a v2 fetch response, handed to `onPack` chunk by chunk (awaited, so a slow writer
 * slows the download; a chunk is a view of the response's buffers, valid during the call).
 * Resolves with the pack's size and name. Throws LIMIT_EXCEEDED as soon as the pack grows past `maxPackBytes` (closing the stream, which aborts the download) and
 * REGISTRY_PROTOCOL for anything that is not a v2 fetch response, including the server's own errors.
 */
export async function readFetchResponse(
  body: AsyncIterable<Uint8Array>,
  maxPackBytes: number,
  onPack: (chunk: Uint8Array) => Promise<void>,
): Promise<{ bytes: number; name: string }> {
  const reader = new ByteReader(body);
  // The pack's trailing checksum names it: the last 20 bytes seen so far.
  let tail: Uint8Array = new Uint8Array(0);
  let packBytes = 0;
  let section = '';
  let sectionStart = true;
  try {
    for (;;) {
      const header = await reader.read(4);
      if (header === undefined) break;
      const length = Number.parseInt(decoder.decode(header), 16);
      if (Number.isNaN(length)) {
        throw new BridgeError(
          'REGISTRY_PROTOCOL',
          'the registry did not answer with Git protocol v2 (does it support it?)',
        );
      }
      if (length < 4) {
        // flush (0000), delimiter (0001) or response end (0002): a new section may follow.
        sectionStart = true;
        if (length === 0 && section === 'packfile') break;
        continue;
      }
      if (!sectionStart && section === 'packfile') {
        const band = (await reader.exactly(1))[0];
        if (band === 1) {
          // Pack data goes on in pieces as it arrived: a pkt-line split across chunks is not joined.
          await reader.pieces(length - 5, async (chunk) => {
            packBytes += chunk.length;
            if (packBytes > maxPackBytes) {
              throw new BridgeError(
                'LIMIT_EXCEEDED',
                `the release's pack is larger than the limit of ${maxPackBytes} bytes`,
                { limit: maxPackBytes },
              );
            }
            tail = lastBytes(tail, chunk, 20);
            await onPack(chunk);
          });
          continue;
        }
        const message = await reader.exactly(length - 5);
        if (band === 3) {
          throw new BridgeError(
            'REGISTRY_PROTOCOL',
            `the registry failed to send the pack: ${decoder.decode(message).trim()}`,
          );
        }
        continue;
      }
      const payload = await reader.exactly(length - 4);
      if (sectionStart) {
        sectionStart = false;
        section = decoder.decode(payload).trim();
        if (section.startsWith('ERR '))
          throw new BridgeError('REGISTRY_PROTOCOL', `the registry refused the fetch: ${section.slice(4)}`);
      }
    }
  } finally {
    await reader.close();
  }
  if (packBytes < 32) throw new BridgeError('REGISTRY_PROTOCOL', 'the registry answered the fetch without a pack');
  // The pack's name as git gives it: its trailing SHA-1 checksum in hex.
  return { bytes: packBytes, name: `pack-${toHex(tail)}` };
}

function midMessage(): BridgeError {
  return new BridgeError('REGISTRY_PROTOCOL', 'the registry closed the connection in the middle of a message');
}

function lastBytes(previous: Uint8Array, chunk: Uint8Array, count: number): Uint8Array {
  if (chunk.length >= count) return chunk.slice(chunk.length - count);
  const joined = new Uint8Array(Math.min(count, previous.length + chunk.length));
  const fromPrevious = joined.length - chunk.length;
  joined.set(previous.subarray(previous.length - fromPrevious), 0);
  joined.set(chunk, fromPrevious);
  return joined;
}
