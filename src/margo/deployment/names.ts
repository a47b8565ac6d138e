/**
 * Names. The deployment name defaults to `<applicationId>-deployment`, as in the
 * specification's examples. The target is not part of it because every deployment already lives
 * under its target's directory and goes to that target's cluster or device; an update keeps the
 * name it has.
 *
 * Kubernetes object names built from it (`<deployment>-<component>`) must stay within 63
 * characters, the label-value limit that Argo CD's label tracking (`app.kubernetes.io/instance`)
 * and many controllers need; Helm release names within 53. `shortenName` cuts a longer name and
 * appends a hash of the whole name, so the result is deterministic and two long names that share
 * a prefix stay distinct.
 */
import { BridgeError } from '../../errors.js';

export const MAX_NAME_LENGTH = 63;
export const MAX_RELEASE_NAME_LENGTH = 53;

/** RFC 1123 label: what a deployment name must be (it becomes a folder and object names). */
const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** 64-bit FNV-1a of the UTF-16 code units, as 16 hex digits: a sync, dependency-free hash. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < text.length; index++) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** `name` itself when short enough, else its first characters, `-` and 8 hex digits of its hash. */
export function shortenName(name: string, max = MAX_NAME_LENGTH): string {
  if (name.length <= max) return name;
  const suffix = fnv1a64(name).slice(0, 8);
  const head = name.slice(0, max - suffix.length - 1).replace(/[-.]+$/, '');
  return `${head}-${suffix}`;
}

export function deploymentName(applicationId: string): string {
  return shortenName(`${applicationId}-deployment`);
}

export function checkDeploymentName(name: string): void {
  if (!LABEL.test(name)) {
    throw new BridgeError(
      'INVALID_TARGET',
      `deployment name '${name}' must be an RFC 1123 label: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit`,
      { field: 'name' },
    );
  }
}
