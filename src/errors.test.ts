import { describe, expect, it } from 'vitest';
import { BridgeError, errorCodes, redactedCause, statusOf } from './errors.js';

describe('BridgeError cause', () => {
  it('keeps the cause without URL credentials, in its message, stack and nested causes', () => {
    const inner = new Error('connect ECONNREFUSED for https://ci:hunter2@git.example.com/a.git');
    const outer = Object.assign(
      new TypeError('fetch failed: https://ci:hunter2@git.example.com/a.git', { cause: inner }),
      {
        code: 'UND_ERR_SOCKET',
      },
    );
    const error = new BridgeError('REGISTRY_UNREACHABLE', 'registry unreachable', undefined, { cause: outer });

    const cause = error.cause as Error & { code?: string; cause?: Error };
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe('TypeError');
    expect(cause.code).toBe('UND_ERR_SOCKET');
    expect(cause.message).toBe('fetch failed: https://git.example.com/a.git');
    expect(cause.cause?.message).toBe('connect ECONNREFUSED for https://git.example.com/a.git');
    expect(JSON.stringify([cause.message, cause.stack, cause.cause?.message, cause.cause?.stack])).not.toContain(
      'hunter2',
    );
  });

  it('turns a cause that is not an Error into redacted text, and has none when none is given', () => {
    expect(redactedCause({ toString: () => 'at https://u:pw@h/x' })).toBe('at https://h/x');
    expect(new BridgeError('INTERNAL', 'x').cause).toBeUndefined();
  });

  it('stops after a few levels of causes, so a cycle of causes ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    let cause = redactedCause(a) as Error | undefined;
    let depth = 0;
    while (cause !== undefined) {
      cause = cause.cause as Error | undefined;
      depth += 1;
    }
    expect(depth).toBe(5);
  });
});

describe('statusOf', () => {
  it('gives every code an HTTP error status; errorCodes lists each code once', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    for (const code of errorCodes) expect(statusOf[code]).toBeGreaterThanOrEqual(400);
    expect(errorCodes).toContain('INTERNAL');
  });
});
