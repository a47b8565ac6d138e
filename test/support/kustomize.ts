/** `kubectl kustomize` (no cluster needed) over files written to a temporary folder. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface TreeFile {
  path: string;
  content: string;
}

export function writeTree(root: string, files: Iterable<TreeFile>): void {
  for (const file of files) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.content);
  }
}

/** The objects `kubectl kustomize <dir>` prints; throws with kubectl's message when it fails. */
export function kustomize(dir: string): Record<string, unknown>[] {
  const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(output)
    .map((document) => document.toJS() as Record<string, unknown> | null)
    .filter((object): object is Record<string, unknown> => object !== null);
}
