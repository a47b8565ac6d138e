/**
 * Runs every benchmark (bench/*.bench.ts) in its own process, one after the other, and writes
 * their markdown sections into bench/RESULTS.md with the machine they ran on.
 * Usage: npm run bench [-- name ...]   (names filter by file name, e.g. `npm run bench -- margo`)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

const resultsUrl = new URL('RESULTS.md', import.meta.url);
/** Sections of benchmarks not run this time are kept from the previous RESULTS.md, marked by file. */
const sections = new Map<string, string>();
if (existsSync(resultsUrl)) {
  for (const match of readFileSync(resultsUrl, 'utf8').matchAll(
    /<!-- bench:(\S+) -->\n([\s\S]*?)(?=\n<!-- bench:|$)/g,
  )) {
    sections.set(match[1]!, match[2]!.trim());
  }
}
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `${here}${file}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    sections.set(file, `## ${file}\n\nFailed with exit code ${result.status}.`);
  } else {
    sections.set(file, `${result.stdout.trim()}\n\n_Measured ${new Date().toISOString().slice(0, 10)}._`);
  }
}

const cpus = os.cpus();
const header = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
  'Each figure is the median of several runs; each ratio compares margo-bridge with a baseline measured in the same run.',
  '',
];
const body = [...sections.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([file, text]) => `<!-- bench:${file} -->\n${text}`)
  .join('\n\n');
const output = `${header.join('\n')}\n${body}\n`;
writeFileSync(resultsUrl, output);
process.stdout.write(output);
