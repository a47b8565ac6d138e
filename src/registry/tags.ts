/**
 * Which tags are releases (D-10): a registry's tag filter is a glob (`v*`) or a `/regex/` on the
 * tag name, plus an optional semver range on the version derived from the tag. Regular
 * expressions are typed by users, so they run in the linear-time RE2 engine.
 */
import picomatch from 'picomatch/posix.js';
import semver from 'semver';
import { BridgeError } from '../errors.js';
import { compileRegex } from '../margo/index.js';
import type { RegistryConnection } from './interface.js';

/** D-10: the version is the tag name minus an optional leading `v`. */
export function versionFromTag(tag: string): string {
  return tag.startsWith('v') ? tag.slice(1) : tag;
}

/** A predicate on tag names; throws CONFIG_INVALID for a pattern or range that does not compile. */
export function compileTagFilter(registry: Pick<RegistryConnection, 'tagPattern' | 'semverRange'>) {
  const byName = compileTagPattern(registry.tagPattern);
  const range = registry.semverRange?.trim();
  if (range && semver.validRange(range) === null) {
    throw new BridgeError('CONFIG_INVALID', `semverRange "${range}" is not a valid semver range`);
  }
  return (tag: string): boolean => {
    if (!byName(tag)) return false;
    if (!range) return true;
    const version = semver.valid(versionFromTag(tag));
    return version !== null && semver.satisfies(version, range, { includePrerelease: true });
  };
}

function compileTagPattern(pattern: string | undefined): (tag: string) => boolean {
  const trimmed = pattern?.trim();
  if (!trimmed) return () => true;
  const regex = /^\/(.*)\/$/s.exec(trimmed);
  if (regex) {
    const compiled = compileRegex(regex[1]!);
    if (!compiled.ok) {
      throw new BridgeError(
        'CONFIG_INVALID',
        `tagPattern ${trimmed} is not a valid regular expression: ${compiled.message}`,
      );
    }
    return (tag) => compiled.regex.test(tag);
  }
  const glob = picomatch(trimmed, { dot: true });
  return (tag) => glob(tag);
}
