/** `margo-bridge fetch oci://…:<tag> <dir>`: writes an OCI registry's package as a package directory. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectPositionals, parseArguments, UsageError } from './args.js';
import { type CliIo, type Command, EXIT_OK } from './command.js';
import { isOciReference, ociFetchOptions, ociHelp, ociOptionSpecs, readOciPackage } from './oci-package.js';

const help = `Usage: margo-bridge fetch oci://host[:port]/<name>:<tag> <dir> [options]

Reads a Margo application package from an OCI registry (its manifest, the description layer
and the resource layers its catalog names, every digest verified) and writes it as a package
directory: the description and the resources at the paths their layers name. <dir> must be
empty or absent. Then 'margo-bridge validate <dir>' checks it like any package directory.

${ociHelp}
Exit status: 0 written, 1 the registry or the package refused, 2 usage error.
`;

async function run(args: string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArguments(args, ociOptionSpecs);
  expectPositionals(positionals, 2, 2, 'an oci:// reference and a directory');
  const [reference, dir] = positionals as [string, string];
  if (!isOciReference(reference)) throw new UsageError(`'${reference}' is not an oci:// reference`);
  const target = path.resolve(io.cwd, dir);
  if (existsSync(target) && readdirSync(target).length > 0) throw new UsageError(`${dir} exists and is not empty`);
  const pkg = await readOciPackage(reference, ociFetchOptions(options), io);
  // Paths come from the reader, which refused any that would leave the package.
  const files = [{ path: pkg.descriptionPath, bytes: new TextEncoder().encode(pkg.descriptionText) }, ...pkg.resources];
  for (const file of files) {
    const destination = path.join(target, file.path);
    mkdirSync(path.dirname(destination), { recursive: true });
    writeFileSync(destination, file.bytes);
  }
  for (const problem of pkg.resourceProblems) io.stderr(`${problem.path}: ${problem.message}\n`);
  io.stderr(`${files.length} files of ${reference} (${pkg.release.commit}) written to ${dir}\n`);
  return EXIT_OK;
}

export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'write a package from an OCI registry as a package directory',
  help,
  run,
};
