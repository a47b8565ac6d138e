import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../errors.js';
import { checkAddress, classifyAddress, embeddedIpv4, guardHost } from './address-guard.js';

describe('IPv6 addresses that embed an IPv4 address are classified by it', () => {
  it.each([
    // IPv4-mapped, dotted and hexadecimal
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    // IPv4-compatible (deprecated)
    ['::127.0.0.1', 'loopback'],
    ['::a9fe:a9fe', 'link-local'],
    ['::169.254.169.254', 'link-local'],
    ['::10.1.2.3', 'private'],
    ['::8.8.8.8', 'public'],
    // NAT64 well-known prefix 64:ff9b::/96
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['64:FF9B:0:0:0:0:A9FE:A9FE', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::c0a8:101', 'private'],
    ['64:ff9b::808:808', 'public'],
    // NAT64 local-use prefix 64:ff9b:1::/48, as /96 and as /64 (octet 8 skipped)
    ['64:ff9b:1::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1:0:a9:fea9:fe00:0', 'link-local'],
    ['64:ff9b:1::a00:1', 'private'],
    ['64:ff9b:1::808:808', 'public'],
  ] as const)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('keeps the plain IPv6 classes', () => {
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('::')).toBe('loopback');
    expect(classifyAddress('fd00:ec2::254')).toBe('metadata');
    expect(classifyAddress('2001:4860:4860::8888')).toBe('public');
    expect(classifyAddress('64:ff9c::a9fe:a9fe')).toBe('public');
  });

  it('reads the embedded address of each form', () => {
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toEqual(['169.254.169.254']);
    expect(embeddedIpv4('::ffff:127.0.0.1')).toEqual(['127.0.0.1']);
    expect(embeddedIpv4('::7f00:1')).toEqual(['127.0.0.1']);
    expect(embeddedIpv4('64:ff9b:1:a9fe:a9:fe00::')).toContain('169.254.169.254');
    expect(embeddedIpv4('2001:db8::1')).toEqual([]);
    expect(embeddedIpv4('10.0.0.1')).toEqual([]);
  });

  it('always refuses the metadata address through NAT64, even with private networks allowed', async () => {
    expect(() => checkAddress('nat64.example', '64:ff9b::a9fe:a9fe', true)).toThrow(BridgeError);
    const resolver = async () => [{ address: '64:ff9b::a9fe:a9fe', family: 6 as const }];
    await expect(guardHost('nat64.example', true, resolver)).rejects.toMatchObject({ code: 'ADDRESS_REFUSED' });
    await expect(guardHost('[64:ff9b::a9fe:a9fe]', true)).rejects.toMatchObject({ code: 'ADDRESS_REFUSED' });
  });

  it('always refuses the known cloud metadata addresses, even with private networks allowed', () => {
    for (const address of ['192.0.0.192', '100.100.100.200', '168.63.129.16', 'fd00:ec2::254', '::ffff:192.0.0.192']) {
      expect(classifyAddress(address), address).toBe('metadata');
      expect(() => checkAddress('cloud.example', address, true), address).toThrow(/metadata/);
    }
    expect(classifyAddress('100.100.100.201')).toBe('private');
    expect(classifyAddress('192.0.0.193')).toBe('public');
  });

  it('refuses mapped and compatible loopback unless private networks are allowed', async () => {
    for (const address of ['::ffff:127.0.0.1', '::127.0.0.1', '64:ff9b::7f00:1']) {
      expect(() => checkAddress('h.example', address, false)).toThrow(/loopback/);
      expect(() => checkAddress('h.example', address, true)).not.toThrow();
    }
  });
});
