/**
 * Picks the deployment profile (§5.2 step 1, A-54): a type word (`helm`, `compose`, `custom`)
 * selects the profile when exactly one has that type; otherwise the word must be a profile id.
 * V1/V2 profile ids are synthesised from the type (`compose`, `compose-2`), so an id equal to a
 * type word is still reachable when several profiles share the type.
 */
import { BridgeError } from '../../errors.js';
import type { Description, Profile } from '../model.js';
import { profileTypes } from '../model.js';

export function selectProfile(description: Description, wanted: string): Profile {
  const isType = (profileTypes as readonly string[]).includes(wanted);
  const ofType = isType ? description.profiles.filter((profile) => profile.type === wanted) : [];
  if (ofType.length === 1) return ofType[0] as Profile;
  const byId = description.profiles.find((profile) => profile.id === wanted);
  if (byId) return byId;
  const available = description.profiles.map((profile) => `${profile.id} (${profile.type})`).join(', ');
  const message =
    ofType.length > 1
      ? `${ofType.length} profiles have type ${wanted}: choose one by id (${ofType.map((p) => p.id).join(', ')})`
      : `no profile '${wanted}'; available: ${available}`;
  throw new BridgeError('PROFILE_NOT_FOUND', message, {
    wanted,
    profiles: description.profiles.map((profile) => ({ id: profile.id, type: profile.type })),
  });
}
