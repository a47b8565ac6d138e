/**
 * The one input rule of every command that reads a description: a file as given, or a package
 * root directory resolved to its description (D-1, A-4). Catalog files are checked only
 * for a package root: a lone file has no package around it to look them up in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { chooseDescriptionFile } from '../margo/index.js';
import { UsageError } from './args.js';

export type ResolvedInput =
  | { ok: true; file: string; text: string; fileExists: ((relativePath: string) => boolean) | undefined }
  | { ok: false; file: string; code: 'NO_DESCRIPTION'; message: string };

/** Throws a UsageError for a path that does not exist or cannot be read. */
export function resolveInput(arg: string, cwd: string): ResolvedInput {
  const absolute = path.resolve(cwd, arg);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(absolute);
  } catch {
    throw new UsageError(`${arg}: no such file or directory`);
  }
  if (!stats.isDirectory()) return { ok: true, file: arg, text: readText(absolute, arg), fileExists: undefined };
  const names = readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
  const choice = chooseDescriptionFile(names, (name) => readFileSync(path.join(absolute, name), 'utf8'));
  if (!choice.ok) return { ok: false, file: arg, code: 'NO_DESCRIPTION', message: choice.message };
  return {
    ok: true,
    file: path.join(arg, choice.name),
    text: readText(path.join(absolute, choice.name), arg),
    fileExists: (relativePath) => existsSync(path.join(absolute, relativePath)),
  };
}

/** A file the user named (a values file, a previous deployment), read as text. */
export function readUserFile(arg: string, cwd: string, what: string): string {
  const absolute = path.resolve(cwd, arg);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(absolute);
  } catch {
    throw new UsageError(`${what} ${arg}: no such file`);
  }
  if (stats.isDirectory()) throw new UsageError(`${what} ${arg} is a directory; give a file`);
  return readText(absolute, arg);
}

function readText(absolute: string, arg: string): string {
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`${arg}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
