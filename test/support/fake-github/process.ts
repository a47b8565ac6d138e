/**
 * Starts the fake GitHub in a child process (process-entry.ts) and talks to it over IPC: for
 * benchmarks, whose peak memory must be the service's own, not the fake's. Offers the part of
 * FakeGitHub a benchmark needs; pull requests come back as summaries.
 *
 *   const gh = await startFakeGitHubProcess({ rateLimit: 50_000, recordResponses: false });
 *   await gh.createRepo({ owner: 'acme', repo: 'fleet' });
 *   ...
 *   await gh.stop();
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CreateRepoOptions, FakeGitHubOptions, FaultRule, TokenOptions } from './index.js';

export interface PullSummary {
  number: number;
  state: 'open' | 'closed';
  title: string;
  head: string;
  merged: boolean;
}

/** 403 and 429 answers the fake gave, and how many of them a later request of the same method and path got past. */
export interface RateLimitSummary {
  403: number;
  429: number;
  handled: number;
}

export interface FakeGitHubProcess {
  apiUrl: string;
  pid: number;
  createRepo(options: CreateRepoOptions): Promise<void>;
  addToken(options?: TokenOptions): Promise<string>;
  /** Only string routes: a RegExp does not cross the process boundary. */
  injectFault(rule: FaultRule & { route: string }): Promise<void>;
  pendingFaults(): Promise<number>;
  clearRequests(): Promise<void>;
  routeCounts(): Promise<Record<string, number>>;
  /** Per `METHOD route`: REST requests and the milliseconds the fake took to answer them. */
  routeTimes(): Promise<Record<string, { calls: number; ms: number }>>;
  /** REST requests since the last clearRequests (Git smart HTTP left out). */
  restCalls(): Promise<number>;
  rateLimits(): Promise<RateLimitSummary>;
  pulls(owner: string, repo: string): Promise<PullSummary[]>;
  /** Peak resident set size of the fake's process, in bytes. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

export async function startFakeGitHubProcess(options: FakeGitHubOptions = {}): Promise<FakeGitHubProcess> {
  const entry = fileURLToPath(new URL('./process-entry.ts', import.meta.url));
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAKE_GITHUB_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake GitHub process exited with ${code} before it was ready`)));
    child.on('message', (message: { ready?: string; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) return resolve(message.ready);
      const pending = message.id === undefined ? undefined : waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id!);
      if (message.error !== undefined) pending.reject(new Error(message.error));
      else pending.resolve(message.result);
    });
  });
  child.on('exit', () => {
    for (const pending of waiting.values()) pending.reject(new Error('fake GitHub process exited'));
    waiting.clear();
  });

  function call<T>(method: string, ...args: unknown[]): Promise<T> {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, method, args });
    });
  }

  return {
    apiUrl,
    pid: child.pid ?? 0,
    createRepo: (repoOptions) => call('createRepo', repoOptions),
    addToken: (tokenOptions) => call('addToken', tokenOptions ?? {}),
    injectFault: (rule) => call('injectFault', rule),
    pendingFaults: () => call('pendingFaults'),
    clearRequests: () => call('clearRequests'),
    routeCounts: () => call('routeCounts'),
    routeTimes: () => call('routeTimes'),
    restCalls: () => call('restCalls'),
    rateLimits: () => call('rateLimits'),
    pulls: (owner, repo) => call('pulls', owner, repo),
    peakRss: () => call('peakRss'),
    stop: async () => {
      if (child.exitCode === null) {
        await call('stop').catch(() => undefined);
        await exited;
      }
    },
  };
}
