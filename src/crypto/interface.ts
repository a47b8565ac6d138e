/** Encrypts credentials at rest; ciphertext is an opaque string. Implemented by `secrets.ts` (AES-256-GCM). */
export interface SecretBox {
  seal(plaintext: string): Promise<string>;
  open(ciphertext: string): Promise<string>;
}
