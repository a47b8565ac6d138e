/**
 * A unified diff between two sets of files (the preview's "what would change"): one `--- a/… +++ b/…`
 * section per changed file in path order, `/dev/null` for an added or removed file; '' when equal.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { RenderedFile } from './hash.js';

export function unifiedDiff(oldFiles: RenderedFile[], newFiles: RenderedFile[]): string {
  const before = new Map(oldFiles.map((file) => [file.path, file.content]));
  const after = new Map(newFiles.map((file) => [file.path, file.content]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => {
      const old = before.get(path);
      const next = after.get(path);
      return createTwoFilesPatch(
        old === undefined ? '/dev/null' : `a/${path}`,
        next === undefined ? '/dev/null' : `b/${path}`,
        old ?? '',
        next ?? '',
        undefined,
        undefined,
        { context: 3, headerOptions: FILE_HEADERS_ONLY },
      );
    })
    .join('');
}
