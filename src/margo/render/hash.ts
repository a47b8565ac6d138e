/**
 * The content hash of a rendered deployment: SHA-256 (WebCrypto, so async) over the files in
 * path order, each as `<path>\0<byte length>\0<content>`, so that moving text between files or
 * renaming a file changes the hash. Written `sha256:<hex>`.
 */
import { concatBytes, toHex } from '../../bytes.js';

export interface RenderedFile {
  path: string;
  content: string;
}

export async function contentHash(files: RenderedFile[]): Promise<string> {
  const encoder = new TextEncoder();
  const parts = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .flatMap((file) => {
      const content = encoder.encode(file.content);
      return [encoder.encode(`${file.path}\0${content.byteLength}\0`), content];
    });
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', concatBytes(parts)));
  return `sha256:${toHex(digest)}`;
}
