import { BridgeError } from '../../errors.js';

/** A pack (or its index) that cannot be read as Git wrote it: what is wrong and where. */
export function corruptPack(detail: string): BridgeError {
  return new BridgeError('REGISTRY_PROTOCOL', `the registry's pack is corrupt: ${detail}`);
}
