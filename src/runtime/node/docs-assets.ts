/**
 * Node adapter for the browsable API page (http/routes/docs.ts): serves the Swagger UI files
 * from the installed `swagger-ui-dist` package, read once and kept in memory, so `/docs` needs no
 * network. A Workers build would pass its own `DocsAssets` (the same files bundled as text).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type DocsAsset, type DocsAssets, docsAssetNames } from '../../http/routes/docs.js';

const contentTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

export function nodeDocsAssets(): DocsAssets {
  const distDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const loaded = new Map<string, Promise<DocsAsset>>();
  return (name) => {
    if (!(docsAssetNames as readonly string[]).includes(name)) return Promise.resolve(undefined);
    let asset = loaded.get(name);
    if (!asset) {
      asset = readFile(path.join(distDir, name)).then((bytes) => ({
        body: new Uint8Array(bytes),
        contentType: contentTypes[path.extname(name)] ?? 'application/octet-stream',
      }));
      // A failed read is not kept, so a later request tries again.
      asset.catch(() => loaded.delete(name));
      loaded.set(name, asset);
    }
    return asset;
  };
}
