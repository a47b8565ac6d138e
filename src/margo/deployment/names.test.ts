import { describe, expect, it } from 'vitest';
import { checkDeploymentName, deploymentName, shortenName } from './names.js';

describe('shortenName', () => {
  it('keeps a name within the limit as it is', () => {
    const name = 'a'.repeat(63);
    expect(shortenName(name)).toBe(name);
  });

  it('cuts a longer name to the limit with an 8-digit hash of the whole name', () => {
    const long = `${'x'.repeat(60)}-database-services`;
    const short = shortenName(long);
    expect(short).toHaveLength(63);
    expect(short).toMatch(/^x{54}-[0-9a-f]{8}$/);
    expect(shortenName(long)).toBe(short);
    expect(shortenName(`${'x'.repeat(60)}-orchestrator`)).not.toBe(short);
  });

  it('never leaves a dash before the suffix and honours another limit', () => {
    const short = shortenName(`${'a'.repeat(43)}-${'b'.repeat(20)}`, 53);
    expect(short.length).toBeLessThanOrEqual(53);
    expect(short).not.toContain('--');
    expect(short).toMatch(/^a{43}-[0-9a-f]{8}$/);
  });
});

describe('deployment names', () => {
  it('defaults to <applicationId>-deployment, shortened where needed', () => {
    expect(deploymentName('com-example-app')).toBe('com-example-app-deployment');
    expect(deploymentName('c'.repeat(60))).toHaveLength(63);
  });

  it.each(['Upper', 'under_score', '-leading', 'trailing-', 'x'.repeat(64), ''])('refuses %j', (name) => {
    expect(() => checkDeploymentName(name)).toThrow(/RFC 1123 label/);
  });
});
