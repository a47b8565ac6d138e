/**
 * README's container and Kubernetes steps against what they configure (issue 14, "each step
 * checked by the tests as far as no cloud account is needed"): the `docker run` port, volume and
 * variables are the image's; the Secret README creates is the one the kustomize base and the
 * PostgreSQL overlay read, with every key they read; the folders `kubectl apply -k` names build.
 * The image itself runs in scripts/container-test.sh; the manifests' schemas: deploy-kubernetes.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { environmentVariables } from '../src/config/env.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`### ${title}\n`);
  expect(start, title).toBeGreaterThan(0);
  const end = readme.slice(start + 4).search(/\n##+ /);
  return readme.slice(start, end < 0 ? undefined : start + 4 + end);
}

/** The first sh block of a section, continuation lines joined, comments dropped. */
function commandText(text: string): string {
  const block = /```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s#.*$/, ''))
    .join('\n')
    .replace(/\\\n\s*/g, ' ');
}

interface SecretRef {
  variable: string;
  name: string;
  key: string;
  optional: boolean;
}

function secretRefs(folder: string): SecretRef[] {
  const text = execFileSync('kubectl', ['kustomize', folder], { encoding: 'utf8' });
  const refs: SecretRef[] = [];
  for (const document of parseAllDocuments(text)) {
    const object = document.toJS() as {
      kind: string;
      spec?: { template?: { spec: { containers: { env?: { name: string; valueFrom?: unknown }[] }[] } } };
    };
    for (const container of object.spec?.template?.spec.containers ?? []) {
      for (const entry of container.env ?? []) {
        const ref = (entry.valueFrom as { secretKeyRef?: { name: string; key: string; optional?: boolean } })
          ?.secretKeyRef;
        if (ref) refs.push({ variable: entry.name, name: ref.name, key: ref.key, optional: ref.optional === true });
      }
    }
  }
  return refs;
}

describe("README's container step", () => {
  const run = commandText(section('Container'));

  it('publishes the port the image listens on and mounts its data volume', () => {
    const port = /-p (\d+):(\d+)/.exec(run);
    expect(port?.[2]).toBe(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
    expect(dockerfile).toMatch(new RegExp(`PORT=${port?.[2]}\\b`));
    const volume = /-v [^:\s]+:(\S+)/.exec(run)?.[1];
    expect(dockerfile).toContain(`VOLUME ["${volume}"]`);
    expect(dockerfile).toContain(`MARGO_BRIDGE_DATA_DIR=${volume}`);
  });

  it('sets only variables margo-bridge reads', () => {
    const variables = [...run.matchAll(/-e ([A-Z_]+)=/g)].map((match) => match[1] as string);
    expect(variables.length).toBeGreaterThan(0);
    for (const name of variables) expect(environmentVariables[name], name).toBeDefined();
  });
});

describe("README's Kubernetes step", () => {
  const commands = commandText(section('Kubernetes'));
  const secretName = /kubectl create secret generic (\S+)/.exec(commands)?.[1];
  const keys = [...commands.matchAll(/--from-literal=([a-z0-9-]+)=/g)].map((match) => match[1] as string);
  // The overlay is named in the comment beside the base ("or: -k …").
  const folders = [...section('Kubernetes').matchAll(/-k (deploy\/kubernetes\/\S+)/g)].map(
    (match) => match[1] as string,
  );

  it('applies folders that kustomize builds', () => {
    expect(folders.sort()).toEqual(['deploy/kubernetes/base', 'deploy/kubernetes/overlays/postgres']);
    for (const folder of folders) expect(existsSync(`${folder}/kustomization.yaml`), folder).toBe(true);
  });

  it('creates the Secret the manifests read, with every key they read (optional ones too)', () => {
    const refs = folders.flatMap(secretRefs);
    expect(refs.length).toBeGreaterThan(0);
    expect(new Set(refs.map((ref) => ref.name))).toEqual(new Set([secretName]));
    expect([...new Set(refs.map((ref) => ref.key))].sort()).toEqual([...new Set(keys)].sort());
    // What comes from the Secret is what margo-bridge keeps secret.
    for (const ref of refs) expect(environmentVariables[ref.variable]?.secret, ref.variable).toBe(true);
  });
});
