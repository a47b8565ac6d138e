/**
 * The data key of a SOPS file, encrypted for one age recipient as SOPS does it: the 32 raw key
 * bytes as an armored age file, one per recipient (`sops.age[].enc`).
 */
import { armor, Decrypter, Encrypter } from 'age-encryption';
import { sopsError } from './errors.js';

/** X25519 recipients (`age1…`, Bech32): what the age library in Flux's SOPS reads. */
const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** Checks recipients as settings give them; names the bad one (a public key, safe to show). */
export function checkAgeRecipients(recipients: readonly string[], field = 'sops.ageRecipients'): void {
  recipients.forEach((recipient, index) => {
    if (!RECIPIENT.test(recipient)) {
      throw sopsError(`${field}[${index}] '${recipient.slice(0, 80)}' is not an age recipient (age1…)`, {
        field: `${field}[${index}]`,
      });
    }
    try {
      new Encrypter().addRecipient(recipient);
    } catch {
      throw sopsError(`${field}[${index}] '${recipient.slice(0, 80)}' is not a valid age recipient`, {
        field: `${field}[${index}]`,
      });
    }
  });
}

export async function wrapDataKey(dataKey: Uint8Array, recipient: string): Promise<string> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(dataKey));
}

/** The data key from one `enc` block with an age identity (`AGE-SECRET-KEY-1…`). */
export async function unwrapDataKey(enc: string, identity: string): Promise<Uint8Array> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  return decrypter.decrypt(armor.decode(enc), 'uint8array');
}
