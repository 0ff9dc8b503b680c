/** The push routes' source names: bounded, as they become metric labels and journal sources. */
export const PUSH_SOURCES = ['push:dcgm', 'push:nvidia-smi', 'push:json'] as const;

/** Told of ingest outcomes by the edges that ingest (push routes, collection rounds). */
export interface IngestObserver {
  accepted(source: string, samples: number): void;
  rejected(source: string, reason: string): void;
}
