// Gradients: backward is the derivative of forward (central differences on the kernels), and
// paramGrad matches double-precision sums of the terms of docs/design.md.
import { describe, expect, it } from 'vitest';
import { aptx, elu, leakyRelu, softplus, swish } from '../lib';
import { f32 } from '../reference/reference';
import { rows } from './table';

const sig = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

describe('backward is the derivative of forward', () => {
  // Points away from the kinks; h large enough for float differences to mean something.
  const x = Float32Array.from({ length: 2000 }, (_, i) => -8 + (16 * i) / 2000 + 0.00317);
  const h = 2 ** -9;
  for (const { name, fn, kinks } of rows) {
    it(name, () => {
      const plus = fn.forward(x.map((v) => v + h));
      const minus = fn.forward(x.map((v) => v - h));
      const g = fn.backward(x, new Float32Array(x.length).fill(1));
      for (let i = 0; i < x.length; i++) {
        if ([0, ...kinks].some((k) => Math.abs(x[i] - k) < 2 * h)) continue;
        const fd = (plus[i] - minus[i]) / (2 * h);
        // plus the rounding of f itself (softplus with a small beta is about 693 + x/2)
        const noise = (8 * 2 ** -24 * Math.max(Math.abs(plus[i]), Math.abs(minus[i]))) / (2 * h);
        expect(Math.abs(g[i] - fd), `x = ${x[i]}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)) + noise);
      }
    });
  }
});

function sample(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 16 - 8;
  });
}

describe('paramGrad against double-precision sums', () => {
  const n = 100_003;
  const x = sample(n, 1);
  const dy = sample(n, 2).map((v) => v / 8);

  it('swish beta', () => {
    for (const beta of [1, 2, -0.7]) {
      const b = f32(beta);
      let want = 0;
      for (let i = 0; i < n; i++) {
        const s = sig(b * x[i]);
        want += dy[i] * x[i] * x[i] * s * (1 - s);
      }
      const got = swish({ beta }).paramGrad(x, dy);
      expect(Object.keys(got)).toEqual(['beta']);
      expect(Math.abs(got.beta - want)).toBeLessThan(1e-6 * Math.max(1, Math.abs(want)) * Math.sqrt(n));
    }
  });

  it('aptx alpha, beta, gamma', () => {
    for (const [alpha, beta, gamma] of [
      [1, 1, 0.5],
      [1.5, 0.7, 1.3],
    ]) {
      const [a, b, c] = [f32(alpha), f32(beta), f32(gamma)];
      const want = { alpha: 0, beta: 0, gamma: 0 };
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(b * x[i]);
        const core = (a - 1) * x[i] + 2 * x[i] * sig(2 * b * x[i]); // (alpha + t) x
        want.alpha += dy[i] * c * x[i];
        want.beta += dy[i] * c * x[i] * x[i] * (1 - t * t);
        want.gamma += dy[i] * core;
      }
      const got = aptx({ alpha, beta, gamma }).paramGrad(x, dy);
      for (const k of ['alpha', 'beta', 'gamma'] as const)
        expect(Math.abs(got[k] - want[k]), k).toBeLessThan(1e-6 * Math.max(1, Math.abs(want[k])) * Math.sqrt(n));
    }
  });

  it('softplus beta, elu alpha, leakyRelu slope (PReLU)', () => {
    const cases: [string, () => Record<string, number>, (x: number) => number][] = [];
    for (const beta of [1, 1.75, -0.5, 0.01]) {
      const b = f32(beta);
      const sp = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
      cases.push([
        `softplus ${beta}`,
        () => softplus({ beta }).paramGrad(x, dy),
        (v) => (b * v * sig(b * v) - sp(b * v)) / (b * b),
      ]);
    }
    for (const alpha of [1, 1.7])
      cases.push([`elu ${alpha}`, () => elu({ alpha }).paramGrad(x, dy), (v) => (v > 0 ? 0 : Math.expm1(v))]);
    for (const slope of [0.01, -0.3])
      cases.push([`leakyRelu ${slope}`, () => leakyRelu({ slope }).paramGrad(x, dy), (v) => Math.min(v, 0)]);
    for (const [name, run, term] of cases) {
      let want = 0;
      for (let i = 0; i < n; i++) want += dy[i] * term(x[i]);
      const got = Object.values(run());
      expect(got.length, name).toBe(1);
      expect(Math.abs(got[0] - want), name).toBeLessThan(1e-6 * Math.max(1, Math.abs(want)) * Math.sqrt(n));
    }
    expect(Object.keys(softplus.paramGrad(x, dy))).toEqual(['beta']);
    expect(Object.keys(elu.paramGrad(x, dy))).toEqual(['alpha']);
    expect(Object.keys(leakyRelu.paramGrad(x, dy))).toEqual(['slope']);
  });

  it('sums do not drift with length: 2^22 copies of one term sum to 2^22 times it', () => {
    const big = new Float32Array(1 << 22).fill(0.3);
    const ones = new Float32Array(1 << 22).fill(1);
    const one = aptx.paramGrad(big.subarray(0, 1), ones.subarray(0, 1));
    const all = aptx.paramGrad(big, ones);
    for (const k of ['alpha', 'beta', 'gamma'] as const) expect(all[k]).toBeCloseTo(one[k] * 2 ** 22, 6);
  });

  it('the same input gives the same bits, sync and async', async () => {
    const a = aptx.paramGrad(x, dy);
    expect(aptx.paramGrad(x, dy)).toEqual(a);
    expect(await aptx.paramGradAsync(x, dy)).toEqual(a);
  });
});
