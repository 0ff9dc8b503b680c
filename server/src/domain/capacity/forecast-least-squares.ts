/**
 * Ordinary least squares by the normal equations, for the handful of columns the demand
 * forecast uses (≤ 22). Accumulating XᵀX is one pass over the rows (n·p²/2 multiply-adds,
 * ≈ 2 M for 30 days of 5-min history), and a Cholesky factorisation of a p × p matrix is
 * negligible; there is no need for a matrix library.
 */

export interface NormalEquations {
  /** Columns. */
  readonly p: number;
  /** XᵀX, row-major p × p (upper triangle filled while accumulating). */
  readonly xtx: Float64Array;
  /** Xᵀy. */
  readonly xty: Float64Array;
  /** Rows added. */
  rows: number;
}

export function createNormalEquations(p: number): NormalEquations {
  return { p, xtx: new Float64Array(p * p), xty: new Float64Array(p), rows: 0 };
}

/** Adds one observation `y` with regressors `row` and weight `w` (e.g. a bin's sample count). */
export function addRow(eq: NormalEquations, row: Float64Array, y: number, w = 1): void {
  const { p, xtx, xty } = eq;
  for (let i = 0; i < p; i++) {
    const wri = w * (row[i] ?? 0);
    xty[i] = (xty[i] ?? 0) + wri * y;
    const base = i * p;
    for (let j = i; j < p; j++) xtx[base + j] = (xtx[base + j] ?? 0) + wri * (row[j] ?? 0);
  }
  eq.rows++;
}

export interface LeastSquaresSolution {
  /** Coefficients. */
  beta: Float64Array;
  /** (XᵀX)⁻¹, row-major p × p: times the residual variance, the coefficients' covariance. */
  inverse: Float64Array;
}

/**
 * Solves the normal equations by Cholesky. `ridge[j]` is added to the j-th diagonal entry
 * (a tiny ridge on the seasonal columns keeps a history with a whole phase missing, e.g.
 * every night, solvable). Returns null when XᵀX is not positive definite (e.g. every sample
 * at one instant).
 */
export function solveNormalEquations(eq: NormalEquations, ridge: ReadonlyArray<number>): LeastSquaresSolution | null {
  const { p, xtx, xty } = eq;
  const a = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const v = xtx[i * p + j] ?? 0;
      a[i * p + j] = v;
      a[j * p + i] = v;
    }
    a[i * p + i] = (a[i * p + i] ?? 0) + (ridge[i] ?? 0);
  }
  // In place: the lower triangle of `a` becomes L with A = L Lᵀ.
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j] ?? 0;
    for (let k = 0; k < j; k++) d -= (a[j * p + k] ?? 0) ** 2;
    const scale = Math.abs(xtx[j * p + j] ?? 0) + (ridge[j] ?? 0);
    if (!(d > 1e-12 * scale) || scale === 0) return null;
    const ljj = Math.sqrt(d);
    a[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (a[i * p + k] ?? 0) * (a[j * p + k] ?? 0);
      a[i * p + j] = s / ljj;
    }
  }
  const solve = (rhs: Float64Array): Float64Array => {
    const z = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = rhs[i] ?? 0;
      for (let k = 0; k < i; k++) s -= (a[i * p + k] ?? 0) * (z[k] ?? 0);
      z[i] = s / (a[i * p + i] ?? 1);
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = z[i] ?? 0;
      for (let k = i + 1; k < p; k++) s -= (a[k * p + i] ?? 0) * (z[k] ?? 0);
      z[i] = s / (a[i * p + i] ?? 1);
    }
    return z;
  };
  const beta = solve(xty);
  const inverse = new Float64Array(p * p);
  const unit = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    unit.fill(0);
    unit[j] = 1;
    const col = solve(unit);
    for (let i = 0; i < p; i++) inverse[i * p + j] = col[i] ?? 0;
  }
  return { beta, inverse };
}
