/**
 * The YAML loader for untrusted documents: parses with positions and rejects what would make
 * later stages slow or ambiguous (size, alias expansion, nesting, duplicate keys, several
 * documents, non-scalar mapping keys) before any value is built.
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { DocPath, Locate, Position } from './issues.js';
import { explainErrors } from './yaml-errors.js';

export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Nodes the document may expand to through aliases; a real description has a few thousand. */
export const MAX_EXPANDED_NODES = 100_000;
export const MAX_DEPTH = 64;
/** Flow brackets nested deeper than this are rejected before parsing (protects the parser's stack). */
const MAX_FLOW_DEPTH = 256;

export interface ParseProblem {
  message: string;
  line: number;
  column: number;
}

/** The first problem, plus every independent problem the parser found (`problems`, in order). */
export interface ParseFailure extends ParseProblem {
  ok: false;
  problems: ParseProblem[];
}

export interface ParsedYaml {
  ok: true;
  value: unknown;
  locate: Locate;
  /** The scalar as written (`1.50`, `1.0`), for plain scalars; undefined for collections or missing paths. */
  sourceText(path: DocPath): string | undefined;
}

const placeholderKey = /^\{\{.*\}\}$/s;

function utf8Length(text: string): number {
  // Each UTF-16 unit encodes to at most 3 bytes: skip the encoding when the answer is clear.
  if (text.length * 3 <= MAX_DOCUMENT_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

function flowDepthExceeded(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > MAX_FLOW_DEPTH) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return false;
}

function failure(message: string, position: Position): ParseFailure {
  const problem = { message, line: position.line, column: position.column };
  return { ok: false, ...problem, problems: [problem] };
}

/**
 * Walks the node tree once: counts the nodes aliases would expand to (memoised per node, so
 * a billion-laughs document is measured in microseconds, never expanded), checks nesting depth
 * and finds the first non-scalar mapping key.
 */
function inspect(doc: Document.Parsed, position: (offset: number) => Position, text: string): ParseFailure | null {
  const sizes = new Map<Node, number>();
  const active = new Set<Node>();
  let problem: ParseFailure | null = null;

  const sizeOf = (node: unknown, depth: number): number => {
    if (problem) return 0;
    if (depth > MAX_DEPTH) {
      problem = failure(`the document nests deeper than ${MAX_DEPTH} levels`, position(rangeStart(node)));
      return 0;
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) return 1;
      if (active.has(target)) {
        problem = failure(`alias *${node.source} refers to a node containing itself`, position(rangeStart(node)));
        return 0;
      }
      return sizeOf(target, depth);
    }
    if (!isCollection(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    active.add(node);
    let size = 1;
    for (const item of node.items) {
      if (isPair(item)) {
        if (item.key !== null && !isScalar(item.key)) {
          problem = nonScalarKey(item.key, position, text);
          break;
        }
        size += 1 + sizeOf(item.value, depth + 1);
      } else size += sizeOf(item, depth + 1);
      if (size > MAX_EXPANDED_NODES) break;
    }
    active.delete(node);
    sizes.set(node, size);
    if (size > MAX_EXPANDED_NODES && !problem) {
      problem = failure(
        `aliases expand the document to more than ${MAX_EXPANDED_NODES} nodes (a resource exhaustion attack?)`,
        position(rangeStart(node)),
      );
    }
    return size;
  };
  sizeOf(doc.contents, 0);
  return problem;
}

function rangeStart(node: unknown): number {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] }).range;
    if (range) return range[0];
  }
  return 0;
}

function nonScalarKey(key: unknown, position: (offset: number) => Position, text: string): ParseFailure {
  const start = rangeStart(key);
  const range = (key as { range?: [number, number, number] }).range;
  // `repository: {{X}}` is a flow mapping whose key is the mapping `{X}`: the outer `{` is one column left.
  const outer = range ? text.slice(Math.max(0, start - 1), range[1] + 1).trim() : '';
  if (placeholderKey.test(outer)) {
    const name = outer.replace(/^\{\{\s*|\s*\}\}$/g, '');
    return failure(
      `unresolved template placeholder {{${name}}} (PLACEHOLDER): replace it with a concrete value, or quote it`,
      position(start),
    );
  }
  return failure('a mapping key must be a plain value, not a list or mapping', position(start));
}

export function parseYaml(text: string): ParseFailure | ParsedYaml {
  if (utf8Length(text) > MAX_DOCUMENT_BYTES) {
    return failure(`the document is larger than ${MAX_DOCUMENT_BYTES} bytes (1 MiB)`, { line: 1, column: 1 });
  }
  if (flowDepthExceeded(text)) {
    return failure(`the document nests deeper than ${MAX_FLOW_DEPTH} brackets`, { line: 1, column: 1 });
  }
  const lineCounter = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  } catch (error) {
    // A stack overflow on pathological input ends up here; the document is still just invalid.
    return failure(`the YAML parser gave up: ${error instanceof Error ? error.message : String(error)}`, {
      line: 1,
      column: 1,
    });
  }
  if (doc.errors.length > 0) {
    const problems = explainErrors(doc.errors, position, text);
    return { ok: false, ...(problems[0] as ParseProblem), problems };
  }
  const problem = inspect(doc, position, text);
  if (problem) return problem;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_EXPANDED_NODES });
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error), { line: 1, column: 1 });
  }

  const nodeAt = (path: DocPath): { node: unknown; key: unknown } => {
    let node: unknown = doc.contents;
    let key: unknown = null;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return { node: undefined, key: undefined };
        key = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        key = null;
        node = node.items[segment];
      } else return { node: undefined, key: undefined };
    }
    return { node, key };
  };

  const locate: Locate = (path, at = 'value') => {
    for (let length = path.length; length >= 0; length--) {
      const { node, key } = nodeAt(path.slice(0, length));
      // A missing field is reported at the key of its parent (`metadata:`), which is where it belongs.
      const target = (at === 'key' || length < path.length) && key ? key : node;
      if (target && typeof target === 'object' && 'range' in target) return position(rangeStart(target));
    }
    return { line: 1, column: 1 };
  };

  const sourceText = (path: DocPath): string | undefined => {
    const { node } = nodeAt(path);
    if (!isScalar(node) || !node.range) return undefined;
    if (node.type !== 'PLAIN') return typeof node.value === 'string' ? node.value : String(node.value);
    return text.slice(node.range[0], node.range[1]);
  };

  return { ok: true, value, locate, sourceText };
}
