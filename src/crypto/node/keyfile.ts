/**
 * Node adapter: where the secret key comes from. MARGO_BRIDGE_SECRET_KEY wins; otherwise
 * `<dataDir>/secret.key`, created on first start with mode 0600 (base64 of 32 random bytes).
 * Creation is atomic (write a temporary file, then link it into place, which fails if the file
 * exists), so two processes starting at once end up with the same key.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toBase64 } from '../../bytes.js';
import { BridgeError } from '../../errors.js';
import { parseSecretKey, SECRET_KEY_BYTES } from '../secrets.js';

export const KEY_FILE = 'secret.key';

export async function loadSecretKey(options: {
  env: Record<string, string | undefined>;
  dataDir: string;
}): Promise<Uint8Array> {
  const fromEnv = options.env.MARGO_BRIDGE_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseSecretKey(fromEnv);

  const path = join(options.dataDir, KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return existing;

  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${toBase64(randomBytes(SECRET_KEY_BYTES))}\n`, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFile is reduced by the umask; 0600 must hold whatever the umask is.
  await chmod(temporary, 0o600);
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  const created = await readKeyFile(path);
  if (!created) throw new BridgeError('INTERNAL', `could not create the key file ${path}`);
  return created;
}

async function readKeyFile(path: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BridgeError('CONFIG_INVALID', `cannot read the key file ${path}: ${(error as Error).message}`);
  }
  return parseSecretKey(text, `the key file ${path}`);
}
