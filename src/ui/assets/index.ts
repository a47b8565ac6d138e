/**
 * The web pages' own files, bundled into the app as text (no CDN, no file system at run time, so
 * the same code serves them on Workers). URLs carry a content version, so they can be cached for good.
 */
import { script } from './enhance.js';
import { stylesheet } from './style.js';

export const ASSET_PATH = '/ui-assets';

export const assets: Record<string, { body: string; contentType: string }> = {
  'ui.css': { body: stylesheet, contentType: 'text/css; charset=utf-8' },
  'ui.js': { body: script, contentType: 'text/javascript; charset=utf-8' },
};

/** FNV-1a of both files: changes whenever either does. */
export const assetVersion = (() => {
  let hash = 0x811c9dc5;
  for (const char of stylesheet + script) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16);
})();
