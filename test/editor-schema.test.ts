/**
 * The exported JSON Schemas in a real editor: the yaml-language-server (the engine of the VS Code
 * YAML extension) over stdio, on the whole example corpus. Its verdict (an error or not) must be
 * validate's for every file, and hover must show the project's descriptions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentJsonSchema, descriptionJsonSchema, validateDocument } from '../src/margo/index.js';
import { YamlLanguageServer } from './support/yaml-language-server.js';

const examples = fileURLToPath(new URL('../../shared/margo-examples/', import.meta.url));
const corpus = readFileSync(path.join(examples, 'INDEX.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t')[0] as string);

let dir: string;
let server: YamlLanguageServer;
const schemaUri: Record<'description' | 'deployment', string> = { description: '', deployment: '' };

function withSchema(kind: 'description' | 'deployment', text: string): string {
  return `# yaml-language-server: $schema=${schemaUri[kind]}\n${text}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'margo-editor-'));
  for (const [kind, schema] of [
    ['description', descriptionJsonSchema()],
    ['deployment', deploymentJsonSchema()],
  ] as const) {
    const file = path.join(dir, `${kind}.schema.json`);
    writeFileSync(file, JSON.stringify(schema));
    schemaUri[kind] = pathToFileURL(file).href;
  }
  server = new YamlLanguageServer({
    yaml: { validate: true, hover: true, completion: true, schemaStore: { enable: false }, schemas: {} },
  });
  await server.start(pathToFileURL(dir).href);
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the editor schema in yaml-language-server', () => {
  it('gives the verdict validate gives, for every file of the corpus', async () => {
    const disagreements: string[] = [];
    for (const name of corpus) {
      const text = readFileSync(path.join(examples, name), 'utf8');
      const report = validateDocument(text);
      const kind = report.kind === 'deployment' ? 'deployment' : 'description';
      const uri = pathToFileURL(path.join(dir, name)).href;
      const diagnostics = await server.diagnose(uri, withSchema(kind, text));
      server.close(uri);
      const editorErrors = diagnostics.filter((diagnostic) => diagnostic.severity === 1);
      if ((editorErrors.length === 0) !== report.valid) {
        disagreements.push(
          `${name}: validate ${report.valid ? 'valid' : `invalid (${report.errors.map((e) => `${e.code} ${e.path}`).join('; ')})`}, editor ${editorErrors.length === 0 ? 'valid' : `invalid (${editorErrors.map((d) => `${d.range.start.line}: ${d.message}`).join('; ')})`}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
  }, 300_000);

  it('accepts what validate only warns about: unknown keys, extensions under metadata, the datatype spelling', async () => {
    const base = readFileSync(new URL('fixtures/margo/base.yaml', import.meta.url), 'utf8');
    const text = base
      .replace('metadata:\n', 'metadata:\n  x-acme-extensions: { team: sensors }\n  colour: blue\n')
      .replace('apiVersion: v1\n', 'apiVersion: v1\nlabels: [demo]\n');
    const report = validateDocument(text);
    expect(report.valid).toBe(true);
    expect(report.warnings.map((warning) => warning.code)).toEqual(['UNKNOWN_KEY', 'UNKNOWN_KEY']);
    const uri = pathToFileURL(path.join(dir, 'warnings.yaml')).href;
    const diagnostics = await server.diagnose(uri, withSchema('description', text));
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 1)).toEqual([]);
    // The schema still refuses what validate refuses: a wrong enum value.
    const wrong = await server.diagnose(
      pathToFileURL(path.join(dir, 'wrong.yaml')).href,
      withSchema('description', text.replace('type: helm', 'type: kubernetes')),
    );
    expect(wrong.filter((diagnostic) => diagnostic.severity === 1).length).toBeGreaterThan(0);
  }, 60_000);

  it("shows the project's description on hover", async () => {
    const text = withSchema('description', readFileSync(new URL('fixtures/margo/base.yaml', import.meta.url), 'utf8'));
    const uri = pathToFileURL(path.join(dir, 'hover.yaml')).href;
    await server.diagnose(uri, text);
    const lines = text.split('\n');
    const hoverOn = async (key: string) => {
      const line = lines.findIndex((candidate) => candidate.trimStart().startsWith(`${key}:`));
      return server.hover(uri, line, (lines[line] as string).indexOf(key) + 1);
    };
    expect(await hoverOn('apiVersion')).toContain('The version of the Margo specification the description follows');
    expect(await hoverOn('revision')).toContain('The version of the chart or package to install');
    expect(await hoverOn('timeout')).toContain('minutes and seconds such as 8m30s');
  }, 60_000);
});

describe('the exported schemas', () => {
  it('describe every property', () => {
    const undescribed: string[] = [];
    let visited = 0;
    type Schema = { description?: string; $ref?: string; [key: string]: unknown };
    // Visits the schemas a document's properties are checked with; if/then/else only add conditions.
    const walk = (schema: Schema, where: string) => {
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        visited++;
        if (!property.description && !property.$ref) undescribed.push(`${where}.${name}`);
        walk(property, `${where}.${name}`);
      }
      for (const key of ['items', 'additionalProperties'] as const) {
        const child = schema[key];
        if (child && typeof child === 'object') walk(child as Schema, `${where}[]`);
      }
      for (const child of Object.values((schema.$defs ?? {}) as Record<string, Schema>)) walk(child, where);
    };
    walk(descriptionJsonSchema(), 'description');
    walk(deploymentJsonSchema(), 'deployment');
    expect(undescribed).toEqual([]);
    expect(visited).toBeGreaterThan(100);
  });
});
