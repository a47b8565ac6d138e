/**
 * SOPS for env files: every value encrypted (SOPS's dotenv store takes the text after the first
 * `=` as it is, quotes included, so the file decrypts to exactly the lines written), the metadata
 * flattened into `sops_…` lines as SOPS writes them (`sops_age__list_0__map_enc`, newlines as `\n`).
 */
import { sopsError } from './errors.js';
import { SopsSession } from './session.js';

const SUFFIX = '_unencrypted';

export interface DotenvEncryption {
  recipients: readonly string[];
  now: number;
}

export async function encryptDotenv(text: string, options: DotenvEncryption): Promise<string> {
  const session = await SopsSession.start({ ...options, rule: { unencrypted_suffix: SUFFIX } });
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const at = line.indexOf('=');
    if (at <= 0 || line.startsWith('#')) throw sopsError('SOPS encrypts env files of KEY=value lines only');
    const name = line.slice(0, at);
    if (name.endsWith(SUFFIX) || name.startsWith('sops_')) {
      throw sopsError(`env variable '${name}' would be left unencrypted by SOPS; rename it`);
    }
    lines.push(`${name}=${await session.leaf([name], line.slice(at + 1), 'str', true)}`);
  }
  const metadata = await session.metadata();
  metadata.age.forEach((entry, index) => {
    lines.push(`sops_age__list_${index}__map_enc=${entry.enc.replace(/\n/g, '\\n')}`);
    lines.push(`sops_age__list_${index}__map_recipient=${entry.recipient}`);
  });
  lines.push(`sops_lastmodified=${metadata.lastmodified}`, `sops_mac=${metadata.mac}`);
  lines.push(`sops_unencrypted_suffix=${SUFFIX}`, `sops_version=${metadata.version}`);
  return `${lines.join('\n')}\n`;
}
