/**
 * Margo validation: descriptions validated per second over the example corpus, and the time to
 * reject a billion-laughs document. Baseline in the same run: plain `yaml` parsing of the same texts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { validateDocument } from '../src/margo/index.js';
import { fmt, median, printSection, timeRuns } from './lib.js';

const corpusUrl = new URL('../../shared/margo-examples/', import.meta.url);
const texts = readdirSync(corpusUrl)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => readFileSync(new URL(file, corpusUrl), 'utf8'));
const descriptions = texts.filter((text) => validateDocument(text).kind === 'description');

function billionLaughs(levels: number): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= levels; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

const ROUNDS = 20;
const RUNS = 7;

const validateMs = median(
  await timeRuns(() => {
    for (let r = 0; r < ROUNDS; r++) for (const text of descriptions) validateDocument(text);
  }, RUNS),
);
const parseMs = median(
  await timeRuns(() => {
    for (let r = 0; r < ROUNDS; r++) for (const text of descriptions) parseDocument(text).toJS();
  }, RUNS),
);
const perSecond = (descriptions.length * ROUNDS * 1000) / validateMs;
const parsePerSecond = (descriptions.length * ROUNDS * 1000) / parseMs;

const bomb = billionLaughs(9);
const rejected = validateDocument(bomb);
if (rejected.errors[0]?.code !== 'PARSE') throw new Error('the billion-laughs document was not rejected');
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const bombMs = median(await timeRuns(() => validateDocument(bomb), 15));
globalThis.gc?.();
const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
// The baseline only parses: expanding the aliases (toJS without a bound) would build 10^10 nodes.
const bombParseMs = median(await timeRuns(() => parseDocument(bomb), 15));

printSection(
  'Margo validation (validateDocument)',
  [
    {
      what: `descriptions validated per second (${descriptions.length} corpus descriptions)`,
      value: fmt(perSecond, 0),
      baseline: `${fmt(parsePerSecond, 0)} (yaml parse + toJS)`,
      ratio: `${fmt(perSecond / parsePerSecond, 2)}×`,
    },
    {
      what: 'billion-laughs rejection (9 levels, 10^10 nodes if expanded)',
      value: `${fmt(bombMs, 3)} ms`,
      baseline: `${fmt(bombParseMs, 3)} ms (yaml parse only)`,
      ratio: `${fmt(bombMs / bombParseMs, 2)}×`,
    },
    { what: 'heap retained after 15 rejections (after GC)', value: `${fmt(heapGrowth / 1024 / 1024, 1)} MiB` },
  ],
  [
    `Medians of ${RUNS} runs of ${ROUNDS} rounds over the corpus descriptions (files of shared/margo-examples that are descriptions, including invalid ones); validation includes positions, zod structure checks, rules and normalisation.`,
  ],
);
