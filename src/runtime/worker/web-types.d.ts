/// <reference types="@cloudflare/workers-types/latest" />
/**
 * Corrections to @cloudflare/workers-types for the Workers typecheck (tsconfig.worker.json), where
 * they are narrower than what workerd does and what the DOM types say: encode() returns a fresh
 * Uint8Array over its own ArrayBuffer (WebCrypto takes it as it is).
 */
interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
