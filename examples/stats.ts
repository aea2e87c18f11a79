// The statistics the swap experiment reports: means, sample standard deviations, and 95%
// confidence intervals from Student's t with n − 1 degrees of freedom, for values and for
// differences paired by seed. No dependency: the t quantile is solved from the t distribution's
// closed form for whole degrees of freedom.

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (divides by n − 1); needs two values or more. */
export function sd(values: readonly number[]): number {
  if (values.length < 2) throw new RangeError('a standard deviation needs two values or more');
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * P(|T| ≤ t) for Student's t with `df` (a whole number ≥ 1) degrees of freedom: the finite series
 * in θ = atan(t/√df) that holds for whole df (Abramowitz & Stegun 26.7.3 and 26.7.4), so the
 * quantile below needs neither a table nor an incomplete beta function.
 */
export function tCentral(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a whole number ≥ 1: ${df}`);
  const x = Math.abs(t);
  const theta = Math.atan(x / Math.sqrt(df));
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  if (df % 2 === 0) {
    // sin θ (1 + (1/2) cos²θ + (1·3)/(2·4) cos⁴θ + … up to cos^(df−2)θ)
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    return s * sum;
  }
  // (2/π)(θ + sin θ cos θ (1 + (2/3) cos²θ + (2·4)/(3·5) cos⁴θ + … up to cos^(df−3)θ)) for df > 1
  if (df === 1) return (2 / Math.PI) * theta;
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= df - 3; k += 2) {
    term *= (k / (k + 1)) * c2;
    sum += term;
  }
  return (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
}

/**
 * The two-sided quantile: the t with P(|T| ≤ t) = `level` (0.95 gives the 97.5th percentile), by
 * bisection on tCentral, which rises with t; 200 halvings reach the limit of a double.
 */
export function tQuantile(level: number, df: number): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must lie in (0, 1): ${level}`);
  let lo = 0;
  let hi = 1;
  while (tCentral(hi, df) < level) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCentral(mid, df) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A mean with its 95% confidence interval. */
export interface Interval {
  n: number;
  mean: number;
  sd: number;
  /** half the width of the interval: t(0.975, n − 1) · sd / √n */
  half: number;
  lo: number;
  hi: number;
}

/** The mean of `values` and its 95% confidence interval (t with n − 1 degrees of freedom). */
export function ci95(values: readonly number[]): Interval {
  const n = values.length;
  const m = mean(values);
  const s = sd(values);
  const half = (tQuantile(0.95, n - 1) * s) / Math.sqrt(n);
  return { n, mean: m, sd: s, half, lo: m - half, hi: m + half };
}

/** The interval of the differences a[i] − b[i], the pairs being the same seed. */
export function pairedCi95(a: readonly number[], b: readonly number[]): Interval {
  if (a.length !== b.length) throw new RangeError(`paired values need the same count: ${a.length} and ${b.length}`);
  return ci95(a.map((v, i) => v - b[i]));
}

/** Resolved: the interval of a difference excludes zero. */
export const resolved = (d: Interval): boolean => d.lo > 0 || d.hi < 0;
