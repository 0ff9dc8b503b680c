import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../../bench/benchmarks.js';
import type { ChildResult } from '../../bench/lib/child.js';

const bench = (id: number) => {
  const b = BENCHMARKS.find((x) => x.id === id);
  if (!b) throw new Error(`no benchmark ${id}`);
  return b;
};

describe('benchmark rows', () => {
  it("has the ten benchmarks of issue 7, issue 18's simulated scheduler and issue 19's site file", () => {
    expect(BENCHMARKS.map((b) => b.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('judges the 50,000-node site file by its pattern YAML and its written-out JSON, the written-out YAML beside them', () => {
    const result = (patternsMs: number, jsonMs: number, yamlMs: number): ChildResult => ({
      metrics: {
        patternsMs,
        jsonMs,
        yamlMs,
        yamlParseMs: 5_000,
        checkMs: 400,
        buildMs: 200,
        patternsBytes: 9e5,
        jsonBytes: 2.3e6,
        yamlBytes: 2.9e6,
      },
    });
    const [pass] = bench(12).rows([result(900, 1_500, 6_000)], []);
    expect(pass).toMatchObject({ id: '12', verdict: 'pass', goal: '≤ 2 s' });
    expect(pass?.figure).toMatch(
      /^0\.90 s YAML with hostlist patterns .*JSON 1\.50 s .*YAML 6\.00 s .*parse 5\.00 s, check 0\.40 s, build 0\.20 s/,
    );
    expect(bench(12).rows([result(900, 2_100, 1_000)], [])[0]?.verdict).toBe('miss');
    expect(bench(12).rows([result(2_100, 1_000, 1_000)], [])[0]?.verdict).toBe('miss');
  });

  it("reports the median of the repetitions' own side-by-side ratios, not a ratio of medians", () => {
    const reps: ChildResult[] = [
      { metrics: { oursSamplesPerS: 3e6, baselineSamplesPerS: 0.3e6, ratio: 10 } },
      { metrics: { oursSamplesPerS: 2e6, baselineSamplesPerS: 0.4e6, ratio: 5 } },
      { metrics: { oursSamplesPerS: 2.4e6, baselineSamplesPerS: 0.3e6, ratio: 8 } },
    ];
    const [row] = bench(1).rows(reps, []);
    expect(row?.ratio).toBe('8.00×');
    expect(row?.figure).toContain('2.40M');
    expect(row?.verdict).toBe('pass');
  });

  it('misses ingest when either half of its goal fails', () => {
    const [row] = bench(1).rows([{ metrics: { oursSamplesPerS: 1.9e6, baselineSamplesPerS: 0.1e6, ratio: 19 } }], []);
    expect(row?.verdict).toBe('miss');
  });

  it("judges the Slurm poll (11b) by the worker path's CPU at a 30 s poll, the in-thread parse beside it", () => {
    const result = (pollCpuMs: number): ChildResult => ({
      metrics: {
        ...{ oursMs: 300, baselineMs: 1000, ratio: 0.3, cpuShareAt30s: 0.01, running: 5000, pending: 2000, bytes: 18e6 },
        ...{ renderLongestTurnMs: 200, pollCpuMs, pollBlockMs: 40, inThreadPollCpuMs: 1100, inThreadPollBlockMs: 1000 },
      },
    });
    const [, pass] = bench(11).rows([result(1200)], []);
    expect(pass).toMatchObject({ id: '11b', verdict: 'pass', ratio: 'block 25.0× shorter' });
    expect(pass?.figure).toContain('4.0 % of a core');
    expect(pass?.baseline).toContain('block 1000 ms');
    expect(bench(11).rows([result(1600)], [])[1]?.verdict).toBe('miss');
  });

  it('says loudly when Prometheus is missing, and skips rather than fails', () => {
    const [row] = bench(2).rows([{ metrics: {}, skipped: 'PROMETHEUS NOT INSTALLED: …' }], []);
    expect(row?.verdict).toBe('skipped');
    expect(row?.figure).toMatch(/^PROMETHEUS NOT INSTALLED/);
  });

  it('shows an error row when no repetition gave a result', () => {
    const [row] = bench(6).rows([], ['exit 1: boom']);
    expect(row?.verdict).toBe('error');
    expect(row?.figure).toContain('boom');
  });

  it("takes p99 over every repetition's cycles together", () => {
    const reps: ChildResult[] = [
      { metrics: { cpuShare: 0.2, failedPerRound: 0 }, samples: { cycleMs: [1_000, 1_200] } },
      { metrics: { cpuShare: 0.3, failedPerRound: 0 }, samples: { cycleMs: [6_000] } },
      { metrics: { cpuShare: 0.25, failedPerRound: 0 }, samples: { cycleMs: [1_100] } },
    ];
    const [cycle, cpu] = bench(3).rows(reps, []);
    expect(cycle?.figure).toMatch(/^p99 6\.00 s over 4 cycles/);
    expect(cycle?.verdict).toBe('miss');
    expect(cpu?.verdict).toBe('pass');
  });
});
