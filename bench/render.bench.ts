/**
 * Deployments rendered per second for the digitron example (resolve the spec's values, render
 * every file, hash them), against a baseline measured in the same run: the `yaml` library's
 * plain `stringify` of the same ApplicationDeployment object (no validation, no templates).
 */
import { parse, stringify } from 'yaml';
import type { RenderFormat } from '../src/margo/render/index.js';
import { digitron, renderDigitron } from '../test/support/render.js';
import { fmt, median, printSection, timeRuns } from './lib.js';

const description = digitron();

const renderOnce = (format: RenderFormat) => renderDigitron('helm', format, description);

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
