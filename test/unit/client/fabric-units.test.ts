import { describe, expect, it } from 'vitest';
import type { Layout, LayoutUnit } from '../../../server/src/protocol/live.js';
import { modelGroups, unitName } from '../../../client/src/sections/fabric-units.js';

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
          { hall: 'h01', pods: [0, 2] },
          { hall: 'h02', pods: [4] },
        ],
      },
      {
        model: 'GB200',
        caption: '2 NVL72 racks of 72 GPUs · 144 GPUs',
        rows: [
          { hall: 'h01', pods: [1] },
          { hall: 'h02', pods: [3] },
        ],
      },
    ]);
  });

  it('names a unit by its kind: 72 GPUs on NVLink is an NVL72 rack, other NVLink domains by their size', () => {
    expect(unitName(unit('GB200', 'nvlink', 72))).toBe('NVL72 rack, 72 GPUs');
    expect(unitName(unit('GB200', 'nvlink', 36))).toBe('NVLink domain, 36 GPUs');
    expect(unitName(unit('H200-SXM', 'scalable-unit', 256))).toBe('scalable unit, 256 GPUs');
  });
});
