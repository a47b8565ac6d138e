/**
 * SOPS for YAML files: the leaves under a key matching `encryptedRegex` (at any depth, as SOPS
 * decides) are encrypted in place; every leaf feeds the MAC in document order; the metadata is
 * appended as the top-level `sops` map. Nulls are left as they are and out of the MAC (SOPS
 * skips nil). The document keeps its order and layout, so a reviewer sees the same file with
 * `ENC[…]` where secrets were.
 */
import { isMap, isScalar, isSeq, type Node, parseDocument, Scalar, YAMLMap } from 'yaml';
import { sopsError } from './errors.js';
import { type SessionOptions, type SopsMetadata, SopsSession } from './session.js';
import type { SopsScalar, SopsType } from './value.js';

const STRINGIFY = { indent: 2, lineWidth: 0, minContentWidth: 0 } as const;
const GO_INT = /^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/;

export interface YamlEncryption {
  recipients: readonly string[];
  now: number;
  /** A Go (RE2) regular expression on map keys, as SOPS's `encrypted_regex`. */
  encryptedRegex: string;
}

export async function encryptYaml(text: string, options: YamlEncryption): Promise<string> {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw sopsError(`cannot encrypt invalid YAML: ${document.errors[0]?.message}`);
  const root = document.contents;
  if (!isMap(root)) throw sopsError('SOPS encrypts YAML documents whose top level is a map');
  if (root.has('sops')) throw sopsError('the document has a top-level `sops` key already');
  const matcher = new RegExp(options.encryptedRegex);
  const sessionOptions: SessionOptions = {
    recipients: options.recipients,
    now: options.now,
    rule: { encrypted_regex: options.encryptedRegex },
  };
  const session = await SopsSession.start(sessionOptions);
  await walk(root, [], false, matcher, session);
  (root as unknown as YAMLMap<string, unknown>).set('sops', metadataNode(await session.metadata()));
  const out = document.toString(STRINGIFY);
  return out.endsWith('\n') ? out : `${out}\n`;
}

async function walk(node: Node, path: string[], encrypt: boolean, matcher: RegExp, session: SopsSession) {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const below = encrypt || matcher.test(key);
      if (pair.value === null || pair.value === undefined) continue;
      if (isScalar(pair.value)) await visitScalar(pair.value, [...path, key], below, session);
      else await walk(pair.value as Node, [...path, key], below, matcher, session);
    }
  } else if (isSeq(node)) {
    // SOPS leaves list indexes out of the path (and so of the additional data).
    for (const item of node.items) {
      if (isScalar(item)) await visitScalar(item, path, encrypt, session);
      else if (item) await walk(item as Node, path, encrypt, matcher, session);
    }
  }
}

async function visitScalar(node: Scalar, path: string[], encrypt: boolean, session: SopsSession): Promise<void> {
  const value = node.value;
  if (value === null || value === undefined) return;
  const [scalar, type] = typed(node);
  const stored = await session.leaf(path, scalar, type, encrypt);
  if (stored !== scalar) {
    node.value = stored;
    node.type = Scalar.PLAIN;
  }
}

/** The Go type yaml.v3 gives the scalar (what SOPS formats and tags it as). */
function typed(node: Scalar): [SopsScalar, SopsType] {
  const value = node.value;
  if (typeof value === 'string') return [value, 'str'];
  if (typeof value === 'boolean') return [value, 'bool'];
  if (typeof value === 'number') {
    const source = typeof node.source === 'string' ? node.source : String(value);
    return [value, Number.isInteger(value) && GO_INT.test(source) ? 'int' : 'float'];
  }
  throw sopsError(`SOPS cannot encrypt a YAML value of type ${typeof value}`);
}

function metadataNode(metadata: SopsMetadata): YAMLMap {
  const map = new YAMLMap();
  const age = metadata.age.map((entry) => {
    const item = new YAMLMap();
    item.set('recipient', entry.recipient);
    const enc = new Scalar(entry.enc);
    enc.type = Scalar.BLOCK_LITERAL;
    item.set('enc', enc);
    return item;
  });
  map.set('age', age);
  const lastmodified = new Scalar(metadata.lastmodified);
  lastmodified.type = Scalar.QUOTE_DOUBLE;
  map.set('lastmodified', lastmodified);
  map.set('mac', metadata.mac);
  for (const [key, value] of Object.entries(metadata.rule)) map.set(key, value);
  map.set('version', metadata.version);
  return map;
}
