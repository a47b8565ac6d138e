/** The Workers bundle's size, as `npm run build:worker` builds it (test/worker-bundle.test.ts checks the limit). */
import { buildWorkerBundle, WORKER_GZIP_LIMIT } from '../test/support/worker-bundle.js';
import { fmt, printSection } from './lib.js';

const bundle = await buildWorkerBundle();
const kib = (bytes: number) => `${fmt(bytes / 1024)} KiB`;
printSection(
  'Workers bundle (wrangler deploy --dry-run)',
  [
    { what: 'worker.js, gzipped (goal < 1 MiB)', value: kib(bundle.gzipBytes), baseline: kib(WORKER_GZIP_LIMIT) },
    { what: 'worker.js, as uploaded', value: kib(bundle.bytes) },
  ],
  [
    'One build, not minified (stack traces stay readable); the templates are bundled beside it as text modules of a few hundred bytes each. ' +
      `Node modules it still imports, served by workerd under nodejs_compat: ${bundle.nodeImports.join(', ')}.`,
  ],
);
