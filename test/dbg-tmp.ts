import http from 'isomorphic-git/http/web';
import { createRegistryRoot, buildFixtureRegistries } from './support/registries.js';
import { startGitServer } from './support/git-server.js';
import { createRegistryReader, memoryStorage } from '../src/registry/index.js';
const root = await createRegistryRoot();
const f = await buildFixtureRegistries(root);
const s = await startGitServer({ root });
const client = { async request(r: any) { const res = await http.request(r); const chunks: Uint8Array[] = []; async function* tap() { for await (const c of res.body as any) { console.log('chunk', c.constructor.name, c.length, JSON.stringify(new TextDecoder('latin1').decode(c.slice(0, 20)))); yield c; } } return { ...res, body: tap() }; } };
const reader = createRegistryReader({ storage: memoryStorage(), connect: () => ({ client: client as any, close() {} }) });
try { await reader.readRelease({ url: s.url('hello'), allowHttp: true, auth: { type: 'none' } }, 'v1.0.0'); console.log('ok'); } catch (e) { console.log(e); }
await s.stop();
