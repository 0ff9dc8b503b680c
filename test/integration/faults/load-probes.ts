/**
 * Pieces of the load test: real per-node payloads from the simulator, API tokens, latency probes
 * and sampled pushes on a fixed schedule, the server's resident memory and CPU from /proc, and
 * autocannon on a worker thread.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { authedFetch, bearer } from '../helpers/auth.js';
import { errorCode, mapLimit, sleep } from './push-load.js';

/** One simulated node's dcgm-exporter text, as GET /sim/nodes/:host/metrics serves it. */
export interface NodePayload {
  host: string;
  body: string;
  samples: number;
}

/** The text of `hosts` from a simulator-enabled server; `samples` counts the non-comment lines. */
export async function simNodePayloads(baseUrl: string, hosts: readonly string[]): Promise<NodePayload[]> {
  return mapLimit(hosts, 8, async (host) => {
    const response = await fetch(`${baseUrl}/sim/nodes/${encodeURIComponent(host)}/metrics`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET /sim/nodes/${host}/metrics answered ${response.status}: ${body}`);
    const samples = body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    return { host, body, samples };
  });
}

/** POST /api/v1/tokens with the admin token; the new token's secret. */
export async function createToken(baseUrl: string, name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const response = await authedFetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, role }),
  });
  const body = (await response.json()) as { token?: unknown };
  if (response.status !== 201 || typeof body.token !== 'string')
    throw new Error(`POST /api/v1/tokens answered ${response.status}: ${JSON.stringify(body)}`);
  return body.token;
}

export interface ProbeTarget {
  name: string;
  path: string;
  headers?: Record<string, string>;
  /** Called with each 200 answer's text (otherwise the body is read and dropped). */
  onText?: (text: string) => void;
}

/** One probe: when it was sent (ms since the probes started), how long the whole answer took, and what it was. */
export interface ProbeResult {
  atMs: number;
  latencyMs: number;
  status: number | null;
  error: string | null;
}

export interface ProbeSummary {
  name: string;
  count: number;
  /** Answers other than 200, and requests that got no answer (with what happened). */
  failures: string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * GETs each target every `intervalMs` on a fixed schedule, not waiting for the last answer: a
 * stall is then seen by every probe sent during it, instead of by one slow probe (the coordinated
 * omission a loop that waits would have). A probe without an answer after `timeoutMs` counts as
 * that long and as a failure.
 */
export function startProbes(baseUrl: string, targets: readonly ProbeTarget[], intervalMs: number, timeoutMs = 10_000) {
  const started = performance.now();
  const results = new Map<string, ProbeResult[]>(targets.map((t) => [t.name, []]));
  const inFlight = new Set<Promise<void>>();
  const probe = async (target: ProbeTarget): Promise<void> => {
    const sentAt = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    let text: string | null = null;
    try {
      const response = await fetch(baseUrl + target.path, { headers: target.headers, signal: AbortSignal.timeout(timeoutMs) });
      status = response.status;
      if (target.onText && status === 200) text = await response.text();
      else await response.arrayBuffer();
    } catch (e) {
      error = errorCode(e);
    }
    results
      .get(target.name)
      ?.push({ atMs: sentAt - started, latencyMs: performance.now() - sentAt, status: error === null ? status : null, error });
    if (text !== null) target.onText?.(text);
  };
  const send = (target: ProbeTarget): void => {
    const done = probe(target).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  // Spread over the interval, so the targets' requests do not all arrive at once.
  const timers = targets.map((target, i) => {
    let interval: NodeJS.Timeout | undefined;
    const first = setTimeout(
      () => {
        send(target);
        interval = setInterval(() => send(target), intervalMs);
      },
      (intervalMs * i) / targets.length,
    );
    return () => {
      clearTimeout(first);
      clearInterval(interval);
    };
  });
  return {
    /** Stops sending, waits for the probes in flight, and returns every result by target name. */
    async stop(): Promise<Map<string, ProbeResult[]>> {
      for (const clear of timers) clear();
      await Promise.all(inFlight);
      return results;
    },
  };
}

/** A push as a client saw it: what the load generator cannot show (a 429's headers and body). */
export interface SampledPush {
  status: number | null;
  retryAfter: string | null;
  error: string | null;
}

/** POSTs one payload every `everyMs` until stopped, each with the next token; never throws. */
export function samplePushes(url: string, payloads: readonly NodePayload[], tokens: readonly string[], everyMs: number) {
  const samples: SampledPush[] = [];
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  const timer = setInterval(() => {
    const payload = payloads[n % payloads.length] as NodePayload;
    const token = tokens[n % tokens.length] as string;
    n++;
    const done = fetch(`${url}/api/v1/ingest/dcgm`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer(token) },
      body: payload.body,
    })
      .then(async (response) => {
        const text = await response.text();
        samples.push({
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          error: response.status >= 300 ? errorField(text) : null,
        });
      })
      .catch((e: unknown) => void samples.push({ status: null, retryAfter: null, error: errorCode(e) }))
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  }, everyMs);
  return {
    async stop(): Promise<SampledPush[]> {
      clearInterval(timer);
      await Promise.all(inFlight);
      return samples;
    },
  };
}

/** The `error` of a JSON error body, or the text itself when it is not one. */
function errorField(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string')
      return (body as { error: string }).error;
  } catch {
    // not JSON: the text says what it is
  }
  return text;
}

/** Polls `check` every 250 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function summarizeProbes(name: string, results: readonly ProbeResult[]): ProbeSummary {
  const latencies = results.map((r) => r.latencyMs);
  return {
    name,
    count: results.length,
    failures: results
      .filter((r) => r.status !== 200)
      .map((r) => `${r.status ?? r.error} at ${(r.atMs / 1000).toFixed(1)} s after ${Math.round(r.latencyMs)} ms`),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: Math.max(...latencies),
  };
}

export interface RssSample {
  atMs: number;
  rssBytes: number;
}

/** VmRSS of a Linux process from /proc, in bytes; null once it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds a Linux process has used (/proc/<pid>/stat, USER_HZ = 100). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds all processes on this machine have used, from the first line of /proc/stat (USER_HZ = 100; idle and iowait left out). */
export function machineCpuSeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

/** The value of the first series of `name` (with `labels` among its labels, e.g. 'kind="major"') in a Prometheus text. */
export function metricValue(text: string, name: string, labels = ''): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{') || !line.includes(labels)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

/** Samples the RSS of `pid` now and every `intervalMs`. */
export function startRssSampler(pid: number, intervalMs: number) {
  const started = performance.now();
  const samples: RssSample[] = [];
  const sample = (): void => {
    const rss = rssBytes(pid);
    if (rss !== null) samples.push({ atMs: performance.now() - started, rssBytes: rss });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): RssSample[] {
      clearInterval(timer);
      sample();
      return samples;
    },
  };
}

/**
 * autocannon on its own worker thread (`workers: 1`), so the load it generates does not delay
 * this thread's probes and timers. With workers every option must be plain data (no callbacks),
 * and each worker offers the whole `overallRate`.
 */
export function runAutocannon(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ ...options, workers: 1 });
}

export const MB = 1024 * 1024;
export const formatMs = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
export const formatMb = (bytes: number): string => `${Math.round(bytes / MB)} MB`;
