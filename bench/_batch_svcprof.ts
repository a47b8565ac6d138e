import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitServer } from '../test/support/git-server.js';
import { createRegistryRoot, helloPackage, publishRelease } from '../test/support/registries.js';
import { writeServiceConfig } from '../test/support/service-process.js';
import { forgeHeaders, githubExample, jsonBody } from '../test/support/webhooks.js';

const autocannon = createRequire(import.meta.url)('autocannon');
const SECRET = 's';
const root = await createRegistryRoot();
await publishRelease(root, 'hello', 'v1.0.0', await helloPackage('1.0.0'));
const git = await startGitServer({ root });
const dir = await mkdtemp(join(tmpdir(), 'mb-prof-'));
const unwatched = process.argv[2] === 'intake';
const config = await writeServiceConfig(dir, {
  dataDir: join(dir, 'data'), port: 0, logLevel: 'warn', adminToken: 'bench-admin-token-0123456789',
  webhooks: { secrets: [SECRET] }, allowPrivateNetworks: true, polling: { interval: 3600, tick: 3600 },
  jobs: unwatched ? { pollIntervalMs: 60000 } : {},
  registries: [{ name: 'hello', url: git.url('hello'), allowHttp: true, pollInterval: 3600 }],
});
const profArgs = process.argv[3] ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[3]}`] : [];
const child = spawn(process.execPath, [...profArgs, 'bin/margo-bridge.js', 'serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
const url = await new Promise<string>((resolve) => child.stderr.on('data', (c: Buffer) => { err += c; const m = /running at (\S+)/.exec(err); if (m) resolve(m[1]!); }));
const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
const repo = payload.repository as Record<string, unknown>;
if (!unwatched) { repo.clone_url = git.url('hello'); repo.html_url = `${git.baseUrl}/hello`; }
const body = new TextDecoder().decode(jsonBody(payload));
const headers = forgeHeaders('github', new TextEncoder().encode(body), SECRET, { event: 'push' });
let seq = 0;
import { readFileSync } from 'node:fs';
const cpu = () => { const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
await new Promise((res) => setTimeout(res, 1000));
const c0 = cpu();
const r = await autocannon({ url, connections: 50, duration: 8, requests: [{ method: 'POST', path: '/webhooks/github', headers, body, setupRequest: (q: any) => ({ ...q, headers: { ...q.headers, 'x-github-delivery': `d-${seq++}` } }) }] });
console.log('rate', r.requests.average);
await new Promise((res) => setTimeout(res, 4000));
console.log('cpu us/req', ((cpu() - c0) * 1000) / r['2xx'], 'answered', r['2xx']);
child.kill('SIGTERM');
await new Promise((res) => child.once('exit', res));
await git.stop();
