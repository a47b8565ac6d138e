/**
 * Which file of a package root is the application description (D-1, A-4): `margo.yaml` if
 * present, else the one root `*.yaml`/`*.yml` file whose content is a description. Pure: the
 * caller reads the files (from disk, a Git tree or object storage).
 */
import { validateDocument } from './validate.js';

export const DEFAULT_DESCRIPTION_FILE = 'margo.yaml';

export type DescriptionChoice = { ok: true; name: string } | { ok: false; message: string; candidates: string[] };

export function isYamlFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** `files` are the package root's YAML files; `read` is only called when margo.yaml is absent. */
export function chooseDescriptionFile(names: readonly string[], read: (name: string) => string): DescriptionChoice {
  if (names.includes(DEFAULT_DESCRIPTION_FILE)) return { ok: true, name: DEFAULT_DESCRIPTION_FILE };
  const yamlFiles = names.filter(isYamlFileName).sort();
  const descriptions = yamlFiles.filter((name) => validateDocument(read(name)).kind === 'description');
  if (descriptions.length === 1 && descriptions[0] !== undefined) return { ok: true, name: descriptions[0] };
  if (descriptions.length === 0) {
    return {
      ok: false,
      candidates: yamlFiles,
      message: `no margo.yaml and no YAML file that is an application description${yamlFiles.length ? ` (looked at ${yamlFiles.join(', ')})` : ' (no YAML files at all)'}`,
    };
  }
  return {
    ok: false,
    candidates: descriptions,
    message: `no margo.yaml and several application descriptions: ${descriptions.join(', ')}; rename the one to use to margo.yaml`,
  };
}
