import { Gauge, type Registry } from 'prom-client';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import { gpuModelAt } from '../../domain/fleet/gpu-models.js';
import { GPU_STATES } from '../../domain/fleet/gpu-state.js';
import { meanUtilization, type FleetSummary, type ScopeFigures } from '../../domain/fleet/summary.js';

/** GPUs on nodes no topology places (pushed by unknown hosts) are a hall of their own. */
export const UNPLACED_HALL = 'unplaced';
/** Facility draw a site meter reports beyond what the halls account for (cooling plant, offices). */
export const UNATTRIBUTED_HALL = 'unattributed';

/**
 * Fleet gauges by hall, set from the latest fleet summary. Per-hall families sum to the site
 * figures of GET /api/v1/fleet, so `sum by (site)` in PromQL is the site.
 */
export function fleetGauges(registry: Registry) {
  const registers = [registry];
  const gpus = new Gauge({
    name: 'headroom_gpus',
    help: 'GPUs by hall and state (busy, held, idle, sold, down, unknown); the states partition the GPUs.',
    labelNames: ['hall', 'state'],
    registers,
  });
  const utilization = new Gauge({
    name: 'headroom_gpu_utilization_ratio',
    help: 'Mean utilization estimate (0-1) of the GPUs of a hall that have one.',
    labelNames: ['hall'],
    registers,
  });
  const feed = new Gauge({ name: 'headroom_power_feed_watts', help: 'Contracted utility feed of the site, watts.', registers });
  const itDraw = new Gauge({
    name: 'headroom_power_it_draw_watts',
    help: 'IT draw by hall that telemetry accounts for, watts.',
    labelNames: ['hall'],
    registers,
  });
  const facilityDraw = new Gauge({
    name: 'headroom_power_facility_draw_watts',
    help: 'Facility draw by hall (metered, else IT x PUE), watts; hall="unattributed" is site-meter draw no hall accounts for.',
    labelNames: ['hall'],
    registers,
  });
  const headroom = new Gauge({ name: 'headroom_power_headroom_watts', help: 'Utility feed less facility draw, watts.', registers });
  // Per GPU model pool (a handful of models: 7 series each), so a panel can split the site by model.
  const modelGpus = new Gauge({
    name: 'headroom_model_gpus',
    help: 'GPUs by GPU model pool (the pods of one model) and state; unplaced GPUs are in no pool.',
    labelNames: ['model', 'state'],
    registers,
  });
  const modelFacility = new Gauge({
    name: 'headroom_model_facility_watts',
    help: 'Facility draw of a GPU model pool, watts: its IT draw x PUE (meters measure halls, not models).',
    labelNames: ['model'],
    registers,
  });
  const telemetryAge = new Gauge({
    name: 'headroom_telemetry_age_seconds',
    help: 'Collection time less the time of the newest sample from any GPU of the hall, seconds.',
    labelNames: ['hall'],
    registers,
  });

  return {
    update(state: FleetState, summary: FleetSummary): void {
      const { topology } = state;
      for (const g of [gpus, utilization, itDraw, facilityDraw, telemetryAge, modelGpus, modelFacility]) g.reset();
      for (const { modelIndex, figures } of summary.models) {
        const model = gpuModelAt(modelIndex).key;
        GPU_STATES.forEach((name, code) => modelGpus.set({ model, state: name }, figures.counts[code] ?? 0));
        modelFacility.set({ model }, Math.round(figures.facilityWatts));
      }
      const halls: Array<[string, ScopeFigures]> = topology.halls.map((hall, i) => [hall.id, summary.halls[i] as ScopeFigures]);
      if (topology.nodes.some((n) => n.hallIndex < 0)) halls.push([UNPLACED_HALL, summary.unplaced]);
      let facilityOfHalls = 0;
      for (const [hall, figures] of halls) {
        GPU_STATES.forEach((name, code) => gpus.set({ hall, state: name }, figures.counts[code] ?? 0));
        utilization.set({ hall }, meanUtilization(figures));
        itDraw.set({ hall }, Math.round(figures.itWatts));
        facilityDraw.set({ hall }, Math.round(figures.facilityWatts));
        facilityOfHalls += figures.facilityWatts;
        telemetryAge.set({ hall }, figures.newestSampleMs > 0 ? Math.max(0, (summary.atMs - figures.newestSampleMs) / 1000) : Infinity);
      }
      const siteFacility = Math.round(summary.site.facilityWatts);
      // Only a site meter makes the halls differ from the site by more than float noise.
      const unattributed = summary.site.facilityWatts - facilityOfHalls;
      if (Math.abs(unattributed) >= 1) facilityDraw.set({ hall: UNATTRIBUTED_HALL }, Math.round(unattributed));
      feed.set(topology.site.feedWatts);
      headroom.set(topology.site.feedWatts - siteFacility);
    },
  };
}
