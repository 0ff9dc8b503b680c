import { floorSummary, type SchedulerFloor } from '../../domain/capacity/scheduler-floor.js';

/** The floor as GET /capacity shows it: automatic, from the scheduler, and what it is made of. */
export function floorView(floor: SchedulerFloor, untilMs: number) {
  const s = floorSummary(floor, untilMs);
  return {
    source: 'scheduler' as const,
    stale: s.stale,
    readAt: new Date(s.readAtMs).toISOString(),
    runningGpus: s.runningGpus,
    pendingGpus: s.pendingGpus,
    pendingAddingGpus: s.pendingAddingGpus,
    reservedGpus: s.reservedGpus,
    nowGpus: s.nowGpus,
    peakGpus: s.peakGpus,
    peakAt: new Date(s.peakAtMs).toISOString(),
    reservations: s.reservations.map((r) => ({
      name: r.name,
      start: new Date(r.startMs).toISOString(),
      end: new Date(r.endMs).toISOString(),
      gpus: r.gpus,
    })),
  };
}
