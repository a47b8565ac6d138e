/**
 * The `git` provider: any Git server over HTTPS, with the connection settings registries have
 * (basic or bearer auth, custom CA, mTLS, address guard, allowHttp for local servers), through
 * isomorphic-git with the HTTP client passed in. Each operation works in a fresh in-memory
 * object store: `ls-refs`, a depth-1 fetch of the branches it needs, one commit, one push.
 *
 * The branch is the proposal: open while it exists and the base branch does not contain its
 * commit, merged once it does; `close` deletes it. Forges with pull requests (Gitea, GitLab)
 * slot in as a review surface over the same commit-and-push steps (a later `forge` setting).
 */
import git, { type HttpClient } from 'isomorphic-git';
import { BridgeError, isBridgeError } from '../errors.js';
import { MemoryFs } from '../registry/memory-fs.js';
import { authorizationHeaders, type RegistryHttp } from '../registry/reader.js';
import { redactUrl } from '../urls.js';
import type { DeploymentProvider, ProposalRef, ProposalStatus, ProposeInput, ProposeResult } from './interface.js';
import { contains, type ObjectStore, proposalCommit, readFilesAt } from './objects.js';
import type { GitProviderSettings } from './settings.js';
import { checkBranchName, checkProposeInput } from './tree.js';

export interface GitPlatform {
  /** The HTTP client for this server: its TLS settings and the outbound address guard. */
  connect(settings: GitProviderSettings): RegistryHttp;
  now?: () => number;
}

/** How far back the base branch is read to tell whether a proposal's commit was merged. */
const mergedDepth = 50;

interface Session {
  store: ObjectStore;
  http: HttpClient;
  url: string;
  headers(): Record<string, string>;
}

