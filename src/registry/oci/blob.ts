/**
 * Content-addressed reads: a blob is read while its digest is computed, and refused when it is
 * longer than its descriptor says, shorter, or hashes to another digest (the registry served
 * other bytes than the manifest names).
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, toHex } from '../../bytes.js';
import { BridgeError } from '../../errors.js';
import type { Descriptor } from './manifest.js';
import { type OciSession, statusError } from './session.js';

export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${toHex((algorithm === 'sha512' ? sha512 : sha256)(bytes))}`;
}

/** The blob's bytes, verified; LIMIT_EXCEEDED before any byte is fetched when the descriptor is over `maxBytes`. */
export async function readVerifiedBlob(
  session: OciSession,
  descriptor: Descriptor,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  if (descriptor.size > maxBytes) {
    throw new BridgeError('LIMIT_EXCEEDED', `${what} has ${descriptor.size} bytes; the limit is ${maxBytes}`, {
      limit: maxBytes,
      size: descriptor.size,
    });
  }
  const response = await session.request('GET', `blobs/${descriptor.digest}`, '*/*');
  if (response.statusCode !== 200) throw await statusError(response, response.url);
  const [algorithm, expected] = descriptor.digest.split(':') as ['sha256' | 'sha512', string];
  const hash = (algorithm === 'sha512' ? sha512 : sha256).create();
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.length;
    if (total > descriptor.size) {
      throw new BridgeError(
        'REGISTRY_PROTOCOL',
        `${what} (${descriptor.digest}) is longer than its ${descriptor.size} bytes`,
      );
    }
    hash.update(chunk);
    parts.push(chunk);
  }
  if (total !== descriptor.size) {
    throw new BridgeError(
      'REGISTRY_PROTOCOL',
      `${what} (${descriptor.digest}) has ${total} bytes, not ${descriptor.size}`,
    );
  }
  const actual = toHex(hash.digest());
  if (actual !== expected) {
    throw new BridgeError(
      'REGISTRY_PROTOCOL',
      `${what}: the registry served content with digest ${algorithm}:${actual}, not ${descriptor.digest}`,
      { expected: descriptor.digest, actual: `${algorithm}:${actual}` },
    );
  }
  return concatBytes(parts);
}
