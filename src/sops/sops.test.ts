import { generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sopsDecrypt, verifyDotenvMac, verifyYamlMac } from '../../test/support/sops-check.js';
import { isBridgeError } from '../errors.js';
import { checkAgeRecipients, creationRules, encryptDotenv, encryptYaml } from './index.js';

let identity: string;
let recipient: string;
let other: string;
let otherRecipient: string;

beforeAll(async () => {
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  other = await generateIdentity();
  otherRecipient = await identityToRecipient(other);
});

const NOW = Date.UTC(2026, 11, 6, 0, 30, 15, 123);

const DEPLOYMENT = `apiVersion: application.margo.org/v1alpha1
kind: ApplicationDeployment
metadata:
  name: app-deployment
spec:
  parameters:
    adminName:
      value: Some One
      targets:
        - pointer: administrator.name
    dbPassword:
      value: "s3cr3t: with 'quotes' and ünïcode"
      targets:
        - pointer: db.password
    apiToken:
      value: 12345
    ratio:
      value: 1.5
    enabled:
      value: true
    empty:
      value: ""
    nothing:
      value: null
`;

describe('encryptYaml', () => {
  it('encrypts the matching keys only, decrypts with sops-age to exactly the input, and the MAC verifies', async () => {
    const out = await encryptYaml(DEPLOYMENT, {
      recipients: [recipient, otherRecipient],
      now: NOW,
      encryptedRegex: '^(dbPassword|apiToken|ratio|enabled)$',
    });
    expect(out).not.toContain('s3cr3t');
    expect(out).not.toContain('12345');
    expect(out).toContain('value: Some One');
    expect(out).toContain('lastmodified: "2026-12-06T00:30:15Z"');
    expect(out).toMatch(/encrypted_regex: \^\(dbPassword/);
    const decrypted = await sopsDecrypt(out, identity, 'yaml');
    expect(decrypted).toEqual(parse(DEPLOYMENT));
    expect(await sopsDecrypt(out, other, 'yaml')).toEqual(parse(DEPLOYMENT));
    await verifyYamlMac(out, identity);
    await verifyYamlMac(out, other);
  });

  it('fails with a wrong key and when a value or the MAC is altered', async () => {
    const out = await encryptYaml(DEPLOYMENT, { recipients: [recipient], now: NOW, encryptedRegex: '^dbPassword$' });
    await expect(sopsDecrypt(out, other, 'yaml')).rejects.toThrow();
    const tampered = out.replace('value: Some One', 'value: Some Body');
    await expect(verifyYamlMac(tampered, identity)).rejects.toThrow(/MAC mismatch/);
    // A ciphertext moved to another path does not authenticate (the path is the additional data).
    const encrypted = /value: (ENC\[[^\]]+\])/.exec(out)?.[1] as string;
    const moved = out.replace('value: Some One', `value: ${encrypted}`);
    await expect(sopsDecrypt(moved, identity, 'yaml')).rejects.toThrow();
  });

  it('keeps the same document, list items without index in the path', async () => {
    const text = 'stringData:\n  values.yaml: |\n    a: 1\n  list:\n    - x\n    - y\nkept: 2\n';
    const out = await encryptYaml(text, { recipients: [recipient], now: NOW, encryptedRegex: '^(data|stringData)$' });
    expect(out).toContain('kept: 2');
    expect(out).not.toMatch(/\n {4}- x/);
    expect(await sopsDecrypt(out, identity, 'yaml')).toEqual(parse(text));
    await verifyYamlMac(out, identity);
  });

  it('refuses a document that is not a map or has a sops key', async () => {
    const options = { recipients: [recipient], now: NOW, encryptedRegex: 'x' };
    await expect(encryptYaml('- a\n', options)).rejects.toThrow(/top level is a map/);
    await expect(encryptYaml('sops: 1\n', options)).rejects.toThrow(/sops/);
  });
});

describe('encryptDotenv', () => {
  it('encrypts every value; sops-age gives back the lines as written; MAC verifies; wrong key fails', async () => {
    const env = "ADMIN='Some One'\nDB_PASSWORD=\"p\\\"w \\$x\"\nPORT='8080'\n";
    const out = await encryptDotenv(env, { recipients: [recipient], now: NOW });
    expect(out).not.toContain('Some One');
    expect(out).toMatch(/^sops_age__list_0__map_recipient=age1/m);
    const decrypted = await sopsDecrypt(out, identity, 'env');
    expect(decrypted).toEqual({ ADMIN: "'Some One'", DB_PASSWORD: '"p\\"w \\$x"', PORT: "'8080'" });
    await verifyDotenvMac(out, identity);
    await expect(sopsDecrypt(out, other, 'env')).rejects.toThrow();
  });
});

describe('recipients and rules', () => {
  it('accepts X25519 recipients and names a bad one by index', () => {
    expect(() => checkAgeRecipients([recipient])).not.toThrow();
    try {
      checkAgeRecipients([recipient, 'age1notakey']);
      expect.unreachable();
    } catch (error) {
      expect(isBridgeError(error, 'BAD_REQUEST')).toBe(true);
      expect((error as Error).message).toContain('sops.ageRecipients[1]');
    }
  });

  it('writes .sops.yaml creation rules for the recipients', () => {
    const rules = parse(creationRules([recipient, otherRecipient])) as { creation_rules: { age: string }[] };
    expect(rules.creation_rules).toHaveLength(3);
    expect(rules.creation_rules[0]?.age).toBe(`${recipient},${otherRecipient}`);
  });
});
