import { describe, expect, it } from 'vitest';
import type { Layout, LayoutUnit } from '../../../server/src/protocol/live.js';
import { modelGroups, unitName, wrapAt } from '../../../client/src/sections/fabric-units.js';

const unit = (model: string, fabric: LayoutUnit['fabric'], gpus: number): LayoutUnit => ({ model, fabric, gpus });

describe('fabric units on the heatmap', () => {
  it('groups pods per model in the order each model first comes, a row per hall, keeping frame indexes', () => {
    const layout: Layout = {
      halls: [
        { id: 'h01', pods: ['h01-p001', 'h01-p002', 'h01-p003'] },
        { id: 'h02', pods: ['h02-p001', 'h02-p002'] },
      ],
      units: [
        unit('H100-SXM', 'leaf', 256),
        unit('GB200', 'nvlink', 72),
        unit('H100-SXM', 'leaf', 256),
        unit('GB200', 'nvlink', 72),
        unit('H100-SXM', 'pod', 64),
      ],
    };
    expect(modelGroups(layout)).toEqual([
      {
        model: 'H100-SXM',
        // 2 × 256 + 64 = 576 GPUs.
        caption: '2 leaf groups of 256 GPUs, 1 pod of 64 GPUs · 576 GPUs',
        rows: [
          { hall: 'h01', line: 0, pods: [0, 2] },
          { hall: 'h02', line: 0, pods: [4] },
        ],
      },
      {
        model: 'GB200',
        caption: '2 NVL72 racks of 72 GPUs · 144 GPUs',
        rows: [
          { hall: 'h01', line: 0, pods: [1] },
          { hall: 'h02', line: 0, pods: [3] },
        ],
      },
    ]);
  });

  it('names a unit by its kind: 72 GPUs on NVLink is an NVL72 rack, other NVLink domains by their size', () => {
    expect(unitName(unit('GB200', 'nvlink', 72))).toBe('NVL72 rack, 72 GPUs');
    expect(unitName(unit('GB200', 'nvlink', 36))).toBe('NVLink domain, 36 GPUs');
    expect(unitName(unit('H200-SXM', 'scalable-unit', 256))).toBe('scalable unit, 256 GPUs');
  });

  it('wraps a hall longer than the median hall into even rows: the mixed Colossus GB200 hall of 208 racks is 2 rows of 104', () => {
    // 12 halls of 64 scalable units, 2 halls of 208 NVL72 racks (the mixed preset's shape).
    const halls = [
      ...Array.from({ length: 12 }, (_, h) => ({ id: `h${h + 1}`, pods: Array.from({ length: 64 }, (_, p) => `h${h + 1}-p${p}`) })),
      ...Array.from({ length: 2 }, (_, h) => ({ id: `g${h + 1}`, pods: Array.from({ length: 208 }, (_, p) => `g${h + 1}-r${p}`) })),
    ];
    const units = halls.flatMap((hall) =>
      hall.pods.map(() => (hall.id.startsWith('g') ? unit('GB200', 'nvlink', 72) : unit('H100-SXM', 'scalable-unit', 256))),
    );
    const groups = modelGroups({ halls, units });
    const gb200 = groups.find((g) => g.model === 'GB200');
    expect(gb200?.rows.map((r) => [r.hall, r.line, r.pods.length])).toEqual([
      ['g1', 0, 104],
      ['g1', 1, 104],
      ['g2', 0, 104],
      ['g2', 1, 104],
    ]);
    // Frame indexes stay in order and complete: the first GB200 pod is the 769th of the frame.
    expect(gb200?.rows.flatMap((r) => r.pods)).toEqual(Array.from({ length: 416 }, (_, i) => 768 + i));
    expect(groups.find((g) => g.model === 'H100-SXM')?.rows.every((r) => r.line === 0 && r.pods.length === 64)).toBe(true);
  });

  it('never wraps below 32 pods a row, and a uniform site not at all', () => {
    expect(wrapAt([3, 3, 40])).toBe(32);
    expect(wrapAt(Array.from({ length: 12 }, () => 64))).toBe(128);
    expect(wrapAt([64, 64, 208, 208, 64])).toBe(128);
  });
});
