/**
 * Webhook intake: signed GitHub deliveries (a 7 KB tag push from @octokit/webhooks-examples, each
 * with its own delivery id) posted with autocannon on loopback to the real service process
 * (`margo-bridge serve`, SQLite; with its job workers running, with them idle, and for a repository a
 * registry on a local Git server watches, so that every delivery is handled by a job), every 2xx stored
 * durably before the answer (group commit). Baselines measured in the same run, each in its own
 * process like the service: a plain Hono hello world (GET) and a Hono endpoint that only verifies
 * the HMAC (same verifier). Afterwards each database is checked: stored deliveries ≥ 2xx answers.
 *
 * Server mode (used by the benchmark itself): `webhooks.bench.ts --serve hello|hmac`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { SQLITE_FILE } from '../src/store/node/open.js';
import { verifySignature } from '../src/webhooks/verify.js';
import { type GitServer, startGitServer } from '../test/support/git-server.js';
import { createRegistryRoot, helloPackage, publishRelease, removeRegistryRoot } from '../test/support/registries.js';
import { startServiceProcess, writeServiceConfig } from '../test/support/service-process.js';
import { forgeHeaders, githubExample, jsonBody } from '../test/support/webhooks.js';
import { fmt, median, printSection } from './lib.js';

const SECRET = 'bench-webhook-secret';
const CONNECTIONS = 50;
const DURATION_SECONDS = 5;
const RUNS = 3;

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type CannonRequest = { method: string; path: string; headers: Record<string, string>; body?: string };
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  requests: (CannonRequest & { setupRequest?: (request: CannonRequest) => CannonRequest })[];
}) => Promise<CannonResult>;

const serveMode = process.argv.indexOf('--serve');
if (serveMode >= 0) {
  await serveBaseline(process.argv[serveMode + 1] ?? '');
} else {
  await benchmark();
}

/** A baseline server in this process; prints its URL on stdout. */
async function serveBaseline(kind: string): Promise<void> {
  const app = new Hono();
  if (kind === 'hello') {
    app.get('/', (c) => c.text('Hello Hono!'));
  } else if (kind === 'hmac') {
    const secrets = [{ value: SECRET }];
    app.post('/webhooks/github', async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const verified = await verifySignature('github', c.req.raw.headers, body, secrets, Date.now());
      return verified.ok ? c.json({ status: 'accepted' }, 202) : c.json({ error: 'unauthorized' }, 401);
    });
  } else {
    throw new Error(`unknown baseline '${kind}'`);
  }
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
    process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

