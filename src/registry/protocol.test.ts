import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../bytes.js';
import { isBridgeError } from '../errors.js';
import { objectsFetchRequest, offersFilter, readFetchResponse, shallowFetchRequest } from './protocol.js';

/** The pack as the caller receives it, chunk by chunk. */
async function readShallowFetchResponse(body: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const { bytes, name } = await readFetchResponse(body, max, async (chunk) => void parts.push(chunk.slice()));
  const pack = concatBytes(parts);
  expect(bytes).toBe(pack.length);
  expect(name).toBe(`pack-${toHex(pack.subarray(pack.length - 20))}`);
  return pack;
}

const encoder = new TextEncoder();
const pkt = (payload: Uint8Array | string) => {
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const out = new Uint8Array(bytes.length + 4);
  out.set(encoder.encode((bytes.length + 4).toString(16).padStart(4, '0')));
  out.set(bytes, 4);
  return out;
};
const band = (n: number, bytes: Uint8Array) => pkt(new Uint8Array([n, ...bytes]));

async function* stream(...parts: (Uint8Array | string)[]) {
  for (const part of parts) yield typeof part === 'string' ? encoder.encode(part) : part;
}

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    return isBridgeError(error) ? error.code : String(error);
  }
  return undefined;
}

describe('protocol v2 shallow fetch', () => {
  const pack = new Uint8Array(64).fill(7);

  it('asks for one commit at depth 1', () => {
    const text = new TextDecoder().decode(shallowFetchRequest('a'.repeat(40)));
    expect(text).toContain(`want ${'a'.repeat(40)}\n`);
    expect(text).toContain('deepen 1\n');
    expect(text.startsWith('0012command=fetch\n')).toBe(true);
    expect(() => shallowFetchRequest('HEAD\nwant x')).toThrow();
  });

  it('asks for a commit without blobs, and for blobs by id, when the server offers filter', () => {
    const partial = new TextDecoder().decode(shallowFetchRequest('a'.repeat(40), { withoutBlobs: true }));
    expect(partial).toContain('filter blob:none\n');
    const blobs = new TextDecoder().decode(objectsFetchRequest(['b'.repeat(40), 'c'.repeat(40)]));
    expect(blobs).toContain(`want ${'b'.repeat(40)}\n`);
    expect(blobs).toContain(`want ${'c'.repeat(40)}\n`);
    expect(blobs).not.toContain('deepen');
    expect(() => objectsFetchRequest(['x'])).toThrow();
    expect(offersFilter({ fetch: 'shallow wait-for-done filter' })).toBe(true);
    expect(offersFilter({ fetch: 'shallow' })).toBe(false);
    expect(offersFilter({ fetch: true })).toBe(false);
  });

  it('reassembles the pack from side band 1, split anywhere', async () => {
    const body = [pkt('shallow-info\n'), pkt(`shallow ${'b'.repeat(40)}\n`), encoder.encode('0001'), pkt('packfile\n')];
    const whole = new Uint8Array([
      ...body.flatMap((part) => [...part]),
      ...band(2, encoder.encode('progress')),
      ...band(1, pack.subarray(0, 30)),
      ...band(1, pack.subarray(30)),
      ...encoder.encode('0000'),
    ]);
    const chunks = [whole.subarray(0, 3), whole.subarray(3, 50), whole.subarray(50)];
    expect(await readShallowFetchResponse(stream(...chunks), 1000)).toEqual(pack);
    // Pack data is handed on as views of the chunks it arrived in, however small they are.
    const received: number[] = [];
    const bytewise = stream(...Array.from(whole, (byte) => new Uint8Array([byte])));
    await readFetchResponse(bytewise, 1000, async (chunk) => void received.push(chunk.length));
    expect(received).toEqual(new Array(64).fill(1));
  });

  it('stops at the pack limit, reports server errors and non-v2 answers', async () => {
    const packfile = [pkt('packfile\n'), band(1, pack), '0000'];
    expect(await codeOf(readShallowFetchResponse(stream(...packfile), 63))).toBe('LIMIT_EXCEEDED');
    expect(await codeOf(readShallowFetchResponse(stream(pkt('ERR upload-pack: not our ref\n')), 1000))).toBe(
      'REGISTRY_PROTOCOL',
    );
    expect(
      await codeOf(readShallowFetchResponse(stream(pkt('packfile\n'), band(3, encoder.encode('boom'))), 1000)),
    ).toBe('REGISTRY_PROTOCOL');
    expect(await codeOf(readShallowFetchResponse(stream('<html>'), 1000))).toBe('REGISTRY_PROTOCOL');
    expect(await codeOf(readShallowFetchResponse(stream(pkt('packfile\n'), band(1, pack).subarray(0, 20)), 1000))).toBe(
      'REGISTRY_PROTOCOL',
    );
  });
});
