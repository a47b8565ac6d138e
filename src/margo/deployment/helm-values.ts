/**
 * Builds a Helm values overlay the way `helm --set` does (D-8, §6.1): keys from the pointer,
 * `name[N]` indexes a list padded with null, values typed. Writing a path twice, or a path and
 * its prefix, in one component is a POINTER_CONFLICT (R8): the description is at fault.
 */
import { BridgeError } from '../../errors.js';
import { parseHelmPointer } from '../pointer.js';
import { type Data, type DataMap, Decimal, emptyMap } from './data.js';
import type { ValueWrite } from './model.js';

type Container = DataMap | Data[];

function descriptionError(code: string, message: string, component: string, write: ValueWrite): BridgeError {
  return new BridgeError('INVALID_DESCRIPTION', message, {
    issues: [{ code, message, parameter: write.parameter, pointer: write.pointer, component }],
  });
}

export function buildHelmValues(component: string, writes: ValueWrite[]): DataMap {
  const root = emptyMap();
  /** Paths written so far (JSON of the segments), leaves and the containers above them. */
  const leaves = new Map<string, string>();
  const interior = new Map<string, string>();
  for (const write of writes) {
    const parsed = parseHelmPointer(write.pointer);
    if (!parsed.ok) throw descriptionError('PATTERN', `pointer ${parsed.message}`, component, write);
    const segments = parsed.segments;
    const conflict = (other: string): BridgeError =>
      descriptionError(
        'POINTER_CONFLICT',
        `parameter '${write.parameter}' writes '${write.pointer}' in component '${component}', which parameter '${other}' already writes`,
        component,
        write,
      );
    for (let depth = 1; depth < segments.length; depth++) {
      const prefix = JSON.stringify(segments.slice(0, depth));
      const owner = leaves.get(prefix);
      if (owner !== undefined) throw conflict(owner);
      if (!interior.has(prefix)) interior.set(prefix, write.parameter);
    }
    const full = JSON.stringify(segments);
    const owner = leaves.get(full) ?? interior.get(full);
    if (owner !== undefined) throw conflict(owner);
    leaves.set(full, write.parameter);

    let container: Container = root;
    for (let depth = 0; depth < segments.length; depth++) {
      const segment = segments[depth] as string | number;
      const last = depth === segments.length - 1;
      const next = segments[depth + 1];
      const child: Data = last ? write.value : typeof next === 'number' ? [] : emptyMap();
      container = step(container, segment, child, last, () =>
        descriptionError(
          'POINTER_CONFLICT',
          `parameter '${write.parameter}' writes '${write.pointer}' in component '${component}', where another target uses a list index for a key or a key for a list index`,
          component,
          write,
        ),
      );
    }
  }
  return root;
}

/** Sets or descends one segment; returns the container to continue in. */
function step(
  container: Container,
  segment: string | number,
  child: Data,
  last: boolean,
  clash: () => Error,
): Container {
  if (typeof segment === 'number') {
    if (!Array.isArray(container)) throw clash();
    while (container.length <= segment) container.push(null);
    const existing = container[segment];
    if (last || existing === null || existing === undefined) container[segment] = child;
    const current = container[segment];
    return last ? container : asContainer(current, clash);
  }
  if (Array.isArray(container)) throw clash();
  if (last || !Object.hasOwn(container, segment)) container[segment] = child;
  return last ? container : asContainer(container[segment] as Data, clash);
}

function asContainer(value: Data | undefined, clash: () => Error): Container {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object' && !(value instanceof Decimal)) return value;
  throw clash();
}
