/**
 * An independent check of SOPS files in tests: decryption by `sops-age` (npm, its own AES-GCM and
 * parsers), and the MAC verified here with node:crypto over the decrypted tree the way Go SOPS
 * does (SHA-512 of every non-null leaf's bytes in document order, upper-case hex, compared with
 * the `mac` decrypted with `lastmodified` as additional data).
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { armor, Decrypter } from 'age-encryption';
import { decryptSops } from 'sops-age';
import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';

export async function sopsDecrypt(
  text: string,
  identity: string,
  fileType: 'yaml' | 'env',
): Promise<Record<string, unknown>> {
  return (await decryptSops(text, { secretKey: identity, fileType })) as Record<string, unknown>;
}

async function dataKey(enc: string, identity: string): Promise<Buffer> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  return Buffer.from(await decrypter.decrypt(armor.decode(enc), 'uint8array'));
}

function openValue(key: Buffer, value: string, aad: string): string {
  const match = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:(\w+)\]$/.exec(value);
  if (!match) throw new Error(`not an encrypted value: ${value.slice(0, 30)}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(match[2] as string, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(match[3] as string, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(match[1] as string, 'base64')), decipher.final()]).toString();
}

function goText(node: { value: unknown; source?: string }): string {
  const value = node.value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** Verifies a YAML SOPS file's MAC with `identity`; throws when it does not match. */
export async function verifyYamlMac(text: string, identity: string): Promise<void> {
  const document = parseDocument(text);
  const root = document.contents as Node;
  const sops = document.toJS().sops as { age: { enc: string }[]; mac: string; lastmodified: string };
  let key: Buffer | undefined;
  for (const entry of sops.age) {
    try {
      key = await dataKey(entry.enc, identity);
      break;
    } catch {}
  }
  if (!key) throw new Error('no age entry opens with this identity');
  const hash = createHash('sha512');
  const visit = (node: Node | null, path: string[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const name = String((pair.key as { value: unknown }).value);
        if (path.length === 0 && name === 'sops') continue;
        visit(pair.value as Node, [...path, name]);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item as Node, path);
    } else if (isScalar(node) && node.value !== null) {
      const text = String(node.value);
      hash.update(
        text.startsWith('ENC[AES256_GCM') ? openValue(key as Buffer, text, `${path.join(':')}:`) : goText(node),
      );
    }
  };
  visit(root, []);
  const expected = openValue(key, sops.mac, sops.lastmodified);
  const actual = hash.digest('hex').toUpperCase();
  if (expected !== actual)
    throw new Error(`MAC mismatch: stored ${expected.slice(0, 16)}…, computed ${actual.slice(0, 16)}…`);
}

/** Verifies an env SOPS file's MAC (every value encrypted). */
export async function verifyDotenvMac(text: string, identity: string): Promise<void> {
  const entries = text
    .trimEnd()
    .split('\n')
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  const meta = Object.fromEntries(entries.filter(([name]) => name.startsWith('sops_')));
  const key = await dataKey((meta.sops_age__list_0__map_enc as string).replace(/\\n/g, '\n'), identity);
  const hash = createHash('sha512');
  for (const [name, value] of entries) if (!name.startsWith('sops_')) hash.update(openValue(key, value, `${name}:`));
  const expected = openValue(key, meta.sops_mac as string, meta.sops_lastmodified as string);
  const actual = hash.digest('hex').toUpperCase();
  if (expected !== actual) throw new Error('MAC mismatch');
}
