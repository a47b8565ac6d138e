/**
 * A compose component published as an OCI artifact (SUP-01): one `…compose.tar+gzip` layer whose
 * archive holds one top-level directory with `compose.yaml`, no path leaving it and no links.
 * `composeArchiveProblems` reads the gzip stream with the platform's DecompressionStream and
 * walks the tar headers (ustar, with GNU long names refused rather than guessed).
 */
import { concatBytes } from '../../bytes.js';

const block = 512;

export async function composeArchiveProblems(gzipped: Uint8Array, maxBytes: number): Promise<string[]> {
  let tar: Uint8Array;
  try {
    tar = await gunzip(gzipped, maxBytes);
  } catch (error) {
    return [`the archive is not gzip data or unpacks to more than ${maxBytes} bytes (${(error as Error).message})`];
  }
  const problems: string[] = [];
  const tops = new Set<string>();
  const names: string[] = [];
  for (let offset = 0; offset + block <= tar.length; ) {
    const header = tar.subarray(offset, offset + block);
    if (header.every((byte) => byte === 0)) break;
    const name = [field(header, 345, 155), field(header, 0, 100)].filter(Boolean).join('/');
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0) return [...problems, `entry ${name} has no valid size`];
    offset += block + Math.ceil(size / block) * block;
    if (type === 'x' || type === 'g') continue;
    if (type === 'L' || type === 'K') {
      problems.push('the archive uses GNU long names or links; use plain ustar entries');
      continue;
    }
    const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
    if (name.startsWith('/') || segments.includes('..')) problems.push(`entry ${name} leaves the archive's directory`);
    if (type === '1' || type === '2') problems.push(`entry ${name} is a link`);
    if (segments[0] !== undefined) tops.add(segments[0]);
    names.push(segments.join('/'));
  }
  if (tops.size !== 1) problems.push(`the archive has ${tops.size} top-level entries; it needs one directory`);
  const [top] = [...tops];
  if (tops.size === 1 && !names.includes(`${top}/compose.yaml`)) problems.push(`${top}/compose.yaml is missing`);
  return problems;
}

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

async function gunzip(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw new Error('too large');
    parts.push(chunk);
  }
  return concatBytes(parts);
}
