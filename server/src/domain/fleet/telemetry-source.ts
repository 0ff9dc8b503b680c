import type { IngestBatch } from './readings.js';

/**
 * A place telemetry is read from each collection round: the simulator, or a list of
 * dcgm-exporter endpoints. Both hand the collector the same dcgm-exporter text, so the real
 * ingest path is the one exercised every day.
 */
export interface TelemetryTarget {
  /** Stable id (URL or host), the key for marking its GPUs unknown when it fails. */
  id: string;
  /** Host name to use when the text carries no Hostname label. */
  host: string | null;
  read(): string | Promise<string>;
}

export interface TelemetrySource {
  name: string;
  /** Called once per round before its targets are read, with the round's time. */
  prepare?(tMs: number): void;
  targets(): readonly TelemetryTarget[];
  /** Readings that do not come as exporter text (facility meters, scheduler drains). */
  sideBatch?(): IngestBatch | null;
}