export function createGitProvider(settings: GitProviderSettings, platform: GitPlatform): DeploymentProvider {
  const url = checkedUrl(settings);
  const where = redactUrl(url);
  const now = platform.now ?? Date.now;
  const timeoutMs = settings.timeoutMs ?? 30_000;
  const baseBranch = settings.baseBranch ?? 'main';

  async function session<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new BridgeError('DEPLOY_UNREACHABLE', `deployment repository ${where} did not answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    const connection = platform.connect(settings);
    const http: HttpClient = {
      request: (request) => connection.client.request({ ...request, signal: controller.signal }),
    };
    const fs = new MemoryFs();
    const store: ObjectStore = { fs, gitdir: '/repository.git' };
    try {
      await git.init({ ...store, bare: true });
      await git.addRemote({ ...store, remote: 'origin', url });
      // A copy per call: isomorphic-git adds its own headers to the object it is given.
      return await work({ store, http, url, headers: () => authorizationHeaders(settings) });
    } catch (error) {
      if (controller.signal.aborted && isBridgeError(controller.signal.reason)) throw controller.signal.reason;
      throw translate(error, where);
    } finally {
      clearTimeout(timer);
      connection.close();
    }
  }

  async function branches(s: Session, prefix = ''): Promise<Map<string, string>> {
    const refs = await git.listServerRefs({
      http: s.http,
      url: s.url,
      headers: s.headers(),
      protocolVersion: 2,
      prefix: `refs/heads/${prefix}`,
    });
    return new Map(refs.map((ref) => [ref.ref.slice('refs/heads/'.length), ref.oid]));
  }

  /** Fetches `branch` (its last `depth` commits) and returns its tip. */
  async function fetchBranch(s: Session, branch: string, depth: number): Promise<string> {
    const result = await git.fetch({
      ...s.store,
      http: s.http,
      url: s.url,
      headers: s.headers(),
      ref: branch,
      singleBranch: true,
      depth,
      tags: false,
    });
    if (!result.fetchHead) throw new BridgeError('DEPLOY_NOT_FOUND', `branch "${branch}" does not exist in ${where}`);
    return result.fetchHead;
  }

  function requireBase(refs: Map<string, string>, base: string): void {
    if (!refs.has(base)) throw new BridgeError('DEPLOY_NOT_FOUND', `base branch "${base}" does not exist in ${where}`);
  }

  /** Commits of the base branch's recent history, for telling merged proposals from open ones. */
  async function baseHistory(s: Session, base: string): Promise<Set<string>> {
    await fetchBranch(s, base, mergedDepth);
    const log = await git.log({ ...s.store, ref: `refs/remotes/origin/${base}`, depth: mergedDepth });
    return new Set(log.map((entry) => entry.oid));
  }

  function status(branch: string, commit: string, history: Set<string> | undefined, baseTip?: string): ProposalStatus {
    const merged = history?.has(commit) === true;
    return {
      branch,
      state: merged ? 'merged' : 'open',
      commit,
      url: `${where}#${branch}`,
      ...(merged && baseTip ? { mergeCommit: baseTip } : {}),
    };
  }

  async function push(s: Session, branch: string, commit: string): Promise<void> {
    await git.writeRef({ ...s.store, ref: `refs/heads/${branch}`, value: commit, force: true });
    const result = await git.push({
      ...s.store,
      http: s.http,
      url: s.url,
      headers: s.headers(),
      ref: `refs/heads/${branch}`,
      remoteRef: `refs/heads/${branch}`,
      force: true,
    });
    if (!result.ok) {
      const reason = result.refs[`refs/heads/${branch}`]?.error ?? result.error ?? 'rejected';
      throw new BridgeError('DEPLOY_PERMISSION', `${where} refused the push of branch "${branch}": ${reason}`);
    }
  }

  return {
    check: (base) =>
      session(async (s) => {
        checkBranchName(base);
        requireBase(await branches(s, base), base);
        try {
          await git.getRemoteInfo2({
            http: s.http,
            url: s.url,
            headers: s.headers(),
            forPush: true,
            protocolVersion: 1,
          });
        } catch (error) {
          const status = httpStatus(error);
          if (status === 401 || status === 403 || status === 404) {
            throw new BridgeError(
              'DEPLOY_PERMISSION',
              `the credentials may read ${where} but not push to it (git-receive-pack answered HTTP ${status}): write access is needed`,
              { status },
            );
          }
          throw error;
        }
      }),

    readFiles: (branch, folder) =>
      session(async (s) => {
        if (!(await branches(s, branch)).has(branch)) return [];
        return readFilesAt(s.store, await fetchBranch(s, branch, 1), folder);
      }),

    headCommit: (branch) => session(async (s) => (await branches(s, branch)).get(branch)),

    propose: (input: ProposeInput) =>
      session(async (s): Promise<ProposeResult> => {
        checkProposeInput(input);
        const refs = await branches(s);
        requireBase(refs, input.base);
        let branchHead = refs.get(input.branch);
        const baseCommit = await fetchBranch(s, input.base, branchHead ? mergedDepth : 1);
        // A branch the base already contains is a merged proposal: the next one starts afresh.
        if (branchHead && (await contains(s.store, baseCommit, branchHead, mergedDepth))) branchHead = undefined;
        if (branchHead) branchHead = await fetchBranch(s, input.branch, 1);
        const planned = await proposalCommit(s.store, input, baseCommit, branchHead, now());
        if (planned.kind === 'unchanged') {
          return {
            outcome: 'unchanged',
            ...(branchHead ? { proposal: status(input.branch, branchHead, undefined) } : {}),
          };
        }
        if (planned.written) await push(s, input.branch, planned.commit);
        const outcome = !branchHead ? 'created' : planned.written ? 'updated' : 'adopted';
        return { outcome, proposal: status(input.branch, planned.commit, undefined) };
      }),

    getProposal: (ref: ProposalRef) =>
      session(async (s) => {
        const refs = await branches(s);
        const commit = refs.get(ref.branch);
        if (!commit) return undefined;
        const history = refs.has(baseBranch) ? await baseHistory(s, baseBranch) : undefined;
        return status(ref.branch, commit, history, refs.get(baseBranch));
      }),

    listOpenProposals: (branchPrefix) =>
      session(async (s) => {
        const refs = await branches(s);
        const history = refs.has(baseBranch) ? await baseHistory(s, baseBranch) : undefined;
        return [...refs]
          .filter(([branch]) => branch !== baseBranch && branch.startsWith(branchPrefix))
          .map(([branch, commit]) => status(branch, commit, history))
          .filter((proposal) => proposal.state === 'open');
      }),

    close: (ref: ProposalRef) =>
      session(async (s) => {
        const commit = (await branches(s, ref.branch)).get(ref.branch);
        if (!commit) throw new BridgeError('NOT_FOUND', `branch "${ref.branch}" does not exist in ${where}`);
        // isomorphic-git resolves `ref` even for a deletion.
        await git.writeRef({ ...s.store, ref: `refs/heads/${ref.branch}`, value: commit, force: true });
        const result = await git.push({
          ...s.store,
          http: s.http,
          url: s.url,
          headers: s.headers(),
          ref: `refs/heads/${ref.branch}`,
          remoteRef: `refs/heads/${ref.branch}`,
          delete: true,
        });
        if (!result.ok) throw new BridgeError('DEPLOY_PERMISSION', `${where} refused to delete branch "${ref.branch}"`);
        return { branch: ref.branch, state: 'closed', commit, url: `${where}#${ref.branch}` };
      }),
  };
}

