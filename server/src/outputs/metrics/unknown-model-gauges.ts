import { Gauge, type Registry } from 'prom-client';
import type { FleetState } from '../../domain/fleet/fleet-state.js';
import { modelCensus, type ModelCensus, type UnknownModelCount } from '../../domain/fleet/model-census.js';

/**
 * Model names shown as their own `model_name` value; the rest are summed under `other`. The name is
 * whatever the hardware reports, so the label is bounded here rather than by a list.
 */
export const MAX_UNKNOWN_MODEL_LABELS = 8;
/** The label of GPUs that report no model name (an empty label value would drop the label). */
export const NO_MODEL_NAME = '(none)';
export const OTHER_MODELS = 'other';

/** The `model_name` series: the largest MAX_UNKNOWN_MODEL_LABELS names, the rest as `other`. */
export function unknownModelSeries(unknown: readonly UnknownModelCount[]): Array<{ modelName: string; gpus: number }> {
  const shown = unknown
    .slice(0, MAX_UNKNOWN_MODEL_LABELS)
    .map((m) => ({ modelName: m.name === '' ? NO_MODEL_NAME : m.name, gpus: m.gpus }));
  const rest = unknown.slice(MAX_UNKNOWN_MODEL_LABELS).reduce((n, m) => n + m.gpus, 0);
  return rest > 0 ? [...shown, { modelName: OTHER_MODELS, gpus: rest }] : shown;
}

/**
 * GPUs whose model the table lacks (read on their own power scale, docs/gpu-states.md#gpu-models), by
 * reported name, and GPUs whose telemetry names another model than the topology's. Read from the fleet
 * state at scrape time.
 */
export function unknownModelGauges(registry: Registry, fleet: { state: FleetState; latest(): object | null }): void {
  // One census per collection round (the latest summary's), however often Prometheus scrapes.
  let censusOf: object | null = null;
  let census: ModelCensus = { unknownModels: [], mismatchGpus: 0 };
  const current = (): ModelCensus => {
    const summary = fleet.latest();
    if (summary !== censusOf) {
      census = modelCensus(fleet.state);
      censusOf = summary;
    }
    return census;
  };
  new Gauge({
    name: 'headroom_unknown_model_gpus',
    help: `GPUs reporting a model the model table lacks, by reported name (the ${MAX_UNKNOWN_MODEL_LABELS} largest; the rest as "${OTHER_MODELS}", "${NO_MODEL_NAME}" for no name). Absent when there are none.`,
    labelNames: ['model_name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of unknownModelSeries(current().unknownModels)) this.set({ model_name: s.modelName }, s.gpus);
    },
  });
  new Gauge({
    name: 'headroom_gpu_model_mismatch_gpus',
    help: "GPUs on placed nodes whose telemetry names another known model than the topology's (telemetry's model is used).",
    registers: [registry],
    collect() {
      this.set(current().mismatchGpus);
    },
  });
}