async function startBaseline(kind: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`baseline ${kind} exited with ${code}`)));
  });
  return { url, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function benchmark(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'mb-bench-webhooks-'));
  const children: ChildProcess[] = [];
  const root = await createRegistryRoot();
  let gitServer: GitServer | undefined;
  try {
    await publishRelease(root, 'hello', 'v1.0.0', await helloPackage('1.0.0'));
    gitServer = await startGitServer({ root });
    const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
    /** The same tag push about the registry on the local Git server: each one is handled (a poll joined, an event). */
    const watchedPayload = structuredClone(payload);
    const repository = watchedPayload.repository as Record<string, unknown>;
    repository.clone_url = gitServer.url('hello');
    repository.html_url = `${gitServer.baseUrl}/hello`;
    /** Each request its own delivery id, else the service would answer duplicates without storing. */
    const signedDelivery = (prefix: string, signed: Record<string, unknown> = payload) => {
      const body = new TextDecoder().decode(jsonBody(signed));
      const headers = forgeHeaders('github', new TextEncoder().encode(body), SECRET, { event: 'push' });
      let sequence = 0;
      return {
        method: 'POST',
        path: '/webhooks/github',
        headers,
        body,
        setupRequest: (request: CannonRequest) => ({
          ...request,
          headers: { ...request.headers, 'x-github-delivery': `${prefix}-${sequence++}` },
        }),
      };
    };

    const hello = await startBaseline('hello');
    const hmac = await startBaseline('hmac');
    children.push(hello.child, hmac.child);
    /** `serve` as configured by default (job workers handle deliveries meanwhile), and intake alone. */
    const services = [
      { name: 'bridge', jobs: {}, extra: {} },
      // The workers find the queue empty at start and sleep for a minute: the runs measure receipt only.
      { name: 'intake', jobs: { pollIntervalMs: 60_000 }, extra: {} },
      // Deliveries about a watched registry: each needs its delivery job (claimed and handled in batches).
      {
        name: 'watched',
        jobs: {},
        extra: {
          allowPrivateNetworks: true,
          polling: { interval: 3600, tick: 3600 },
          registries: [{ name: 'hello', url: gitServer.url('hello'), allowHttp: true, pollInterval: 3600 }],
        },
      },
    ];
    const bridges = new Map<
      string,
      { url: string; dataDir: string; kill: (signal: NodeJS.Signals) => Promise<unknown>; pid: number | undefined }
    >();
    for (const service of services) {
      const dir = join(work, service.name);
      await mkdir(dir);
      const configFile = await writeServiceConfig(dir, {
        dataDir: join(dir, 'data'),
        port: 0,
        logLevel: 'warn',
        adminToken: 'bench-admin-token-0123456789',
        webhooks: { secrets: [SECRET] },
        jobs: service.jobs,
        ...service.extra,
      });
      const started = await startServiceProcess(configFile);
      children.push(started.child);
      bridges.set(service.name, {
        url: started.url,
        dataDir: join(dir, 'data'),
        kill: started.kill,
        pid: started.child.pid,
      });
    }

    const targets = [
      { name: 'hello', url: hello.url, pid: hello.child.pid, requests: [{ method: 'GET', path: '/', headers: {} }] },
      { name: 'hmac', url: hmac.url, pid: hmac.child.pid, requests: [signedDelivery('hmac')] },
      ...services.map((service) => ({
        name: service.name,
        url: bridges.get(service.name)?.url ?? '',
        pid: bridges.get(service.name)?.pid,
        requests: [signedDelivery('bench', service.name === 'watched' ? watchedPayload : payload)],
      })),
    ];
    const results = new Map<string, CannonResult[]>(targets.map((target) => [target.name, []]));
    const answered = new Map<string, number>(targets.map((target) => [target.name, 0]));
    /** CPU milliseconds each server process spent during the measured runs (less noisy than rates on a shared machine). */
    const cpuMs = new Map<string, number>(targets.map((target) => [target.name, 0]));
    const measured = new Map<string, number>(targets.map((target) => [target.name, 0]));
    const count = (name: string, result: CannonResult) => answered.set(name, (answered.get(name) ?? 0) + result['2xx']);
    // Warm-up, then interleaved runs so that a noisy neighbour hits every target alike.
    for (const target of targets) {
      const warm = await autocannon({
        url: target.url,
        connections: CONNECTIONS,
        duration: 1,
        requests: target.requests,
      });
      count(target.name, warm);
    }
    const watchedDir = bridges.get('watched')?.dataDir ?? '';
    await drained(watchedDir, 0);
    /** Watched deliveries received and handled (through to the poll they joined) per second, per run. */
    const handledRates: number[] = [];
    /** Each run's handled rate over the receipt-only rate of the same round (measured just before it). */
    const handledRatios: number[] = [];
    /** Watched deliveries per handling batch (one transaction), per run. */
    const handlingBatches: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const target of targets) {
        const cpuBefore = processCpuMs(target.pid);
        const startedAt = Date.now();
        const result = await autocannon({
          url: target.url,
          connections: CONNECTIONS,
          duration: DURATION_SECONDS,
          requests: target.requests,
        });
        if (target.name === 'watched') {
          // Until the last delivery of the run is handled: its CPU and its rate include the handling.
          const drain = await drained(watchedDir, startedAt);
          handledRates.push((drain.handled * 1000) / (drain.lastHandledAt - startedAt));
          const intake = results.get('intake')?.[run];
          if (intake) handledRatios.push(handledRates.at(-1)! / intake.requests.average);
          handlingBatches.push(drain.handled / drain.batches);
        }
        cpuMs.set(target.name, (cpuMs.get(target.name) ?? 0) + processCpuMs(target.pid) - cpuBefore);
        measured.set(target.name, (measured.get(target.name) ?? 0) + result['2xx']);
        results.get(target.name)?.push(result);
        count(target.name, result);
      }
    }

    const checks = new Map<string, { batch: number; stored: number }>();
    for (const [name, bridge] of bridges) {
      const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
      const sum = Number(/margo_bridge_webhook_commit_batch_size_sum (\S+)/.exec(metrics)?.[1] ?? Number.NaN);
      const batches = Number(/margo_bridge_webhook_commit_batch_size_count (\S+)/.exec(metrics)?.[1] ?? Number.NaN);
      await bridge.kill('SIGTERM');
      const db = new Database(join(bridge.dataDir, SQLITE_FILE), { readonly: true });
      const row = db.prepare("select count(*) as n from deliveries where delivery_id like 'bench-%'").get() as {
        n: number;
      };
      db.close();
      checks.set(name, { batch: sum / batches, stored: row.n });
    }

    const rate = (name: string) => median((results.get(name) ?? []).map((r) => r.requests.average));
    const p = (name: string, key: 'p50' | 'p99') => median((results.get(name) ?? []).map((r) => r.latency[key]));
    const latency = (name: string) => `${fmt(p(name, 'p50'))} / ${fmt(p(name, 'p99'))}`;
    const failures = (name: string) =>
      (results.get(name) ?? []).reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;
    const cpuPerRequest = (name: string) =>
      ((cpuMs.get(name) ?? Number.NaN) * 1000) / (measured.get(name) ?? Number.NaN);
    const durable = (name: string) => {
      const check = checks.get(name);
      const sent = answered.get(name) ?? 0;
      return `${check?.stored} ≥ ${sent}: ${check !== undefined && check.stored >= sent ? 'yes' : 'NO'}`;
    };

    printSection(
      'Webhooks: signed deliveries accepted durably (autocannon, loopback)',
      [
        {
          what: 'verified deliveries/s stored before the 2xx (SQLite, group commit), job workers handling them meanwhile',
          value: fmt(rate('bridge'), 0),
          baseline: `${fmt(rate('hmac'), 0)} (HMAC-only endpoint)`,
          ratio: ratio(rate('bridge'), rate('hmac')),
        },
        {
          what: 'the same for a watched repository: every delivery handled by the job workers meanwhile (poll joined, event recorded)',
          value: fmt(rate('watched'), 0),
          baseline: `${fmt(rate('hmac'), 0)} (HMAC-only endpoint)`,
          ratio: ratio(rate('watched'), rate('hmac')),
        },
        {
          what: 'watched deliveries received AND handled (through to the enqueued poll) per second, until the last is handled (goal ≥ 0.7× receipt only; ratio: median of the runs, each against the receipt-only run just before it)',
          value: fmt(median(handledRates), 0),
          baseline: `${fmt(rate('intake'), 0)} (receipt only)`,
          ratio: `${fmt(median(handledRatios), 2)}×`,
        },
        {
          what: 'the same, receipt only (job workers idle)',
          value: fmt(rate('intake'), 0),
          baseline: `${fmt(rate('hmac'), 0)} (HMAC-only endpoint)`,
          ratio: ratio(rate('intake'), rate('hmac')),
        },
        {
          what: 'against plain Hono hello world (GET): with workers / receipt only',
          value: `${fmt(rate('bridge'), 0)} / ${fmt(rate('intake'), 0)}`,
          baseline: `${fmt(rate('hello'), 0)} req/s`,
          ratio: `${ratio(rate('bridge'), rate('hello'))} / ${ratio(rate('intake'), rate('hello'))}`,
        },
        {
          what: 'server CPU µs per answered request (all measured runs; user + system, all threads): receipt only; watched (received and handled)',
          value: `${fmt(cpuPerRequest('intake'), 0)}; ${fmt(cpuPerRequest('watched'), 0)}`,
          baseline: `HMAC ${fmt(cpuPerRequest('hmac'), 0)}; hello ${fmt(cpuPerRequest('hello'), 0)}`,
          ratio: ratio(cpuPerRequest('hmac'), cpuPerRequest('intake')),
        },
        {
          what: 'the same in CPU: µs per delivery, receipt only ÷ watched received and handled',
          value: `${fmt(cpuPerRequest('intake'), 0)} ÷ ${fmt(cpuPerRequest('watched'), 0)}`,
          ratio: ratio(cpuPerRequest('intake'), cpuPerRequest('watched')),
        },
        {
          what: 'latency p50 / p99 (ms): with workers; receipt only; watched',
          value: `${latency('bridge')}; ${latency('intake')}; ${latency('watched')}`,
          baseline: `HMAC ${latency('hmac')}; hello ${latency('hello')}`,
        },
        {
          what: 'deliveries per database commit (mean): with workers; receipt only; watched',
          value: ['bridge', 'intake', 'watched'].map((name) => fmt(checks.get(name)?.batch ?? Number.NaN)).join('; '),
        },
        {
          what: 'watched deliveries per handling transaction (mean of a run, median of the runs)',
          value: fmt(median(handlingBatches)),
        },
        {
          what: 'non-2xx, errors, timeouts (all runs): with workers; receipt only; watched',
          value: `${failures('bridge')}; ${failures('intake')}; ${failures('watched')}`,
          baseline: `HMAC ${failures('hmac')}; hello ${failures('hello')}`,
        },
        {
          what: 'deliveries in the database ≥ 2xx answers: with workers; receipt only; watched',
          value: `${durable('bridge')}; ${durable('intake')}; ${durable('watched')}`,
        },
      ],
      [
        `${CONNECTIONS} connections, ${DURATION_SECONDS} s per run, median of ${RUNS} interleaved runs after a 1 s warm-up each; ` +
          'each server in its own process. The service is `margo-bridge serve` (log level warn) receiving a 7 KB GitHub ' +
          'tag push (each with its own delivery id) for a repository no registry watches; "with workers" has the default ' +
          'job settings; such a delivery is stored as ignored at receipt (one registry lookup per batch), so it needs no job; ' +
          '"receipt only" keeps the workers asleep (jobs.pollIntervalMs 60 s). "Watched" posts the same push about a ' +
          'registry served by a local Git server (git http-backend): every delivery gets a job, claimed and handled in ' +
          'batches while deliveries arrive (poll joined, registry event), and the polls list tags meanwhile. ' +
          'The database may hold a few more deliveries ' +
          'than 2xx answers counted: a request cut off at the end of a run is stored but its answer is not counted. ' +
          'The handled rate counts the watched deliveries of each run that reached `handled` (their poll enqueued or joined) ' +
          'divided by the time from the start of the run until the last of them was handled (read from the database), so a ' +
          'backlog left at the end of the run counts against it; the watched CPU includes that drain. ' +
          "CPU per request is each server process's user + system time over the measured runs divided by its 2xx " +
          'answers: it depends less than the rates on what else the shared machine runs.',
      ],
    );
  } finally {
    for (const child of children) await stop(child);
    await gitServer?.stop();
    await removeRegistryRoot(root);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Waits (bounded) until no delivery received since `since` is pending in the service's SQLite
 * database; returns how many of them were handled and when the last one was.
 */
async function drained(
  dataDir: string,
  since: number,
): Promise<{ handled: number; lastHandledAt: number; batches: number }> {
  const deadline = Date.now() + 120_000;
  const db = new Database(join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    const pending = db.prepare("select count(*) as n from deliveries where received_at >= ? and result = 'pending'");
    const handled = db.prepare(
      "select count(*) as n, max(handled_at) as last from deliveries where received_at >= ? and result = 'handled'",
    );
    // The deliveries of one handling batch share its handled_at (two batches in the same millisecond count as one).
    const batches = db.prepare(
      "select count(distinct handled_at) as n from deliveries where received_at >= ? and result = 'handled'",
    );
    while ((pending.get(since) as { n: number }).n > 0) {
      if (Date.now() > deadline) throw new Error('watched deliveries were not handled within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const row = handled.get(since) as { n: number; last: number | null };
    return {
      handled: row.n,
      lastHandledAt: row.last ?? Number.NaN,
      batches: (batches.get(since) as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/** User + system CPU time of a process in ms, from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
