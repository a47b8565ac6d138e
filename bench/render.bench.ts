/**
 * Deployments rendered per second for the digitron example (resolve the spec's values, render
 * every file, hash them), against a baseline measured in the same run: the `yaml` library's
 * plain `stringify` of the same ApplicationDeployment object (no validation, no templates).
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { resolveDeployment } from '../src/margo/deployment/index.js';
import { validateDocument } from '../src/margo/index.js';
import { type RenderFormat, renderDeployment } from '../src/margo/render/index.js';
import { loadTemplates } from '../src/margo/render/templates-node.js';
import { fmt, median, printSection, timeRuns } from './lib.js';

const text = readFileSync(
  new URL(
    '../../shared/margo-examples/margo-specification_pre-draft_application-package-definition_digitron-orchestrator.margo.yaml',
    import.meta.url,
  ),
  'utf8',
);
const description = validateDocument(text).description;
if (!description) throw new Error('digitron example did not validate');
const values = {
  adminName: 'Some One',
  adminPrincipalName: 'someone@somewhere.com',
  cpuLimit: '4',
  idpClientId: '123-ABC',
  idpName: 'Azure AD',
  idpProvider: 'aad',
  idpUrl: 'https://123-abc.com',
  memoryLimit: '16384',
  pollFrequency: '120',
  siteId: 'SID-123-ABC',
};
const templates = await loadTemplates();
const newId = () => 'a3e2f5dc-912e-494f-8395-52cf3769bc06';

async function renderOnce(format: RenderFormat) {
  const resolved = resolveDeployment({
    description: description as NonNullable<typeof description>,
    profile: 'helm',
    target: 'plant-a/line-3',
    namespace: 'margo-poc',
    values,
    newId,
  });
  return renderDeployment(resolved, { format, templates });
}

const BATCH = 200;
const RUNS = 7;
const perSecond = (durations: number[]) => (BATCH * 1000) / median(durations);

const deploymentObject = parse((await renderOnce('margo')).files[0]?.content ?? '');
const baseline = perSecond(
  await timeRuns(() => {
    for (let i = 0; i < BATCH; i++) stringify(deploymentObject);
  }, RUNS),
);

const rows = [];
for (const format of ['margo', 'flux'] as const) {
  const rate = perSecond(
    await timeRuns(async () => {
      for (let i = 0; i < BATCH; i++) await renderOnce(format);
    }, RUNS),
  );
  const files = (await renderOnce(format)).files.length;
  rows.push({
    what: `digitron, helm profile, format ${format} (${files} files): deployments/s`,
    value: fmt(rate, 0),
    baseline: `${fmt(baseline, 0)} (yaml stringify of the ApplicationDeployment)`,
    ratio: `${fmt(rate / baseline, 2)}×`,
  });
}

printSection('Rendering desired state (render)', rows, [
  `Each figure is the median of ${RUNS} runs of ${BATCH} deployments. A deployment is: validate the End-User values, ` +
    'resolve targets and Helm overlays, fill the templates, write YAML, and hash all files (SHA-256, WebCrypto).',
]);
