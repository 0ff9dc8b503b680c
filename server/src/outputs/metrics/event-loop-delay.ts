import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds in place of prom-client's own,
 * which read an event-loop-delay histogram it empties at every scrape: a second scrape within
 * one sampling period (two Prometheus replicas, a test) found it empty and wrote NaN (mean,
 * stddev) and 9.2e9 s (min). Here an empty window keeps the figures of the last one that had
 * samples, so every sample is a number.
 */
const FIGURES = [
  ['min', 'The minimum recorded event loop delay.', (h: Histogram) => h.min],
  ['max', 'The maximum recorded event loop delay.', (h: Histogram) => h.max],
  ['mean', 'The mean of the recorded event loop delays.', (h: Histogram) => h.mean],
  ['stddev', 'The standard deviation of the recorded event loop delays.', (h: Histogram) => h.stddev],
  ['p50', 'The 50th percentile of the recorded event loop delays.', (h: Histogram) => h.percentile(50)],
  ['p90', 'The 90th percentile of the recorded event loop delays.', (h: Histogram) => h.percentile(90)],
  ['p99', 'The 99th percentile of the recorded event loop delays.', (h: Histogram) => h.percentile(99)],
] as const;

type Histogram = ReturnType<typeof monitorEventLoopDelay>;

/**
 * Replaces prom-client's event-loop-delay gauges in `registry`. Like prom-client's, the sampler
 * lives as long as the process (it holds no handle open).
 */
export function eventLoopDelayGauges(registry: Registry): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const gauges: Array<{ gauge: Gauge; read: (h: Histogram) => number }> = [];
  // The first gauge's collect sets all seven (registered after it), so they describe one window.
  const collect = (): void => {
    if (histogram.count === 0) return;
    for (const { gauge, read } of gauges) gauge.set(read(histogram) / 1e9);
    histogram.reset();
  };
  FIGURES.forEach(([figure, help, read], i) => {
    const name = `nodejs_eventloop_lag_${figure}_seconds`;
    registry.removeSingleMetric(name);
    gauges.push({ gauge: new Gauge({ name, help, registers: [registry], ...(i === 0 ? { collect } : {}) }), read });
  });
}
