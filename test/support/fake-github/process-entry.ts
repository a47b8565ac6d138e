/**
 * The fake GitHub in a child process of its own (process.ts starts it), so that a benchmark
 * measures the memory of the service apart from the fake's. Answers the parent's IPC calls
 * `{ id, method, args }` with `{ id, result }` or `{ id, error }`.
 */
import { type FakeGitHubOptions, startFakeGitHub } from './index.js';

const options = JSON.parse(process.env.FAKE_GITHUB_OPTIONS ?? '{}') as FakeGitHubOptions;
const gh = await startFakeGitHub(options);

/** A limited answer (403/429) is handled when a later request of the same method and path got through. */
function rateLimitSummary() {
  const limited = { 403: 0, 429: 0, handled: 0 };
  const requests = gh.requests;
  const passedAfter = new Map<string, number>();
  for (let i = requests.length - 1; i >= 0; i--) {
    const record = requests[i]!;
    const key = `${record.method} ${record.path}`;
    if (record.status === 403 || record.status === 429) {
      limited[record.status] += 1;
      if ((passedAfter.get(key) ?? -1) > i) limited.handled += 1;
    } else if (record.status > 0 && record.status < 500) {
      if (!passedAfter.has(key)) passedAfter.set(key, i);
    }
  }
  return limited;
}

const methods: Record<string, (...args: never[]) => unknown> = {
  createRepo: (repoOptions: Parameters<typeof gh.createRepo>[0]) => gh.createRepo(repoOptions).then(() => undefined),
  addToken: (tokenOptions: Parameters<typeof gh.addToken>[0]) => gh.addToken(tokenOptions),
  injectFault: (rule: Parameters<typeof gh.injectFault>[0]) => gh.injectFault(rule),
  pendingFaults: () => gh.pendingFaults(),
  clearRequests: () => gh.clearRequests(),
  routeCounts: () => gh.routeCounts(),
  /** Per `METHOD route`: REST requests and the milliseconds the fake took to answer them. */
  routeTimes: () => {
    const times: Record<string, { calls: number; ms: number }> = {};
    for (const record of gh.requests) {
      if (record.durationMs === undefined) continue;
      const key = `${record.method} ${record.route ?? record.path}`;
      const entry = times[key] ?? { calls: 0, ms: 0 };
      times[key] = { calls: entry.calls + 1, ms: entry.ms + record.durationMs };
    }
    return times;
  },
  restCalls: () => gh.requests.filter((record) => !record.route?.startsWith('/{owner}/{repo}.git')).length,
  rateLimits: rateLimitSummary,
  pulls: (owner: string, repo: string) =>
    gh.pulls(owner, repo).map((pull) => ({
      number: pull.number,
      state: pull.state,
      title: pull.title,
      head: pull.head,
      merged: pull.mergedAt !== null,
    })),
  /** Peak resident set size of this process, in bytes. */
  peakRss: () => process.resourceUsage().maxRSS * 1024,
  stop: async () => {
    await gh.stop();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', async (message: { id: number; method: string; args: never[] }) => {
  try {
    const method = methods[message.method];
    if (!method) throw new Error(`fake GitHub process: no method ${message.method}`);
    process.send?.({ id: message.id, result: await method(...message.args) });
  } catch (error) {
    process.send?.({ id: message.id, error: (error as Error).message });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: gh.apiUrl });
