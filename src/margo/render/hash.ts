/**
 * The content hash of a rendered deployment: SHA-256 (WebCrypto, so async) over the files in
 * path order, each as `<path>\0<byte length>\0<content>`, so that moving text between files or
 * renaming a file changes the hash. Written `sha256:<hex>`.
 */
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
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sha256:${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
