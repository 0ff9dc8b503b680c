import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { eventLoopDelayGauges } from '../../../server/src/outputs/metrics/event-loop-delay.js';

/**
 * Issue 25's NaN scan found nodejs_eventloop_lag_mean_seconds and _stddev_seconds NaN on a scrape
 * that came within one sampling period of the previous one: prom-client empties its event-loop
 * histogram at every scrape, and an empty one has no mean.
 */
const lagLines = (text: string): Map<string, number> =>
  new Map(
    text
      .split('\n')
      .filter((l) => l.startsWith('nodejs_eventloop_lag_'))
      .map((l) => [l.slice(0, l.indexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop delay gauges on back-to-back scrapes', () => {
  it('prom-client alone writes NaN on the second of two scrapes in a row (why ours replace its gauges)', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    await sleep(60);
    await registry.metrics();
    const second = lagLines(await registry.metrics());
    expect(second.get('nodejs_eventloop_lag_mean_seconds')).toBeNaN();
  });

  it('ours keep the last window with samples: every figure a number, min ≤ p50 ≤ max, all under a second', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    eventLoopDelayGauges(registry);
    await sleep(60);
    const first = lagLines(await registry.metrics());
    const second = lagLines(await registry.metrics());
    for (const figures of [first, second]) {
      expect(figures.size).toBe(8); // the seven from the histogram and prom-client's own lag
      for (const [name, value] of figures) expect(Number.isFinite(value), `${name} = ${value}`).toBe(true);
      const at = (f: string) => figures.get(`nodejs_eventloop_lag_${f}_seconds`) ?? Number.NaN;
      expect(at('min')).toBeLessThanOrEqual(at('p50'));
      expect(at('p50')).toBeLessThanOrEqual(at('max'));
      expect(at('max')).toBeLessThan(1);
      expect(at('min')).toBeGreaterThan(0);
    }
  });
});
