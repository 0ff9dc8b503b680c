import { formatCount } from '../format.js';

/**
 * What a pod is, in words: a fabric unit of one GPU model (docs/dashboard.md, "Models and fabric
 * units"). An NVL72 rack reads as one unit of 72 GPUs; HGX nodes under one leaf or scalable unit as
 * a group; a pod with no fabric given as a pod.
 */
// The shapes of @protocol/live's Layout this reads, restated so the unit tests (outside the client's build) can import it.
interface LayoutUnit {
  model: string;
  fabric: 'nvlink' | 'leaf' | 'scalable-unit' | 'pod';
  gpus: number;
}
interface Layout {
  halls: ReadonlyArray<{ id: string; pods: readonly string[] }>;
  units: readonly LayoutUnit[];
}

const KIND: Record<LayoutUnit['fabric'], readonly [one: string, many: string]> = {
  nvlink: ['NVLink domain', 'NVLink domains'],
  leaf: ['leaf group', 'leaf groups'],
  'scalable-unit': ['scalable unit', 'scalable units'],
  pod: ['pod', 'pods'],
};

export function kindName(fabric: LayoutUnit['fabric'], gpus: number, count: number): string {
  // One NVLink domain of 72 GPUs is what the market calls an NVL72 rack.
  if (fabric === 'nvlink' && gpus === 72) return count === 1 ? 'NVL72 rack' : 'NVL72 racks';
  return KIND[fabric][count === 1 ? 0 : 1];
}

/** "NVL72 rack, 72 GPUs", "leaf group, 256 GPUs". */
export function unitName(unit: LayoutUnit): string {
  return `${kindName(unit.fabric, unit.gpus, 1)}, ${formatCount(unit.gpus)} GPUs`;
}

export interface ModelGroup {
  model: string;
  /** "417 NVL72 racks of 72 GPUs · 30,024 GPUs" (each kind and size the model's units come in). */
  caption: string;
  /** Its rows: a hall and the frame indexes of that hall's pods of this model. */
  rows: Array<{ hall: string; pods: number[] }>;
}

/** The layout's pods per model, models in the order their first pod comes, halls in layout order within each. */
export function modelGroups(layout: Layout): ModelGroup[] {
  const groups = new Map<
    string,
    { rows: Map<string, number[]>; kinds: Map<string, { fabric: LayoutUnit['fabric']; gpus: number; count: number }> }
  >();
  let index = 0;
  for (const hall of layout.halls) {
    for (let p = 0; p < hall.pods.length; p++, index++) {
      const unit = layout.units[index];
      const model = unit?.model ?? '';
      const group = groups.get(model) ?? { rows: new Map(), kinds: new Map() };
      groups.set(model, group);
      const row = group.rows.get(hall.id) ?? [];
      group.rows.set(hall.id, row);
      row.push(index);
      if (!unit) continue;
      const key = `${unit.fabric}:${unit.gpus}`;
      const kind = group.kinds.get(key) ?? { fabric: unit.fabric, gpus: unit.gpus, count: 0 };
      kind.count++;
      group.kinds.set(key, kind);
    }
  }
  return [...groups].map(([model, group]) => {
    const kinds = [...group.kinds.values()];
    const gpus = kinds.reduce((n, k) => n + k.count * k.gpus, 0);
    const parts = kinds.map((k) => `${formatCount(k.count)} ${kindName(k.fabric, k.gpus, k.count)} of ${formatCount(k.gpus)} GPUs`);
    return {
      model,
      caption: `${parts.join(', ')} · ${formatCount(gpus)} GPUs`,
      rows: [...group.rows].map(([hall, pods]) => ({ hall, pods })),
    };
  });
}
