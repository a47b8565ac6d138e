/**
 * The `local` provider, the embedded default: a bare repository `<root>/<name>.git` on the data
 * directory's file system, with margo-bridge itself as the review surface. A proposal is a branch
 * plus a record (local-records.ts); `merge` (the operator's approve) fast-forwards the base branch
 * or writes a merge commit, `close` deletes the branch and keeps the record. Operations on one
 * repository take turns inside the process.
 */
import git, { type PromiseFsClient } from 'isomorphic-git';
import { BridgeError } from '../errors.js';
import type {
  DeploymentProvider,
  ProposalRef,
  ProposalStatus,
  ProposeInput,
  ProposeResult,
  RepositoryFile,
} from './interface.js';
import { type LocalRecord, listRecords, nextNumber, readRecord, writeRecord } from './local-records.js';
import { contains, type ObjectStore, proposalCommit, readFilesAt, writeCommit } from './objects.js';
import { type LocalProviderSettings, localRepositoryName } from './settings.js';
import { checkBranchName, checkProposeInput } from './tree.js';

export interface LocalPlatform {
  fs: PromiseFsClient;
  /** Directory holding the bare repositories. */
  root: string;
  /** Page where an operator reviews a proposal; default `/repositories/<name>/proposals/<number>` (the web page redirects to the deployment). */
  reviewUrl?: (name: string, number: number) => string;
  now?: () => number;
}

const systemAuthor = { name: 'margo-bridge', email: 'margo-bridge@localhost' };
const turns = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier operation on `key` finished (in this process). */
function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = turns.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  turns.set(key, settled);
  void settled.then(() => {
    if (turns.get(key) === settled) turns.delete(key);
  });
  return next;
}

