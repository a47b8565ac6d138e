/** Pointer grammar (§6): Helm `--set` paths (D-8) and compose variable names (D-7). */
import { describe, expect, it } from 'vitest';
import { parseComposePointer, parseHelmPointer } from './pointer.js';

describe('parseHelmPointer (D-8)', () => {
  it.each([
    ['settings.limits.cpu', ['settings', 'limits', 'cpu']],
    ['annotations.example\\.com/team', ['annotations', 'example.com/team']],
    ['ingress.hosts[0].name', ['ingress', 'hosts', 0, 'name']],
    ['matrix[1][2]', ['matrix', 1, 2]],
    ['env.OTEL_EXPORTER_OTLP_ENDPOINT', ['env', 'OTEL_EXPORTER_OTLP_ENDPOINT']],
    ['a\\[0\\]', ['a[0]']],
    ['back\\\\slash', ['back\\slash']],
    ['replicaCount', ['replicaCount']],
  ])('%s', (pointer, segments) => {
    expect(parseHelmPointer(pointer)).toEqual({ ok: true, segments });
  });

  it.each([
    ['a=b', /unescaped '='/],
    ['a,b', /unescaped ','/],
    ['a..b', /empty key/],
    ['.a', /empty key/],
    ['a.', /ends with/],
    ['a[x]', /not \[number\]/],
    ['a[1', /not \[number\]/],
    ['[0]', /without a key/],
    ['a[70000]', /at most 65536/],
    ['a[0]b', /needs a '\.'/],
    ['a\\', /lone backslash/],
    ['', /empty key/],
    [Array.from({ length: 31 }, (_, i) => `k${i}`).join('.'), /at most 30/],
  ])('rejects %s', (pointer, message) => {
    const parsed = parseHelmPointer(pointer);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

describe('parseComposePointer (D-7)', () => {
  it('strips one ENV. or env. prefix', () => {
    expect(parseComposePointer('ENV.IDP_NAME')).toEqual({ ok: true, name: 'IDP_NAME' });
    expect(parseComposePointer('env.IDP_NAME')).toEqual({ ok: true, name: 'IDP_NAME' });
    expect(parseComposePointer('IDP_NAME')).toEqual({ ok: true, name: 'IDP_NAME' });
  });

  it('names any other namespace', () => {
    expect(parseComposePointer('PORTS.80')).toMatchObject({ ok: false, namespace: 'PORTS' });
    expect(parseComposePointer('ENV.settings.test')).toMatchObject({ ok: false, namespace: 'settings' });
  });
});
