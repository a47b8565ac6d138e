/**
 * The outbound address guard (End Users type registry URLs): a host that resolves to a link-local
 * or cloud-metadata address is always refused; loopback and private addresses are refused unless
 * the operator allows private networks (tests, the local demo). Every resolved address is checked,
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

const metadata = blockList([['fd00:ec2::254', 128, 'ipv6']]);
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

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (metadata.check(address, family)) return 'metadata';
  if (linkLocal.check(address, family)) return 'link-local';
  if (loopback.check(address, family)) return 'loopback';
  if (privateRanges.check(address, family)) return 'private';
  return 'public';
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
