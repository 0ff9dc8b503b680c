import { describe, expect, it } from 'vitest';
import { chooseBasis, DAY_SECONDS, RowBuilder, WEEK_SECONDS } from '../../../server/src/domain/capacity/forecast-basis.js';
import { addRow, createNormalEquations, solveNormalEquations } from '../../../server/src/domain/capacity/forecast-least-squares.js';
import {
  conformalQuantile,
  normalQuantile,
  selectedMedian,
  selectKth,
  toleranceMargin,
} from '../../../server/src/domain/capacity/forecast-residuals.js';
import { uniform } from './forecast-builders.js';

describe('forecast basis', () => {
  it('keeps the daily shape from 2 days, the weekly from 14, and no harmonic the step cannot resolve', () => {
    expect(chooseBasis(DAY_SECONDS, 300)).toEqual({ dailyHarmonics: 0, weeklyHarmonics: 0 });
    expect(chooseBasis(2 * DAY_SECONDS - 300, 300)).toEqual({ dailyHarmonics: 4, weeklyHarmonics: 0 });
    expect(chooseBasis(14 * DAY_SECONDS - 300, 300)).toEqual({ dailyHarmonics: 4, weeklyHarmonics: 6 });
    // Hourly: fine. Six-hourly: only the daily fundamental (a 12-hour wave is 2 samples).
    expect(chooseBasis(30 * DAY_SECONDS, 3_600)).toEqual({ dailyHarmonics: 4, weeklyHarmonics: 6 });
    expect(chooseBasis(30 * DAY_SECONDS, 6 * 3_600)).toEqual({ dailyHarmonics: 1, weeklyHarmonics: 6 });
  });

  it('builds the same rows by rotation on a regular grid as by sin and cos at any time', () => {
    const basis = { dailyHarmonics: 4, weeklyHarmonics: 6 };
    const builder = new RowBuilder(basis);
    const row = new Float64Array(builder.width);
    const random = uniform(7);
    const expectRow = (t: number): void => {
      builder.fill(row, t, 1.5);
      const expected = [1, 1.5];
      for (let k = 1; k <= 4; k++) {
        const a = (2 * Math.PI * k * t) / DAY_SECONDS;
        expected.push(Math.sin(a), Math.cos(a));
      }
      for (let k = 1; k <= 6; k++) {
        const a = (2 * Math.PI * k * t) / WEEK_SECONDS;
        expected.push(Math.sin(a), Math.cos(a));
      }
      expected.forEach((v, j) => expect(row[j]).toBeCloseTo(v, 9));
    };
    const t0 = 1_790_000_000;
    for (let i = 0; i < 10_000; i++)
      if (i % 997 === 0 || i > 9_990) expectRow(t0 + i * 300);
      else builder.fill(row, t0 + i * 300, 0);
    for (let i = 0; i < 50; i++) expectRow(t0 + Math.floor(random() * 5e6));
  });
});

describe('forecast least squares', () => {
  it('recovers the coefficients of an exact linear combination, weights and all', () => {
    const eq = createNormalEquations(3);
    const row = new Float64Array(3);
    for (let i = 0; i < 50; i++) {
      row[0] = 1;
      row[1] = i / 10;
      row[2] = Math.sin(i);
      addRow(eq, row, 4 - 2 * row[1] + 0.5 * row[2], 1 + (i % 3));
    }
    const solution = solveNormalEquations(eq, [0, 0, 0]);
    expect(solution).not.toBeNull();
    expect(Array.from(solution?.beta ?? [])).toEqual([expect.closeTo(4, 9), expect.closeTo(-2, 9), expect.closeTo(0.5, 9)]);
    // (XᵀWX)⁻¹ times XᵀWX is the identity.
    const inv = solution?.inverse ?? new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) {
          const a = i <= k ? eq.xtx[i * 3 + k] : eq.xtx[k * 3 + i];
          s += (a ?? 0) * (inv[k * 3 + j] ?? 0);
        }
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    }
  });

  it('returns null for a singular design', () => {
    const eq = createNormalEquations(2);
    for (let i = 0; i < 10; i++) addRow(eq, Float64Array.of(1, 3), i);
    expect(solveNormalEquations(eq, [0, 0])).toBeNull();
  });
});

describe('forecast residual helpers', () => {
  it('selects the k-th smallest value as a sort would, duplicates included', () => {
    const random = uniform(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(random() * 200);
      const xs = Float64Array.from({ length: n }, () => Math.floor(random() * 20));
      const sorted = Float64Array.from(xs).sort();
      const k = Math.floor(random() * n);
      expect(selectKth(Float64Array.from(xs), k)).toBe(sorted[k]);
      expect(selectedMedian(Float64Array.from(xs))).toBe(n % 2 ? sorted[n >> 1] : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2);
    }
  });

  it('takes the ⌈(n + 1)q⌉-th smallest value as the conformal quantile', () => {
    const xs = Float64Array.from({ length: 19 }, (_, i) => 19 - i);
    expect(conformalQuantile(Float64Array.from(xs), 0.95)).toBe(19);
    expect(conformalQuantile(Float64Array.from(xs), 0.9)).toBe(18);
    expect(conformalQuantile(Float64Array.from(xs), 0.5)).toBe(10);
  });

  it('computes normal quantiles to 9 digits', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853627, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323062, 8);
  });

  it('makes the tolerance margin the spread when nothing is uncertain, and grows it with the curve’s variance', () => {
    expect(toleranceMargin(0.9, 1e12)(30, 0)).toBeCloseTo(30, 3);
    expect(toleranceMargin(0.9, 1e12)(0, 100)).toBeCloseTo(10 * normalQuantile(0.9), 3);
    expect(toleranceMargin(0.9, 1e12)(30, 100)).toBeCloseTo(30 + 10 * normalQuantile(0.9), 3);
    // Fewer degrees of freedom behind the spread: a wider margin (≈ 1.4 × at ν = 10).
    expect(toleranceMargin(0.9, 10)(30, 0)).toBeCloseTo(30 * 1.4, 0);
    expect(toleranceMargin(0.9, 10)(30, 0)).toBeGreaterThan(toleranceMargin(0.9, 100)(30, 0));
  });
});
