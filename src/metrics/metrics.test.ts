import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', () => {
    const metrics = new Metrics();
    const requests = metrics.counter('http_requests_total', 'Requests.');
    const queued = metrics.gauge('jobs', 'Jobs.');
    const duration = metrics.histogram('duration_seconds', 'Duration.', [0.1, 1]);
    requests.inc({ route: '/a', status: '200' });
    requests.inc({ status: '200', route: '/a' });
    requests.inc({ route: '/b"\\', status: '500' }, 3);
    queued.set({ state: 'dead' }, 2);
    duration.observe({ kind: 'poll' }, 0.05);
    duration.observe({ kind: 'poll' }, 0.5);
    duration.observe({ kind: 'poll' }, 5);
    const text = metrics.render();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_requests_total{route="/a",status="200"} 2');
    expect(text).toContain('http_requests_total{route="/b\\"\\\\",status="500"} 3');
    expect(text).toContain('jobs{state="dead"} 2');
    expect(text).toContain('duration_seconds_bucket{kind="poll",le="0.1"} 1');
    expect(text).toContain('duration_seconds_bucket{kind="poll",le="1"} 2');
    expect(text).toContain('duration_seconds_bucket{kind="poll",le="+Inf"} 3');
    expect(text).toContain('duration_seconds_sum{kind="poll"} 5.55');
    expect(text).toContain('duration_seconds_count{kind="poll"} 3');
  });

  it('replaces the series of a gauge at once, dropping those not given', () => {
    const metrics = new Metrics();
    const queued = metrics.gauge('jobs', 'Jobs.');
    queued.replace([
      { labels: { state: 'pending' }, value: 3 },
      { labels: { state: 'dead' }, value: 1 },
    ]);
    queued.replace([{ labels: { state: 'dead' }, value: 1 }]);
    const text = metrics.render();
    expect(text).toContain('jobs{state="dead"} 1');
    expect(text).not.toContain('state="pending"');
  });

  it('refuses a name registered twice', () => {
    const metrics = new Metrics();
    metrics.counter('x_total', 'X.');
    expect(() => metrics.counter('x_total', 'X.')).toThrow('registered twice');
  });
});
