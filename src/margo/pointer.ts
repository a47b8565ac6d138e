/**
 * Target pointers (§6). Helm pointers follow `helm --set` paths (D-8, Helm's strvals parser):
 * `.` separates keys, `\` makes the next character literal, `name[N]` indexes a list.
 * Compose pointers name an environment variable, with an optional `ENV.`/`env.` prefix (D-7).
 */

export const MAX_POINTER_INDEX = 65_536;
export const MAX_POINTER_DEPTH = 30;

export type HelmPointer = { ok: true; segments: (string | number)[] } | { ok: false; message: string };

export function parseHelmPointer(pointer: string): HelmPointer {
  const segments: (string | number)[] = [];
  let key = '';
  let keyStarted = false;
  let i = 0;
  const endKey = (): string | null => {
    if (!keyStarted) return 'an empty key';
    segments.push(key);
    key = '';
    keyStarted = false;
    return null;
  };
  while (i < pointer.length) {
    const c = pointer[i] as string;
    if (c === '\\') {
      if (i + 1 >= pointer.length) return { ok: false, message: `'${pointer}' ends with a lone backslash` };
      key += pointer[i + 1];
      keyStarted = true;
      i += 2;
    } else if (c === '=' || c === ',') {
      return { ok: false, message: `'${pointer}' contains an unescaped '${c}', which helm --set reads as a separator` };
    } else if (c === '.') {
      const problem = endKey();
      if (problem) return { ok: false, message: `'${pointer}' has ${problem} before a '.' at position ${i + 1}` };
      i++;
    } else if (c === '[') {
      const close = pointer.indexOf(']', i);
      const digits = close < 0 ? '' : pointer.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) return { ok: false, message: `'${pointer}' has a list index that is not [number]` };
      const index = Number(digits);
      if (index > MAX_POINTER_INDEX) {
        return { ok: false, message: `'${pointer}' has list index ${index}; at most ${MAX_POINTER_INDEX} is allowed` };
      }
      if (keyStarted) endKey();
      else if (segments.length === 0 || typeof segments[segments.length - 1] !== 'number') {
        return { ok: false, message: `'${pointer}' has a list index without a key before it` };
      }
      segments.push(index);
      i = close + 1;
      if (i < pointer.length && pointer[i] !== '.' && pointer[i] !== '[') {
        return { ok: false, message: `'${pointer}' needs a '.' after the list index at position ${i}` };
      }
      if (pointer[i] === '.') {
        i++;
        if (i >= pointer.length) return { ok: false, message: `'${pointer}' ends with '.'` };
      }
    } else {
      key += c;
      keyStarted = true;
      i++;
    }
  }
  if (keyStarted) segments.push(key);
  else if (segments.length === 0 || typeof segments[segments.length - 1] !== 'number') {
    return { ok: false, message: `'${pointer}' ends with an empty key` };
  }
  if (segments.length > MAX_POINTER_DEPTH) {
    return { ok: false, message: `'${pointer}' is ${segments.length} levels deep; at most ${MAX_POINTER_DEPTH}` };
  }
  return { ok: true, segments };
}

export type ComposePointer = { ok: true; name: string } | { ok: false; namespace: string; message: string };

/** D-7: strip one leading `ENV.`/`env.`; any other dotted namespace is not an environment variable. */
export function parseComposePointer(pointer: string): ComposePointer {
  const name = pointer.startsWith('ENV.') || pointer.startsWith('env.') ? pointer.slice(4) : pointer;
  const dot = name.indexOf('.');
  if (dot < 0) return { ok: true, name };
  const namespace = name.slice(0, dot);
  return {
    ok: false,
    namespace,
    message: `'${pointer}' is not an environment variable name: the namespace '${namespace}.' is unknown for compose (only ENV. or env. is stripped)`,
  };
}
