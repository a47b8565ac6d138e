/**
 * The set of metrics of a process: counters and histograms with labels, rendered in the Prometheus text
 * format (version 0.0.4). Pure code, so the same metrics work in every runtime.
 */

export type Labels = Record<string, string>;

export interface Counter {
  inc(labels?: Labels, amount?: number): void;
}

export interface Histogram {
  /** Records one observation (seconds for durations). */
  observe(labels: Labels, value: number): void;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  /** Replaces every series at once: a series not given is gone (a count that dropped to none). */
  replace(series: readonly { labels: Labels; value: number }[]): void;
}

interface Family {
  render(): string[];
}

export const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Metrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    const values = new Map<string, { labels: Labels; value: number }>();
    this.register(name, {
      render: () => [
        `# HELP ${name} ${escapeHelp(help)}`,
        `# TYPE ${name} counter`,
        ...[...values.values()].map(({ labels, value }) => `${name}${formatLabels(labels)} ${value}`),
      ],
    });
    return {
      inc(labels = {}, amount = 1) {
        const key = labelKey(labels);
        const entry = values.get(key) ?? { labels, value: 0 };
        entry.value += amount;
        values.set(key, entry);
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const values = new Map<string, { labels: Labels; value: number }>();
    this.register(name, {
      render: () => [
        `# HELP ${name} ${escapeHelp(help)}`,
        `# TYPE ${name} gauge`,
        ...[...values.values()].map(({ labels, value }) => `${name}${formatLabels(labels)} ${value}`),
      ],
    });
    return {
      set(labels, value) {
        values.set(labelKey(labels), { labels, value });
      },
      replace(series) {
        values.clear();
        for (const { labels, value } of series) values.set(labelKey(labels), { labels, value });
      },
    };
  }

  histogram(name: string, help: string, buckets: number[] = defaultBuckets): Histogram {
    const sorted = [...buckets].sort((a, b) => a - b);
    const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
    this.register(name, {
      render: () => {
        const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} histogram`];
        for (const { labels, counts, sum, count } of series.values()) {
          sorted.forEach((bound, index) => {
            lines.push(`${name}_bucket${formatLabels({ ...labels, le: String(bound) })} ${counts[index]}`);
          });
          lines.push(`${name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${count}`);
          lines.push(`${name}_sum${formatLabels(labels)} ${sum}`);
          lines.push(`${name}_count${formatLabels(labels)} ${count}`);
        }
        return lines;
      },
    });
    return {
      observe(labels, value) {
        const key = labelKey(labels);
        const entry = series.get(key) ?? { labels, counts: sorted.map(() => 0), sum: 0, count: 0 };
        sorted.forEach((bound, index) => {
          if (value <= bound) entry.counts[index]! += 1;
        });
        entry.sum += value;
        entry.count += 1;
        series.set(key, entry);
      },
    };
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.families.values()) lines.push(...family.render());
    return `${lines.join('\n')}\n`;
  }

  private register(name: string, family: Family): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.families.has(name)) throw new Error(`metric ${name} is registered twice`);
    this.families.set(name, family);
  }
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
