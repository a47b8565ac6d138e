/**
 * Deterministic YAML: every value becomes a YAML node (never text pasted into text), so the
 * output is valid YAML whatever the values. Keys keep the order the data has (callers sort where
 * order is not meaningful), two-space indentation, no line folding, LF, one final newline.
 */
import { Document, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { type Data, Decimal } from '../deployment/data.js';

/** A Decimal is written with its digits; as the default float tag, no tag is printed. */
const decimalTag = {
  identify: (value: unknown) => value instanceof Decimal,
  default: true,
  tag: 'tag:yaml.org,2002:float',
  resolve: (text: string) => Number(text),
  stringify: (item: { value?: unknown }) => (item.value instanceof Decimal ? item.value.text : String(item.value)),
};

export const yamlOptions = { customTags: [decimalTag] };
export const stringifyOptions = { indent: 2, lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Strings a YAML 1.1 reader (Go's yaml.v2 in Helm and many agents) would read as a boolean,
 * null or number. The `yaml` library already quotes what YAML 1.2 would misread; these are
 * double-quoted as well, so `"yes"` or `"0777"` stays a string everywhere.
 */
const YAML11_NON_STRING =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|<<|=)$|^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))$|^\.(?:nan|NaN|NAN)$/;

export function toNode(data: Data): Node {
  if (data === null) return new Scalar(null);
  if (Array.isArray(data)) {
    const seq = new YAMLSeq();
    for (const item of data) seq.items.push(toNode(item));
    return seq;
  }
  if (data instanceof Decimal) return new Scalar(data);
  if (typeof data === 'object') {
    const map = new YAMLMap();
    for (const key of Object.keys(data)) map.items.push(new Pair(stringNode(key), toNode(data[key] as Data)));
    return map;
  }
  if (typeof data === 'string') return stringNode(data);
  return new Scalar(data);
}

function stringNode(text: string): Scalar {
  const node = new Scalar(text);
  if (YAML11_NON_STRING.test(text)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** Writes a document: LF line ends and exactly one final newline. */
export function writeDocument(doc: Document): string {
  const text = doc.toString(stringifyOptions);
  return text.endsWith('\n') ? text : `${text}\n`;
}

export function writeYaml(data: Data): string {
  const doc = new Document(null, yamlOptions);
  doc.contents = toNode(data) as Document['contents'];
  return writeDocument(doc);
}
