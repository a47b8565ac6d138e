/**
 * The one Git protocol v2 exchange isomorphic-git does not offer: a `fetch` of one commit at depth 1
 * (isomorphic-git's clone and fetch speak protocol v1 and download the whole ref advertisement).
 * The response is read as a stream so that the pack size limit aborts the download cleanly.
 */
import { concatBytes, toHex } from '../bytes.js';
import { BridgeError } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pktLine(text: string): string {
  return (encoder.encode(text).length + 4).toString(16).padStart(4, '0') + text;
}

/** The request body of a v2 `fetch` for `commit` alone, shallow, without progress messages. */
export function shallowFetchRequest(commit: string): Uint8Array {
  if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(commit))
    throw new BridgeError('REGISTRY_PROTOCOL', `invalid object id ${commit}`);
  const lines = [
    pktLine('command=fetch\n'),
    pktLine('agent=margo-bridge\n'),
    '0001',
    pktLine('ofs-delta\n'),
    pktLine('no-progress\n'),
    pktLine(`want ${commit}\n`),
    pktLine('deepen 1\n'),
    pktLine('done\n'),
    '0000',
  ];
  return encoder.encode(lines.join(''));
}

/** Reads exactly n bytes at a time from an async stream of chunks. */
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
      const next = await this.iterator.next();
      if (next.done) {
        if (this.available === 0) return undefined;
        throw new BridgeError('REGISTRY_PROTOCOL', 'the registry closed the connection in the middle of a message');
      }
      this.chunks.push(next.value);
      this.available += next.value.length;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.available -= n;
    return out;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/**
 * The pack from a v2 fetch response. Throws LIMIT_EXCEEDED as soon as the pack grows past
 * `maxPackBytes` (closing the stream, which aborts the download) and REGISTRY_PROTOCOL for anything
 * that is not a v2 fetch response, including the server's own error messages.
 */
export async function readShallowFetchResponse(
  body: AsyncIterable<Uint8Array>,
  maxPackBytes: number,
): Promise<Uint8Array> {
  const reader = new ByteReader(body);
  const packParts: Uint8Array[] = [];
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
      const payload = (await reader.read(length - 4))!;
      if (sectionStart) {
        sectionStart = false;
        section = decoder.decode(payload).trim();
        if (section.startsWith('ERR '))
          throw new BridgeError('REGISTRY_PROTOCOL', `the registry refused the fetch: ${section.slice(4)}`);
        continue;
      }
      if (section !== 'packfile') continue;
      const band = payload[0];
      if (band === 1) {
        packBytes += payload.length - 1;
        if (packBytes > maxPackBytes) {
          throw new BridgeError(
            'LIMIT_EXCEEDED',
            `the release's pack is larger than the limit of ${maxPackBytes} bytes`,
            {
              limit: maxPackBytes,
            },
          );
        }
        packParts.push(payload.subarray(1));
      } else if (band === 3) {
        throw new BridgeError(
          'REGISTRY_PROTOCOL',
          `the registry failed to send the pack: ${decoder.decode(payload.subarray(1)).trim()}`,
        );
      }
    }
  } finally {
    await reader.close();
  }
  if (packBytes < 32) throw new BridgeError('REGISTRY_PROTOCOL', 'the registry answered the fetch without a pack');
  return concatBytes(packParts);
}

/** The pack's name as git gives it: its trailing SHA-1 checksum in hex. */
export function packName(pack: Uint8Array): string {
  return toHex(pack.subarray(pack.length - 20));
}
