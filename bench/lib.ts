/**
 * Shared helpers for benchmarks. Every benchmark measures margo-bridge against a baseline
 * measured in the same run (plain Hono, native git) and reports ratios, as medians of several runs.
 */
import { performance } from 'node:perf_hooks';

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `work` `runs` times after `warmup` runs; returns each run's duration in milliseconds. */
export async function timeRuns(work: () => Promise<unknown> | unknown, runs: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    durations.push(performance.now() - start);
  }
  return durations;
}

export interface BenchRow {
  what: string;
  value: string;
  baseline?: string;
  ratio?: string;
}

/** Prints one markdown section: bench/run.ts collects these into bench/RESULTS.md. */
export function printSection(title: string, rows: BenchRow[], notes: string[] = []): void {
  const lines = [`## ${title}`, '', '| measure | margo-bridge | baseline | ratio |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.what} | ${row.value} | ${row.baseline ?? ''} | ${row.ratio ?? ''} |`);
  for (const note of notes) lines.push('', note);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

export function fmt(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
