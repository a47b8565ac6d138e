import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NativeRepository, nativeRepository } from '../../test/support/native-git.js';
import { isBridgeError } from '../errors.js';
import { request } from './provider.contract.js';
import {
  applyChanges,
  blobOid,
  changeOids,
  checkProposeInput,
  type FlatTree,
  planChanges,
  rootTreeId,
  treeObjects,
} from './tree.js';

const run = promisify(execFile);
let dir: string;
let repo: NativeRepository;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'margo-bridge-tree-'));
  await run('git', ['init', '--bare', '--quiet', join(dir, 'r.git')]);
  repo = nativeRepository(join(dir, 'r.git'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function flatOf(files: Record<string, string>): Promise<FlatTree> {
  const flat: FlatTree = new Map();
  for (const [path, content] of Object.entries(files)) flat.set(path, { mode: '100644', oid: await blobOid(content) });
  return flat;
}

describe('git object ids computed without Git', () => {
  it('gives blobs and trees the ids native git gives them, in Git order', async () => {
    // `a.b` sorts before the folder `a` (compared as `a/`), `a-b` and `a0` around it: Git's order, not plain string order.
    const files = {
      'a.b': 'dot\n',
      'a-b': 'dash\n',
      a0: 'zero\n',
      'b/c/d.yaml': 'deep: true\n',
      'b/c.yaml': 'c\n',
      'ü/ö.yaml': 'unicode\n',
      empty: '',
    };
    const withFolder = { ...files, 'a/x.yaml': 'x\n' };
    const commit = await repo.commit({ files: withFolder });
    const nativeTree = (await repo.git('rev-parse', `${commit}^{tree}`)).trim();
    const objects = await treeObjects(await flatOf(withFolder));
    expect(objects.at(-1)?.oid).toBe(nativeTree);
    expect(await blobOid('dot\n')).toBe((await repo.git('rev-parse', `${commit}:a.b`)).trim());
  });

  it('hashes only the folders on the way to a change, the others keep their known ids', async () => {
    const before = {
      'README.md': '# r\n',
      'site-1/app/a.yaml': 'a\n',
      'site-1/app/b.yaml': 'b\n',
      'site-2/app/a.yaml': 'a\n',
      'site-3/old/x.yaml': 'x\n',
    };
    const commit = await repo.commit({ files: before });
    const known = new Map<string, string>();
    for (const line of (await repo.git('ls-tree', '-r', '-t', commit)).trim().split('\n')) {
      const [meta = '', path = ''] = line.split('\t');
      if (meta.split(' ')[1] === 'tree') known.set(path, meta.split(' ')[2] as string);
    }
    const changes = [
      { path: 'site-1/app/b.yaml', content: 'b2\n' },
      { path: 'site-3/old/x.yaml', delete: true as const },
      { path: 'site-4/new/n.yaml', content: 'n\n' },
    ];
    const after = applyChanges(await flatOf(before), changes, await changeOids(changes));
    const expected = (await treeObjects(after)).at(-1)?.oid;
    const paths = changes.map((change) => change.path);
    expect(await rootTreeId(after, paths, known)).toBe(expected);
    // A stale id for an untouched folder shows that it was not hashed again; a missing one falls back to all.
    expect(await rootTreeId(after, paths, new Map([...known, ['site-2', '0'.repeat(40)]]))).not.toBe(expected);
    expect(await rootTreeId(after, paths, new Map())).toBe(expected);
  });

  it('plans only real changes: same content, stale owned files, listed deletions', async () => {
    const base = await flatOf({
      'plant-a/kustomization.yaml': 'resources: []\n',
      'plant-a/nginx/a.yaml': 'a\n',
      'plant-a/nginx/stale.yaml': 'old\n',
      'plant-a/nginxx/keep.yaml': 'a sibling folder with a longer name\n',
      'root.yaml': 'r\n',
    });
    const input = request(
      'margo-bridge/x',
      { 'plant-a/nginx/a.yaml': 'a\n', 'plant-a/nginx/b.yaml': 'b\n' },
      { deletions: ['root.yaml', 'missing.yaml'] },
    );
    const changes = await planChanges(base, input);
    expect(changes).toEqual([
      { path: 'plant-a/nginx/stale.yaml', delete: true },
      { path: 'root.yaml', delete: true },
      { path: 'plant-a/nginx/b.yaml', content: 'b\n' },
    ]);
    const after = applyChanges(base, changes, await changeOids(changes));
    expect([...after.keys()].sort()).toEqual([
      'plant-a/kustomization.yaml',
      'plant-a/nginx/a.yaml',
      'plant-a/nginx/b.yaml',
      'plant-a/nginxx/keep.yaml',
    ]);
    expect(await planChanges(after, { ...input, deletions: [] })).toEqual([]);
  });

  it('refuses a file that would replace a folder', async () => {
    const base = await flatOf({ 'a/b.yaml': 'b\n' });
    const changes = [{ path: 'a', content: 'x' }];
    expect(() => applyChanges(base, changes, new Map([['a', 'f'.repeat(40)]]))).toThrow(/conflicts/);
  });

  it('checks paths, branch names and the marker', () => {
    const refused = [
      request('margo-bridge/x', { 'a//b.yaml': 'x' }),
      request('margo-bridge/x', { 'a/./b.yaml': 'x' }),
      request('margo-bridge/x', { 'a\\b.yaml': 'x' }),
      request('margo-bridge/x', { 'A/.GIT/hooks/x': 'x' }),
      request('margo-bridge/x', { 'a.yaml': 'x' }, { owned: ['../up'] }),
      request('margo-bridge/x', { 'a.yaml': 'x' }, { deletions: [''] }),
      request('main', { 'a.yaml': 'x' }),
      request('x.lock', { 'a.yaml': 'x' }),
      request('-x', { 'a.yaml': 'x' }),
      request('margo-bridge/x', { 'a.yaml': 'x' }, { body: 'no marker' }),
      {
        ...request('margo-bridge/x', {}),
        files: [
          { path: 'a', content: '1' },
          { path: 'a', content: '2' },
        ],
      },
    ];
    for (const input of refused) expect(() => checkProposeInput(input), JSON.stringify(input.files)).toThrow();
    try {
      checkProposeInput(request('margo-bridge/x', { '../a': 'x' }));
    } catch (error) {
      expect(isBridgeError(error, 'UNSAFE_PATH')).toBe(true);
    }
    expect(() =>
      checkProposeInput(request('margo-bridge/plant-a/nginx', { 'plant-a/nginx/a.yaml': 'x' })),
    ).not.toThrow();
  });
});