export function createLocalProvider(settings: LocalProviderSettings, platform: LocalPlatform): DeploymentProvider {
  if (!localRepositoryName.test(settings.name)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `local deployment repository name "${settings.name}" must be lower-case letters, digits, "-" or "_" (at most 63)`,
    );
  }
  const store: ObjectStore = { fs: platform.fs, gitdir: `${platform.root}/${settings.name}.git` };
  const now = platform.now ?? Date.now;
  const reviewUrl =
    platform.reviewUrl ?? ((name: string, number: number) => `/repositories/${name}/proposals/${number}`);

  async function exists(): Promise<boolean> {
    try {
      await platform.fs.promises.stat(`${store.gitdir}/HEAD`);
      return true;
    } catch {
      return false;
    }
  }

  /** Creates the bare repository and a first, empty commit on `base` when they are missing. */
  async function ensure(base: string): Promise<void> {
    if (!(await exists())) {
      await platform.fs.promises.mkdir(platform.root).catch(() => undefined);
      await git.init({ ...store, bare: true, defaultBranch: base });
      // Served read-only; review records stay out of what controllers fetch.
      await git.setConfig({ ...store, path: 'http.receivepack', value: false });
      await git.setConfig({ ...store, path: 'uploadpack.hideRefs', value: 'refs/margo-bridge' });
    }
    if ((await head(base)) === undefined && (await git.listBranches(store)).length === 0) {
      const tree = await git.writeTree({ ...store, tree: [] });
      const commit = await writeCommit(store, {
        tree,
        parents: [],
        message: 'Initialise the deployment repository',
        author: systemAuthor,
        now: now(),
      });
      await git.writeRef({ ...store, ref: `refs/heads/${base}`, value: commit });
    }
  }

  async function head(branch: string): Promise<string | undefined> {
    try {
      return await git.resolveRef({ ...store, ref: `refs/heads/${branch}` });
    } catch {
      return undefined;
    }
  }

  async function requireBase(base: string): Promise<string> {
    const commit = await head(base);
    if (!commit) {
      throw new BridgeError(
        'DEPLOY_NOT_FOUND',
        `base branch "${base}" does not exist in local repository "${settings.name}"`,
      );
    }
    return commit;
  }

  async function status(record: LocalRecord): Promise<ProposalStatus> {
    let { state, commit, mergeCommit } = record;
    const branchHead = await head(record.branch);
    if (state === 'open' && branchHead) commit = branchHead;
    // A branch whose commit reached the base branch by other means counts as merged.
    const baseHead = await head(record.base);
    if (state === 'open' && baseHead && (await contains(store, baseHead, commit))) {
      state = 'merged';
      mergeCommit = baseHead;
    }
    return {
      branch: record.branch,
      number: record.number,
      state,
      commit,
      url: reviewUrl(settings.name, record.number),
      ...(mergeCommit ? { mergeCommit } : {}),
    };
  }

  async function openRecordFor(branch: string): Promise<LocalRecord | undefined> {
    return (await listRecords(store)).find((record) => record.branch === branch && record.state === 'open');
  }

  async function recordOf(ref: ProposalRef): Promise<LocalRecord | undefined> {
    if (ref.number !== undefined) {
      const record = await readRecord(store, ref.number);
      return record?.branch === ref.branch ? record : undefined;
    }
    return (await listRecords(store)).filter((record) => record.branch === ref.branch).at(-1);
  }

  async function requireOpen(ref: ProposalRef): Promise<LocalRecord> {
    const record = await recordOf(ref);
    if (!record) throw new BridgeError('NOT_FOUND', `no proposal ${describe(ref)} in "${settings.name}"`);
    const current = await status(record);
    if (current.state !== 'open') {
      throw new BridgeError('CONFLICT', `proposal ${describe(ref)} is ${current.state}, not open`);
    }
    return record;
  }

  return {
    check: (base) =>
      inTurn(store.gitdir, async () => {
        checkBranchName(base);
        await ensure(base);
        await requireBase(base);
      }),

    async readFiles(branch: string, folder: string): Promise<RepositoryFile[]> {
      const commit = (await exists()) ? await head(branch) : undefined;
      return commit ? readFilesAt(store, commit, folder) : [];
    },

    async headCommit(branch: string) {
      return (await exists()) ? head(branch) : undefined;
    },

    propose: (input: ProposeInput) =>
      inTurn(store.gitdir, async (): Promise<ProposeResult> => {
        checkProposeInput(input);
        await ensure(input.base);
        const baseCommit = await requireBase(input.base);
        const branchHead = await head(input.branch);
        const open = await openRecordFor(input.branch);
        const planned = await proposalCommit(store, input, baseCommit, branchHead, now());
        if (planned.kind === 'unchanged') {
          return { outcome: 'unchanged', ...(open ? { proposal: await status(open) } : {}) };
        }
        await git.writeRef({ ...store, ref: `refs/heads/${input.branch}`, value: planned.commit, force: true });
        const fields = {
          branch: input.branch,
          base: input.base,
          title: input.title,
          body: input.body,
          labels: input.labels,
          author: input.author,
          commit: planned.commit,
        };
        const record: LocalRecord = open
          ? { ...open, ...fields }
          : { ...fields, number: await nextNumber(store), state: 'open' };
        await writeRecord(store, record);
        const outcome = open
          ? planned.written
            ? 'updated'
            : 'adopted'
          : branchHead !== undefined && !planned.written
            ? 'adopted'
            : 'created';
        return { outcome, proposal: await status(record) };
      }),

    async getProposal(ref: ProposalRef) {
      const record = await recordOf(ref);
      return record ? status(record) : undefined;
    },

    async listOpenProposals(branchPrefix: string) {
      const open: ProposalStatus[] = [];
      for (const record of await listRecords(store)) {
        if (record.state !== 'open' || !record.branch.startsWith(branchPrefix)) continue;
        const current = await status(record);
        if (current.state === 'open') open.push(current);
      }
      return open;
    },

    close: (ref: ProposalRef) =>
      inTurn(store.gitdir, async () => {
        const record = await requireOpen(ref);
        const closed: LocalRecord = {
          ...record,
          commit: (await head(record.branch)) ?? record.commit,
          state: 'closed',
        };
        await writeRecord(store, closed);
        await git.deleteRef({ ...store, ref: `refs/heads/${record.branch}` }).catch(() => undefined);
        return status(closed);
      }),

    merge: (ref: ProposalRef, method: 'fast-forward' | 'merge-commit') =>
      inTurn(store.gitdir, async () => {
        const record = await requireOpen(ref);
        const branchHead = await head(record.branch);
        if (!branchHead) throw new BridgeError('CONFLICT', `the branch of proposal ${describe(ref)} no longer exists`);
        const baseHead = await requireBase(record.base);
        let mergeCommit: string;
        if (method === 'fast-forward') {
          if (!(await contains(store, branchHead, baseHead))) {
            throw new BridgeError(
              'CONFLICT',
              `"${record.base}" moved since proposal ${describe(ref)} was made: propose again, or merge with a merge commit`,
            );
          }
          mergeCommit = branchHead;
        } else {
          const result = await git
            .merge({
              ...store,
              ours: record.base,
              theirs: record.branch,
              fastForward: false,
              noUpdateBranch: true,
              abortOnConflict: true,
              message: `Merge proposal #${record.number}: ${record.title}`,
              author: { ...systemAuthor, timestamp: Math.floor(now() / 1000), timezoneOffset: 0 },
            })
            .catch((error: unknown) => {
              throw new BridgeError(
                'CONFLICT',
                `proposal ${describe(ref)} cannot be merged into "${record.base}": ${(error as Error).message}`,
              );
            });
          mergeCommit = result.oid as string;
        }
        await git.writeRef({ ...store, ref: `refs/heads/${record.base}`, value: mergeCommit, force: true });
        const merged: LocalRecord = { ...record, commit: branchHead, state: 'merged', mergeCommit };
        await writeRecord(store, merged);
        await git.deleteRef({ ...store, ref: `refs/heads/${record.branch}` });
        return status(merged);
      }),
  };
}

function describe(ref: ProposalRef): string {
  return ref.number !== undefined ? `#${ref.number} (${ref.branch})` : `on branch "${ref.branch}"`;
}
