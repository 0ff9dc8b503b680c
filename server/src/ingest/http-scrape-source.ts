import type { TelemetrySource, TelemetryTarget } from '../domain/fleet/telemetry-source.js';

/** A scrape that did not answer 200 with a body; the round marks the target's GPUs unknown. */
export class ScrapeError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(`${url}: ${message}`);
    this.name = 'ScrapeError';
  }
}

/** Bodies past this are refused rather than parsed: a node serves ≈ 10–20 kB. */
const MAX_SCRAPE_BYTES = 16 * 1024 * 1024;

async function scrape(url: string, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    // Node's fetch (undici) keeps connections alive between rounds by default.
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
      redirect: 'error',
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : String(error);
    throw new ScrapeError(url, reason);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new ScrapeError(url, `answered HTTP ${response.status}`, response.status);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_SCRAPE_BYTES) {
    await response.body?.cancel();
    throw new ScrapeError(url, `body of ${length} bytes exceeds ${MAX_SCRAPE_BYTES}`);
  }
  const text = await response.text();
  if (text.length > MAX_SCRAPE_BYTES) throw new ScrapeError(url, `body exceeds ${MAX_SCRAPE_BYTES} bytes`);
  return text;
}

/** dcgm-exporter endpoints listed in configuration (SCRAPE_TARGETS), read over HTTP each round. */
export function createHttpScrapeSource(urls: readonly string[], timeoutMs: number): TelemetrySource {
  const targets: TelemetryTarget[] = urls.map((url) => ({
    id: url,
    host: null,
    read: () => scrape(url, timeoutMs),
  }));
  return { name: 'scrape', targets: () => targets };
}
