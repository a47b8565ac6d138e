/**
 * Webhook intake: signed GitHub deliveries (a 7 KB tag push from @octokit/webhooks-examples, each
 * with its own delivery id) posted with autocannon on loopback to the real service process
 * (`margo-bridge serve`, SQLite, workers running), every 2xx stored durably before the answer
 * (group commit). Baselines measured in the same run, each in its own process like the service:
 * a plain Hono hello world (GET) and a Hono endpoint that only verifies the HMAC (same verifier).
 * Afterwards the database is checked: stored deliveries = 2xx answers.
 *
 * Server mode (used by the benchmark itself): `webhooks.bench.ts --serve hello|hmac`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { SQLITE_FILE } from '../src/store/open.js';
import { verifySignature } from '../src/webhooks/verify.js';
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
  try {
    const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
    const body = new TextDecoder().decode(jsonBody(payload));
    const headers = forgeHeaders('github', new TextEncoder().encode(body), SECRET, { event: 'push' });
    /** Each request its own delivery id, else the service would answer duplicates without storing. */
    const signedDelivery = (prefix: string) => {
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
    const configFile = await writeServiceConfig(work, {
      dataDir: join(work, 'data'),
      port: 0,
      logLevel: 'warn',
      adminToken: 'bench-admin-token-0123456789',
      webhooks: { secrets: [SECRET] },
    });
    const bridge = await startServiceProcess(configFile);
    children.push(bridge.child);

    const targets = [
      { name: 'hello', url: hello.url, requests: [{ method: 'GET', path: '/', headers: {} }] },
      { name: 'hmac', url: hmac.url, requests: [signedDelivery('hmac')] },
      { name: 'bridge', url: bridge.url, requests: [signedDelivery('bench')] },
    ];
    const results = new Map<string, CannonResult[]>(targets.map((target) => [target.name, []]));
    // Warm-up, then interleaved runs so that a noisy neighbour hits every target alike.
    let bridgeAnswered = 0;
    for (const target of targets) {
      const warm = await autocannon({
        url: target.url,
        connections: CONNECTIONS,
        duration: 1,
        requests: target.requests,
      });
      if (target.name === 'bridge') bridgeAnswered += warm['2xx'];
    }
    for (let run = 0; run < RUNS; run++) {
      for (const target of targets) {
        const result = await autocannon({
          url: target.url,
          connections: CONNECTIONS,
          duration: DURATION_SECONDS,
          requests: target.requests,
        });
        results.get(target.name)?.push(result);
        if (target.name === 'bridge') bridgeAnswered += result['2xx'];
      }
    }

    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    const batchSum = Number(/margo_bridge_webhook_commit_batch_size_sum (\S+)/.exec(metrics)?.[1] ?? Number.NaN);
    const batchCount = Number(/margo_bridge_webhook_commit_batch_size_count (\S+)/.exec(metrics)?.[1] ?? Number.NaN);
    await bridge.kill('SIGTERM');
    const db = new Database(join(work, 'data', SQLITE_FILE), { readonly: true });
    const stored = (
      db.prepare("select count(*) as n from deliveries where delivery_id like 'bench-%'").get() as {
        n: number;
      }
    ).n;
    db.close();

    const rate = (name: string) => median((results.get(name) ?? []).map((r) => r.requests.average));
    const p = (name: string, key: 'p50' | 'p99') => median((results.get(name) ?? []).map((r) => r.latency[key]));
    const failures = (name: string) =>
      (results.get(name) ?? []).reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;

    printSection(
      'Webhooks: signed deliveries accepted durably (autocannon, loopback)',
      [
        {
          what: 'verified deliveries/s, stored before the 2xx (SQLite, group commit)',
          value: fmt(rate('bridge'), 0),
          baseline: `${fmt(rate('hmac'), 0)} (HMAC-only endpoint)`,
          ratio: ratio(rate('bridge'), rate('hmac')),
        },
        {
          what: 'the same against plain Hono hello world (GET)',
          value: fmt(rate('bridge'), 0),
          baseline: `${fmt(rate('hello'), 0)} req/s`,
          ratio: ratio(rate('bridge'), rate('hello')),
        },
        {
          what: 'latency p50 / p99 (ms)',
          value: `${fmt(p('bridge', 'p50'))} / ${fmt(p('bridge', 'p99'))}`,
          baseline: `HMAC ${fmt(p('hmac', 'p50'))} / ${fmt(p('hmac', 'p99'))}; hello ${fmt(p('hello', 'p50'))} / ${fmt(p('hello', 'p99'))}`,
        },
        {
          what: 'deliveries per database commit (mean)',
          value: fmt(batchSum / batchCount, 1),
        },
        {
          what: 'non-2xx, errors, timeouts (all runs)',
          value: String(failures('bridge')),
          baseline: `HMAC ${failures('hmac')}; hello ${failures('hello')}`,
        },
        {
          what: 'deliveries in the database ≥ 2xx answers (a request cut off at the end of a run may be stored unanswered)',
          value: `${stored} ≥ ${bridgeAnswered}: ${stored >= bridgeAnswered ? 'yes' : 'NO'}`,
        },
      ],
      [
        `${CONNECTIONS} connections, ${DURATION_SECONDS} s per run, median of ${RUNS} interleaved runs after a 1 s warm-up each; ` +
          'each server in its own process; the service runs `margo-bridge serve` (log level warn, job workers on) ' +
          'with a 7 KB GitHub tag push for a repository no registry watches, so each delivery is also handled (ignored) by the job queue meanwhile.',
      ],
    );
  } finally {
    for (const child of children) await stop(child);
    await rm(work, { recursive: true, force: true });
  }
}
