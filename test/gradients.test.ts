// Gradients: backward is the derivative of forward (central differences on the kernels), and
// paramGrad matches double-precision sums of the terms of DESIGN §1.
import { describe, expect, it } from 'vitest';
import { aptx, swish } from '../lib';
import { f32 } from './reference';
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
        expect(Math.abs(g[i] - fd), `x = ${x[i]}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
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
