import type { TelemetrySource, TelemetryTarget } from '../../domain/fleet/telemetry-source.js';
import { createScrapeClient, ScrapeFailure, type ScrapeClient } from './scrape-client.js';

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

export interface HttpScrapeOptions {
  timeoutMs: number;
  /** Open scrape connections at most (SCRAPE_MAX_CONNECTIONS). */
  maxConnections: number;
  /** The collection round's concurrency (SCRAPE_CONCURRENCY). */
  concurrency: number;
  maxBodyBytes?: number;
}

/**
 * dcgm-exporter endpoints listed in configuration (SCRAPE_TARGETS, SCRAPE_TARGETS_FILE), read
 * over kept-alive HTTP/1.1 each round (ingest/scrape-client.ts). `close()` ends its
 * connections; `connections()` counts them.
 */
export function createHttpScrapeSource(
  urls: readonly string[],
  opts: HttpScrapeOptions,
): TelemetrySource & Pick<ScrapeClient, 'close' | 'connections'> {
  const client = createScrapeClient({
    timeoutMs: opts.timeoutMs,
    maxBodyBytes: opts.maxBodyBytes ?? MAX_SCRAPE_BYTES,
    maxConnections: opts.maxConnections,
    concurrency: opts.concurrency,
    accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
  });
  const scrape = async (url: string, target: { get(): Promise<string> }): Promise<string> => {
    try {
      return await target.get();
    } catch (error) {
      if (error instanceof ScrapeFailure) throw new ScrapeError(url, error.message, error.status);
      throw new ScrapeError(url, error instanceof Error ? error.message : String(error));
    }
  };
  const targets: TelemetryTarget[] = urls.map((url) => {
    const target = client.target(url);
    return { id: url, host: null, read: () => scrape(url, target) };
  });
  return { name: 'scrape', targets: () => targets, close: () => client.close(), connections: () => client.connections() };
}
