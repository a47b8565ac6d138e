/**
 * Which parameter values must never be shown: those the requester marked sensitive, and those
 * whose parameter, setting or schema name suggests a secret (Margo has no secret type yet,
 * Such values are stored sealed, masked in pull-request bodies and views, and never put
 * into messages.
 */

import type { SecretBox } from '../../crypto/interface.js';
import type { Description, InputValue } from '../../margo/model.js';

export const MASK = '••••••';

const SECRET_WORDS =
  /pass(word|phrase)?|secret|token|api[-_]?key|private[-_]?key|credential|\bkey$|cert(ificate)?[-_]?key/i;

/** Parameters of `description` whose names suggest a secret. */
export function secretLooking(description: Description): Set<string> {
  const found = new Set<string>();
  for (const name of Object.keys(description.parameters)) if (SECRET_WORDS.test(name)) found.add(name);
  for (const section of description.configuration?.sections ?? []) {
    for (const setting of section.settings) {
      if (SECRET_WORDS.test(setting.name) || SECRET_WORDS.test(setting.schema)) found.add(setting.parameter);
    }
  }
  return found;
}

/** Every parameter whose value is hidden: marked by the requester or secret-looking. */
export function hiddenParameters(description: Description, sensitive: readonly string[]): Set<string> {
  const hidden = secretLooking(description);
  for (const name of sensitive) hidden.add(name);
  return hidden;
}

export interface SplitValues {
  values: Record<string, unknown>;
  sealedValues: string | null;
}

/** Splits values into the shown ones and a sealed document of the hidden ones. */
export async function sealValues(
  box: SecretBox,
  values: Record<string, InputValue>,
  hidden: ReadonlySet<string>,
): Promise<SplitValues> {
  const shown: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (hidden.has(name)) secret[name] = value;
    else shown[name] = value;
  }
  const sealedValues = Object.keys(secret).length === 0 ? null : await box.seal(JSON.stringify(secret));
  return { values: shown, sealedValues };
}

/** The values as given: shown ones plus the opened sealed ones. */
export async function openValues(
  box: SecretBox,
  stored: { values: Record<string, unknown>; sealedValues: string | null },
): Promise<Record<string, InputValue>> {
  const secret = stored.sealedValues === null ? {} : (JSON.parse(await box.open(stored.sealedValues)) as object);
  return { ...(stored.values as Record<string, InputValue>), ...(secret as Record<string, InputValue>) };
}
