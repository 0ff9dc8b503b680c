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
  /** Its rows: a hall and the frame indexes of that hall's pods of this model; `line` > 0 continues a wrapped hall. */
  rows: Array<{ hall: string; line: number; pods: number[] }>;
}

/** Rows never wrap below this many pods (a hall of a few pods keeps its one row). */
const MIN_WRAP = 32;

/**
 * How many pods a row holds before it wraps: twice the median hall's length (at least MIN_WRAP). At
 * the mixed Colossus a GB200 hall of 208 NVL72 racks would otherwise set every cell's width against
 * 64-pod H100 halls (cells ≈ 5.7 px at 1280 px, too small to point at); wrapped, it is 2 rows of
 * 104 (cells ≈ 2× wider). Not at the median: 4 rows of 52 make cells 3× wider but the page too tall
 * for a 3840×2160 wall without kiosk mode (2,318 px measured).
 */
export function wrapAt(hallLengths: readonly number[]): number {
  const sorted = [...hallLengths].sort((a, b) => a - b);
  return Math.max(MIN_WRAP, 2 * (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0));
}

/** A hall's pods in rows of at most `limit`, evenly filled (208 at 64 → 4 rows of 52). */
function wrapRow(hall: string, pods: number[], limit: number): Array<{ hall: string; line: number; pods: number[] }> {
  const lines = Math.max(1, Math.ceil(pods.length / limit));
  const per = Math.ceil(pods.length / lines);
  return Array.from({ length: lines }, (_, line) => ({ hall, line, pods: pods.slice(line * per, (line + 1) * per) }));
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
  const limit = wrapAt([...groups.values()].flatMap((g) => [...g.rows.values()].map((pods) => pods.length)));
  return [...groups].map(([model, group]) => {
    const kinds = [...group.kinds.values()];
    const gpus = kinds.reduce((n, k) => n + k.count * k.gpus, 0);
    const parts = kinds.map((k) => `${formatCount(k.count)} ${kindName(k.fabric, k.gpus, k.count)} of ${formatCount(k.gpus)} GPUs`);
    return {
      model,
      caption: `${parts.join(', ')} · ${formatCount(gpus)} GPUs`,
      rows: [...group.rows].flatMap(([hall, pods]) => wrapRow(hall, pods, limit)),
    };
  });
}
