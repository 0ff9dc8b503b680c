/**
 * A GPU's state, as DESIGN.md defines it. `unknown` is never counted as idle or sellable:
 * missing telemetry is not free capacity.
 */
export const GPU_STATES = ['busy', 'held', 'idle', 'sold', 'down', 'unknown'] as const;
export type GpuStateName = (typeof GPU_STATES)[number];

/** Numeric codes, for typed arrays. Order matches GPU_STATES. */
export const GpuState = { busy: 0, held: 1, idle: 2, sold: 3, down: 4, unknown: 5 } as const;
export type GpuStateCode = (typeof GpuState)[GpuStateName];

export type StateCounts = Record<GpuStateName, number>;

export function emptyCounts(): StateCounts {
  return { busy: 0, held: 0, idle: 0, sold: 0, down: 0, unknown: 0 };
}

export function stateName(code: number): GpuStateName {
  return GPU_STATES[code] ?? 'unknown';
}

export function totalOf(counts: StateCounts): number {
  return counts.busy + counts.held + counts.idle + counts.sold + counts.down + counts.unknown;
}
