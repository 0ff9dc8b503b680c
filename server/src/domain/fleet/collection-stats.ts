/** What one collection round reports (collector metrics and logs read it). */
export interface RoundStats {
  tMs: number;
  targets: number;
  failed: number;
  samples: number;
  durationMs: number;
  /** Event-loop turns the round yielded (see sliceMs). */
  turns: number;
}

/** One scrape target's outcome in a round. */
export interface TargetOutcome {
  targetId: string;
  ok: boolean;
  samples: number;
  durationMs: number;
  error: string | null;
}