function checkedUrl(settings: GitProviderSettings): string {
  let parsed: URL;
  try {
    parsed = new URL(settings.url);
  } catch {
    throw new BridgeError(
      'CONFIG_INVALID',
      `deployment repository URL "${redactUrl(settings.url)}" is not a valid URL`,
    );
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `deployment repository URL ${redactUrl(settings.url)} must not contain credentials, a query or a fragment; set credentials in its auth settings`,
    );
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && settings.allowHttp)) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `deployment repository URL ${redactUrl(settings.url)} must use https (plain http only with allowHttp, for local servers)`,
    );
  }
  return parsed.toString().replace(/\/+$/, '');
}

function httpStatus(error: unknown): number | undefined {
  const data = (error as { code?: string; data?: { statusCode?: number } } | null) ?? {};
  return data.code === 'HttpError' ? data.data?.statusCode : undefined;
}

/** isomorphic-git's and the HTTP client's errors in deployment words. */
function translate(error: unknown, where: string): unknown {
  const status = httpStatus(error);
  if (status === 401) {
    return new BridgeError('DEPLOY_AUTH', `${where} refused the credentials (HTTP 401 Unauthorized)`, { status });
  }
  if (status === 403) {
    return new BridgeError(
      'DEPLOY_PERMISSION',
      `${where} refused access (HTTP 403 Forbidden): write access is needed`,
      {
        status,
      },
    );
  }
  if (status === 404) return new BridgeError('DEPLOY_NOT_FOUND', `no repository at ${where} (HTTP 404)`, { status });
  if (status !== undefined) {
    return new BridgeError('DEPLOY_UNREACHABLE', `${where} answered HTTP ${status}`, { status });
  }
  if (isBridgeError(error)) {
    // The shared HTTP client speaks of registries; here it is the deployment repository. Network
    // failures may pass (retry); TLS settings and the address guard (REGISTRY_TLS, ADDRESS_REFUSED) will not.
    const message = error.message.replace(/registry/g, 'deployment repository');
    if (['REGISTRY_UNREACHABLE', 'REGISTRY_DNS', 'REGISTRY_TIMEOUT', 'REGISTRY_PROTOCOL'].includes(error.code)) {
      return new BridgeError('DEPLOY_UNREACHABLE', message, error.details);
    }
    return new BridgeError(error.code, message, error.details);
  }
  const code = (error as { code?: string } | null)?.code;
  if (code === 'SmartHttpError' || code === 'ParseError' || code === 'UnknownTransportError') {
    return new BridgeError('DEPLOY_UNREACHABLE', `${where} did not answer as a Git smart-HTTP server`);
  }
  return error;
}
