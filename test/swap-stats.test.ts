// The statistics of the swap experiment (examples/stats.ts) against values published in t tables
// and worked by hand, so that its intervals can be trusted.
import { describe, expect, it } from 'vitest';
import { ci95, mean, pairedCi95, resolved, sd, tCentral, tQuantile } from '../examples/stats';

describe('swap statistics', () => {
  it('mean and sample standard deviation', () => {
    expect(mean([1, 2, 3, 4, 5])).toBe(3);
    expect(sd([1, 2, 3, 4, 5])).toBeCloseTo(Math.sqrt(2.5), 12); // divides by n − 1, not n
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(() => mean([])).toThrow(RangeError);
    expect(() => sd([1])).toThrow(RangeError);
  });

  it('P(|T| ≤ t) matches the closed forms for one and two degrees of freedom', () => {
    // df 1 is the Cauchy distribution: P(|T| ≤ t) = (2/π) atan t
    for (const t of [0, 0.3, 1, 4, 50]) expect(tCentral(t, 1)).toBeCloseTo((2 / Math.PI) * Math.atan(t), 14);
    // df 2: P(|T| ≤ t) = t / √(t² + 2)
    for (const t of [0, 0.5, Math.SQRT2, 3, 20]) expect(tCentral(t, 2)).toBeCloseTo(t / Math.sqrt(t * t + 2), 14);
    // symmetric, and rising towards 1
    expect(tCentral(-1.7, 7)).toBe(tCentral(1.7, 7));
    expect(tCentral(1, 9)).toBeLessThan(tCentral(2, 9));
    expect(tCentral(1e6, 9)).toBeCloseTo(1, 10);
    expect(() => tCentral(1, 2.5)).toThrow(RangeError);
    expect(() => tCentral(1, 0)).toThrow(RangeError);
  });

  it('97.5th percentiles of t agree with the published table', () => {
    const table: Array<[number, number]> = [
      [1, 12.7062047],
      [2, 4.30265273],
      [3, 3.18244631],
      [4, 2.77644511],
      [5, 2.57058184],
      [9, 2.26215716],
      [10, 2.22813885],
      [19, 2.09302405],
      [20, 2.08596345],
      [29, 2.04522964],
      [30, 2.04227246],
      [100, 1.98397152],
    ];
    for (const [df, q] of table) expect(tQuantile(0.95, df)).toBeCloseTo(q, 6);
    // many degrees of freedom approach the normal's 1.959964
    expect(tQuantile(0.95, 100000)).toBeCloseTo(1.959988, 5);
    // other levels: the 95th percentile (two-sided 0.90) at df 9 is 1.833113
    expect(tQuantile(0.9, 9)).toBeCloseTo(1.83311293, 6);
    expect(() => tQuantile(1, 9)).toThrow(RangeError);
  });

  it('95% intervals of values and of paired differences', () => {
    const c = ci95([1, 2, 3, 4, 5]);
    // 3 ± t(0.975, 4) · √2.5 / √5
    expect(c.mean).toBe(3);
    expect(c.half).toBeCloseTo((2.77644511 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
    expect(c.lo).toBeCloseTo(3 - c.half, 12);
    expect(c.hi).toBeCloseTo(3 + c.half, 12);
    expect(resolved(c)).toBe(true);

    // a shared offset per seed cancels in the pairs: the differences are 1, 1.2, 0.8, 1, 1
    const a = [91.1, 93.4, 89.8, 92.0, 90.5];
    const b = [90.1, 92.2, 89.0, 91.0, 89.5];
    const d = pairedCi95(a, b);
    expect(d.mean).toBeCloseTo(1, 12);
    expect(d.sd).toBeCloseTo(Math.sqrt(0.08 / 4), 12);
    expect(resolved(d)).toBe(true);
    // unpaired, the same values would not separate
    expect(resolved(ci95(a.map((v, i) => v - b[(i + 2) % 5])))).toBe(false);
    expect(resolved(pairedCi95([1, -1, 2, -2], [0, 0, 0, 0]))).toBe(false);
    expect(() => pairedCi95([1, 2], [1])).toThrow(RangeError);
  });
});
