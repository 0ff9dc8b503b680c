import { describe, expect, it } from 'vitest';
import { emptyClassCounts, type TeamAttribution } from '../../../server/src/domain/scheduler/attribution.js';
import { OTHER_TEAM, TOP_TEAMS, topTeams } from '../../../server/src/outputs/metrics/tenant-metrics.js';

const team = (name: string, held: number, value: number | null): TeamAttribution => ({
  team: name,
  busy: 1,
  held,
  heldOverThreshold: held > 5 ? 2 : 0,
  heldOverThresholdGpuHours: 0,
  heldValueUsdPerMonth: value,
  heldOverThresholdValueUsdPerMonth: null,
});

const view = (teams: TeamAttribution[]) => ({
  source: 'file' as const,
  attribution: {
    classes: emptyClassCounts(),
    toldBy: { scheduler: emptyClassCounts(), telemetry: emptyClassCounts() },
    teams,
    customers: [],
    crossChecks: {
      internalOnSoldGpus: 0,
      internalOnSoldPods: 0,
      internalOnSoldTeams: [],
      customerOnUnsoldGpus: 0,
      heldThresholdSeconds: 3600,
    },
  },
});

describe('top teams on /metrics', () => {
  it('names the teams holding most and sums the rest as other, so the label set stays bounded', () => {
    // 13 teams holding 13, 12, …, 1 GPUs: the first 10 named, the last three (3 + 2 + 1 held) are `other`.
    const teams = Array.from({ length: 13 }, (_, i) => team(`t${i}`, 13 - i, i === 11 ? null : 100));
    const shown = topTeams(view(teams));
    expect(shown).toHaveLength(TOP_TEAMS + 1);
    expect(shown.slice(0, TOP_TEAMS).map((t) => t.team)).toEqual(teams.slice(0, TOP_TEAMS).map((t) => t.team));
    expect(shown[TOP_TEAMS]).toEqual({ team: OTHER_TEAM, busy: 3, held: 6, heldOverThreshold: 0, heldValueUsdPerMonth: 200 });
  });

  it('adds no other row when the teams fit', () => {
    expect(topTeams(view([team('a', 2, null)])).map((t) => t.team)).toEqual(['a']);
  });
});
