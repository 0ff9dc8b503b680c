/**
 * Shared pieces of the fault tests: a seeded random source (a failing run can be replayed with
 * FAULT_SEED), one JSON push classified by what the client saw, and a bounded-concurrency map.
 */
import { request } from 'undici';
import { authedFetch, bearer } from '../helpers/auth.js';

/** FAULT_SEED when given (to replay a failed run), else a fresh one; the test prints it. */
export function faultSeed(): number {
  const given = process.env.FAULT_SEED;
  return given === undefined || given === '' ? Math.floor(Math.random() * 2 ** 31) : Number(given);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the client learnt of one push: `acked` (2xx; `seq` from the body, null if the body was
 * cut after the status line), `refused` (an HTTP answer that is not 2xx), or `cut` (no answer:
 * connection reset, refused or closed; the batch may or may not have been stored).
 */
export type PushOutcome =
  | { kind: 'acked'; status: number; seq: number | null; replayed: boolean | null }
  | { kind: 'refused'; status: number }
  | { kind: 'cut'; error: string };

export interface PushGpu {
  uuid: string;
  host: string;
  index: number;
  utilizationPercent: number;
  powerWatts: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
}

/** POST /api/v1/ingest/json with an Idempotency-Key, never throwing. */
export async function pushJson(baseUrl: string, gpus: PushGpu[], idempotencyKey: string): Promise<PushOutcome> {
  let response: Response;
  try {
    response = await authedFetch(`${baseUrl}/api/v1/ingest/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ gpus }),
    });
  } catch (error) {
    return { kind: 'cut', error: errorCode(error) };
  }
  const text = await response.text().catch(() => null);
  if (response.status < 200 || response.status > 299) return { kind: 'refused', status: response.status };
  const body = parseAnswer(text);
  return { kind: 'acked', status: response.status, seq: body?.seq ?? null, replayed: body?.replayed ?? null };
}

function parseAnswer(text: string | null): { seq: number; replayed: boolean } | null {
  if (text === null) return null;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return null;
    const { seq, replayed } = body as Record<string, unknown>;
    return typeof seq === 'number' && typeof replayed === 'boolean' ? { seq, replayed } : null;
  } catch {
    return null;
  }
}

/** The most specific name of a fetch failure: undici puts the socket's error in `cause`. */
export function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.message;
  }
  return error.message;
}

/** `fn` over `items`, at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface GpuReading {
  status: number;
  powerWatts: number | null;
  utilizationPercent: number | null;
  memoryUsedMiB: number | null;
  samplesInWindow: number;
}

/**
 * GET /api/v1/gpus/:uuid reduced to what the fault tests compare (404 → status only). Through
 * undici's request rather than fetch: the checks read tens of thousands of GPUs, and fetch's
 * overhead per call is most of the cost on a two-core machine.
 */
export async function readGpu(baseUrl: string, uuid: string): Promise<GpuReading> {
  const response = await request(`${baseUrl}/api/v1/gpus/${encodeURIComponent(uuid)}`, { headers: bearer() });
  if (response.statusCode !== 200) {
    await response.body.dump();
    return { status: response.statusCode, powerWatts: null, utilizationPercent: null, memoryUsedMiB: null, samplesInWindow: 0 };
  }
  const body = (await response.body.json()) as Omit<GpuReading, 'status'>;
  return {
    status: 200,
    powerWatts: body.powerWatts,
    utilizationPercent: body.utilizationPercent,
    memoryUsedMiB: body.memoryUsedMiB,
    samplesInWindow: body.samplesInWindow,
  };
}
