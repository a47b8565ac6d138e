/**
 * The outbound address guard (End Users type registry URLs): a host that resolves to a link-local
 * or cloud-metadata address is always refused; loopback and private addresses are refused unless
 * the operator allows private networks (tests, the local demo). An IPv6 address that embeds an IPv4
 * address (mapped, compatible, NAT64) is classified by that address too. Every resolved address is checked,
 * and the connection is then pinned to the checked addresses (no second lookup to rebind).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { BridgeError } from '../../errors.js';

export type AddressClass = 'metadata' | 'link-local' | 'loopback' | 'private' | 'public';

function blockList(ranges: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

/**
 * Cloud metadata endpoints outside link-local space: AWS over IPv6, Oracle Cloud (192.0.0.192),
 * Alibaba Cloud (100.100.100.200, inside the shared 100.64/10 range) and Azure's wire server
 * (168.63.129.16, a public address every Azure VM reaches its host through).
 */
const metadata = blockList([
  ['fd00:ec2::254', 128, 'ipv6'],
  ['192.0.0.192', 32, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'],
  ['168.63.129.16', 32, 'ipv4'],
]);
const linkLocal = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const loopback = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['0.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['::', 128, 'ipv6'],
]);
const privateRanges = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** Most restrictive first: an address with several readings gets the first class any reading has. */
const severity: readonly AddressClass[] = ['metadata', 'link-local', 'loopback', 'private', 'public'];

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const own = classifyDirect(address, family);
  if (family === 'ipv4') return own;
  const classes = [own, ...embeddedIpv4(address).map((ipv4) => classifyDirect(ipv4, 'ipv4'))];
  return severity.find((kind) => classes.includes(kind)) ?? 'public';
}

function classifyDirect(address: string, family: 'ipv4' | 'ipv6'): AddressClass {
  if (metadata.check(address, family)) return 'metadata';
  if (linkLocal.check(address, family)) return 'link-local';
  if (loopback.check(address, family)) return 'loopback';
  if (privateRanges.check(address, family)) return 'private';
  return 'public';
}

/**
 * The IPv4 addresses an IPv6 address stands for, since connecting to it reaches them: IPv4-mapped
 * `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (deprecated, still routed by some stacks), NAT64
 * `64:ff9b::/96` (RFC 6052) and the local-use NAT64 prefix `64:ff9b:1::/48` (RFC 8215), whose
 * operator picks the prefix length: every RFC 6052 layout within it is read.
 */
export function embeddedIpv4(address: string): string[] {
  const bytes = ipv6Bytes(address);
  if (!bytes) return [];
  const zero = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  const at = (...offsets: number[]) => offsets.map((offset) => bytes[offset]!).join('.');
  const last32 = at(12, 13, 14, 15);
  // ::ffff:0:0/96 (mapped) and ::/96 (compatible, including :: and ::1)
  if (zero(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (bytes[10] === 0 && bytes[11] === 0))) {
    return [last32];
  }
  const prefix = (...head: number[]) => head.every((byte, index) => bytes[index] === byte);
  if (prefix(0x00, 0x64, 0xff, 0x9b) && zero(4, 12)) return [last32];
  if (prefix(0x00, 0x64, 0xff, 0x9b, 0x00, 0x01)) {
    // RFC 6052 layouts for /48, /56 and /64 (octet 8, bits 64–71, is zero and skipped; the suffix
    // after the IPv4 address is zero), and /96, which is always a possible reading.
    const layouts: [number[], number][] = [
      [[6, 7, 9, 10], 11],
      [[7, 9, 10, 11], 12],
      [[9, 10, 11, 12], 13],
    ];
    const readings = layouts.flatMap(([offsets, suffix]) =>
      bytes[8] === 0 && zero(suffix, 16) ? [at(...offsets)] : [],
    );
    return [...readings, last32];
  }
  return [];
}

/** The 16 bytes of an IPv6 literal (dotted IPv4 tail allowed, zone ignored), or undefined. */
function ipv6Bytes(address: string): number[] | undefined {
  const bare = address.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return undefined;
  let text = bare;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const words =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (words.length !== 8) return undefined;
  return words.flatMap((word) => {
    const value = Number.parseInt(word, 16);
    return [value >> 8, value & 0xff];
  });
}

/** Throws ADDRESS_REFUSED when `address` may not be contacted. */
export function checkAddress(host: string, address: string, allowPrivateNetworks: boolean): void {
  const kind = classifyAddress(address);
  if (kind === 'metadata' || kind === 'link-local') {
    throw new BridgeError(
      'ADDRESS_REFUSED',
      `${host} resolves to ${address}, a ${kind} address, which is never contacted`,
      {
        host,
        address,
      },
    );
  }
  if ((kind === 'loopback' || kind === 'private') && !allowPrivateNetworks) {
    throw new BridgeError(
      'ADDRESS_REFUSED',
      `${host} resolves to ${address}, a ${kind} address; set allowPrivateNetworks to reach private networks`,
      { host, address },
    );
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/**
 * The checked addresses of `host` (a name or an IP literal, brackets allowed). Throws REGISTRY_DNS
 * when the name does not resolve and ADDRESS_REFUSED when any address is refused.
 */
export async function guardHost(
  host: string,
  allowPrivateNetworks: boolean,
  resolve: Resolver = systemResolver,
): Promise<ResolvedAddress[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(bare);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: bare, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(bare);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unknown error';
      throw new BridgeError('REGISTRY_DNS', `could not resolve host ${bare} (${code})`, { host: bare, code });
    }
    if (addresses.length === 0) throw new BridgeError('REGISTRY_DNS', `host ${bare} has no addresses`, { host: bare });
  }
  for (const { address } of addresses) checkAddress(bare, address, allowPrivateNetworks);
  return addresses;
}
