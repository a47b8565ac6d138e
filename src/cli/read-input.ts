/** File access shared by the validate and check-values commands (Node only, like all of cli/). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { chooseDescriptionFile } from '../margo/index.js';

export type ResolvedInput =
  | { ok: true; file: string; text: string; fileExists: (relativePath: string) => boolean }
  | { ok: false; file: string; code: 'NO_DESCRIPTION'; message: string }
  | { ok: false; file: string; code: 'USAGE'; message: string };

/** A file as given, or a package root directory resolved to its description (D-1, A-4). */
export function resolveInput(arg: string, cwd: string): ResolvedInput {
  const absolute = path.resolve(cwd, arg);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(absolute);
  } catch {
    return { ok: false, file: arg, code: 'USAGE', message: `${arg}: no such file or directory` };
  }
  if (!stats.isDirectory()) {
    try {
      return {
        ok: true,
        file: arg,
        text: readFileSync(absolute, 'utf8'),
        fileExists: existsIn(path.dirname(absolute)),
      };
    } catch (error) {
      return {
        ok: false,
        file: arg,
        code: 'USAGE',
        message: `${arg}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      };
    }
  }
  const names = readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  const choice = chooseDescriptionFile(names, (name) => readFileSync(path.join(absolute, name), 'utf8'));
  if (!choice.ok) return { ok: false, file: arg, code: 'NO_DESCRIPTION', message: choice.message };
  const file = path.join(arg, choice.name);
  return {
    ok: true,
    file,
    text: readFileSync(path.join(absolute, choice.name), 'utf8'),
    fileExists: existsIn(absolute),
  };
}

/** Catalog files are looked up beside the description, in its package root. */
function existsIn(directory: string): (relativePath: string) => boolean {
  return (relativePath) => existsSync(path.join(directory, relativePath));
}
