/**
 * One SOPS value: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM with a 32-byte IV
 * (SOPS's nonce size) and the value's tree path as additional data. Plaintexts are the bytes
 * SOPS's `ToBytes` gives (Go formatting), so Go SOPS (Flux's kustomize-controller) reads them
 * back to the same typed value and computes the same MAC. WebCrypto only: runs on Node and Workers.
 */
import { sopsError } from './errors.js';

export type SopsType = 'str' | 'int' | 'float' | 'bool';
export type SopsScalar = string | number | boolean;

const IV_BYTES = 32;
const TAG_BYTES = 16;
const encoder = new TextEncoder();

/** SOPS's `ToBytes`: the text a leaf is hashed and encrypted as. */
export function sopsText(value: SopsScalar, type: SopsType): string {
  if (type === 'bool') return value === true ? 'True' : 'False';
  if (type === 'float') return goFloat(value as number);
  return String(value);
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent. */
function goFloat(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa = '', exponentText = '0'] = text.toLowerCase().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = mantissa.replace('-', '').split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}

export async function importDataKey(dataKey: Uint8Array): Promise<CryptoKey> {
  if (dataKey.length !== 32) throw sopsError('the SOPS data key must be 32 bytes');
  return crypto.subtle.importKey('raw', dataKey as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function encryptText(key: CryptoKey, text: string, type: SopsType, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(aad), tagLength: TAG_BYTES * 8 },
      key,
      encoder.encode(text),
    ),
  );
  const data = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return `ENC[AES256_GCM,data:${base64(data)},iv:${base64(iv)},tag:${base64(tag)},type:${type}]`;
}

const ENC = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:(str|int|float|bool|bytes)\]$/;

export function isEncrypted(text: string): boolean {
  return ENC.test(text);
}

/** The plaintext of one `ENC[…]` value; a wrong key or path fails authentication. */
export async function decryptText(key: CryptoKey, value: string, aad: string): Promise<{ text: string; type: string }> {
  const match = ENC.exec(value);
  if (!match) throw sopsError('not a SOPS encrypted value');
  const [, data = '', iv = '', tag = '', type = 'str'] = match;
  const sealed = concat(fromBase64(data), fromBase64(tag));
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv) as BufferSource, additionalData: encoder.encode(aad), tagLength: 128 },
      key,
      sealed as BufferSource,
    );
    return { text: new TextDecoder().decode(plain), type };
  } catch {
    throw sopsError(`a SOPS value at '${aad}' does not authenticate (wrong key or altered file)`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
