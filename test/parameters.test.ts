// Issue 10, "exact for every parameter": one test per finding, on every ISA path. The dense
// sweeps at non-default parameters are in test/accuracy.test.ts (test/table.ts parameterRows);
// these pin the cases the issue names, with the exact references of reference/reference.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { approxMish, aptx, blend, cpu, hardGate, hardMish, linearSwish, mish, relu, silu, swish } from '../lib';
import { aptxCore, aptxRef, backwardError, f32, forwardError, hardGateRef, swishRef } from '../reference/reference';

const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));

const F32_MAX = 3.4028234663852886e38;
const worstForward = (fn: { forward(x: Float32Array): Float32Array }, f: (x: number) => number, x: Float32Array) => {
  const y = fn.forward(x);
  return Math.max(0, ...Array.from(x, (v, i) => forwardError(y[i], f(v))));
};
const worstBackward = (
  fn: { backward(x: Float32Array, dy: Float32Array): Float32Array },
  df: (x: number) => number,
  x: Float32Array,
) => {
  const dy = new Float32Array(x.length).fill(1);
  const g = fn.backward(x, dy);
  return Math.max(0, ...Array.from(x, (v, i) => backwardError(g[i], df(v), 1)));
};
// n floats evenly spaced in [lo, hi]
const span = (lo: number, hi: number, n: number) =>
  Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

for (const isa of cpu.supportedIsas()) {
  describe(`the hard parameter sets on ${isa}`, () => {
    it('1: aptx(0.7, 1.3, 0.4) near its root x0 = atanh(-0.7)/1.3 (and beta 100, 1e-3, -1; alpha 0.99)', () => {
      cpu.setIsa(isa);
      expect(
        worstForward(
          aptx({ alpha: 0.7, beta: 1.3, gamma: 0.4 }),
          aptxRef(0.7, 1.3, 0.4).f,
          new Float32Array([-0.6672]),
        ),
      ).toBeLessThanOrEqual(4);
      for (const [alpha, beta] of [
        [0.7, 1.3],
        [0.7, 100],
        [0.7, 1e-3],
        [0.7, -1],
        [0.99, 1],
      ]) {
        const x0 = Math.atanh(-f32(alpha)) / f32(beta);
        const x = span(x0 * 0.5, x0 * 1.5, 20_001);
        const w = worstForward(aptx({ alpha, beta, gamma: 0.4 }), aptxRef(alpha, beta, 0.4).f, x);
        expect(w, `alpha ${alpha}, beta ${beta}`).toBeLessThanOrEqual(4);
      }
    });

    it('2: aptx alpha = 0, the double root at 0: gamma beta x^2 for small x', () => {
      cpu.setIsa(isa);
      const x = Float32Array.from({ length: 400 }, (_, i) => (i % 2 ? -1 : 1) * 2 ** (-i / 4));
      for (const beta of [1, 1e-3, 100])
        expect(worstForward(aptx({ alpha: 0, beta }), aptxRef(0, beta, 0.5).f, x), `beta ${beta}`).toBeLessThanOrEqual(
          4,
        );
    });

    it('3: aptx alpha = -1: the x > 0 tail -2 gamma x s(-2 beta x) is not 0', () => {
      cpu.setIsa(isa);
      const y = aptx({ alpha: -1 }).forward(new Float32Array([27.3]));
      expect(forwardError(y[0], aptxRef(-1, 1, 0.5).f(f32(27.3)))).toBeLessThanOrEqual(4);
      expect(y[0]).toBeLessThan(0);
    });

    it('4: aptx alpha < 0: the linear asymptote does not cancel', () => {
      cpu.setIsa(isa);
      const x = Float32Array.from({ length: 2000 }, (_, i) => 3.885 * 1.05 ** i);
      for (const alpha of [-0.7, -0.9])
        expect(worstForward(aptx({ alpha }), aptxRef(alpha, 1, 0.5).f, x.filter(Number.isFinite))).toBeLessThanOrEqual(
          4,
        );
    });

    it("5: aptx backward near the zeros of f' (alpha < 1; alpha <= -1 on x > 0)", () => {
      cpu.setIsa(isa);
      for (const alpha of [-2, -1, -0.5, 0, 0.5, 0.99, 1.1]) {
        const x = span(-4, 4, 40_001);
        expect(worstBackward(aptx({ alpha }), aptxRef(alpha, 1, 0.5).df, x), `alpha ${alpha}`).toBeLessThanOrEqual(4);
      }
    });

    it('6: no intermediate overflows where f is finite', () => {
      cpu.setIsa(isa);
      const x = new Float32Array([1.7e38, -1.7e38, 3e38, -3e38, F32_MAX, -F32_MAX, 2 ** 100, -(2 ** 100)]);
      for (const [alpha, beta, gamma] of [
        [0.7, 1, 1],
        [-2, 1, 1],
        [1.5, 0.5, 2],
        [0, 1, 0.5],
        [-0.5, 1e-30, 1],
        [1e30, 1, 1e-30],
        [3, -1, 0.25],
      ])
        expect(
          worstForward(aptx({ alpha, beta, gamma }), aptxRef(alpha, beta, gamma).f, x),
          `${alpha}, ${beta}, ${gamma}`,
        ).toBeLessThanOrEqual(4);
      expect(aptx({ alpha: 0.7, beta: 1, gamma: 1 }).forward(new Float32Array([1.7e38]))[0]).toBeCloseTo(2.89e38, -36);
      expect(aptx({ alpha: -2, beta: 1, gamma: 1 }).forward(new Float32Array([1e38]))[0]).toBeLessThan(0);
    });

    it('7: the limits at ±Inf for every parameter (and blends with t = 0 or 1)', () => {
      cpu.setIsa(isa);
      const x = new Float32Array([Infinity, -Infinity]);
      const dy = new Float32Array([1, 1]);
      for (const [alpha, beta, gamma] of [
        [0.7, 1, 1],
        [0.7, -1, 1],
        [1, 0, 0.5],
        [0.3, 0, 2],
        [1.5, 1, 0],
        [-1, 1, -0.4],
        [2, -3, 0.5],
      ]) {
        const a = aptx({ alpha, beta, gamma });
        const ref = aptxRef(alpha, beta, gamma);
        const y = a.forward(x);
        const g = a.backward(x, dy);
        for (let i = 0; i < 2; i++) {
          expect(Object.is(y[i], f32(ref.f(x[i]))), `f(${x[i]}) of ${alpha}, ${beta}, ${gamma}: ${y[i]}`).toBe(true);
          expect(g[i], `f'(${x[i]}) of ${alpha}, ${beta}, ${gamma}`).toBe(f32(ref.df(x[i])));
        }
      }
      expect(Array.from(swish({ beta: 0 }).forward(x))).toEqual([Infinity, -Infinity]);
      expect(Array.from(swish({ beta: 0 }).backward(x, dy))).toEqual([0.5, 0.5]);
      for (const t of [0, 1]) {
        const b = blend(aptx({ alpha: 0.7 }), swish({ beta: 0 }), t);
        expect(Array.from(b.forward(x))).toEqual(t === 0 ? [Infinity, Infinity] : [Infinity, -Infinity]);
        expect(Number.isNaN(b.backward(x, dy)[0])).toBe(false);
      }
    });

    it('8: hardGate with a tiny cap (1/cap overflows float32) or a huge one computes without 1/cap', () => {
      cpu.setIsa(isa);
      for (const cap of [1e-40, 2 ** -130, 3e38]) {
        const g = hardGate({ shift: 0, cap });
        const ref = hardGateRef(0, cap);
        const x = Float32Array.from({ length: 200 }, (_, i) => f32(cap) * (i / 100 - 0.5)).filter(Number.isFinite);
        expect(worstForward(g, ref.f, x), `cap ${cap}`).toBeLessThanOrEqual(4);
        expect(worstBackward(g, ref.df, x), `cap ${cap}`).toBeLessThanOrEqual(4);
        expect(g.forward(x).every(Number.isFinite)).toBe(true);
      }
    });

    it('9: the sign of zero: f(-0) and negative results that underflow are -0', () => {
      cpu.setIsa(isa);
      const x = new Float32Array([-0, 0, -(2 ** -149), -200]);
      for (const [name, fn] of [
        ['mish', mish],
        ['silu', silu],
        ['approxMish', approxMish],
        ['linearSwish', linearSwish],
        ['aptx', aptx],
        ['blend mish hardMish', blend(mish, hardMish, 0.5)],
        ['blend mish relu', blend(mish, relu, 0.25)],
      ] as const) {
        const y = fn.forward(x);
        expect(Object.is(y[0], -0), `${name}(-0) = ${y[0]}`).toBe(true);
        expect(Object.is(y[1], 0), `${name}(+0)`).toBe(true);
        expect(Object.is(y[3], -0), `${name}(-200) = ${y[3]}`).toBe(true);
      }
      expect(Object.is(aptx({ alpha: 1.5, beta: 0.7, gamma: 1.3 }).forward(x)[0], -0)).toBe(true);
      // a negative result that underflows: aptx(-1) at x = 60 is -60 s(-120), below 2^-150
      expect(Object.is(aptx({ alpha: -1 }).forward(new Float32Array([60]))[0], -0)).toBe(true);
      expect(Object.is(swish({ beta: 1 }).forward(new Float32Array([-Infinity]))[0], -0)).toBe(true);
    });

    it('10: paramGrad dgamma against exact sums (no cancelling forward term)', () => {
      cpu.setIsa(isa);
      // few terms, so that each term's error shows (a long sum averages rounding errors away)
      const n = 257;
      const x = span(-6, 6, n).map((v) => v + 0.000123);
      const dy = x.map((v) => 0.5 + Math.abs(Math.sin(v * 7)));
      for (const [alpha, beta, gamma] of [
        [0, 1e-3, 1],
        [0.5, 4, 1],
        [0, 1, 0.5],
        [0.7, 1.3, 0.4],
      ]) {
        const core = aptxCore(alpha, beta);
        let want = 0;
        for (let i = 0; i < n; i++) want += dy[i] * core(x[i]);
        const got = aptx({ alpha, beta, gamma }).paramGrad(x, dy).gamma;
        expect(Math.abs(got - want) / Math.abs(want), `${alpha}, ${beta}, ${gamma}`).toBeLessThan(3e-7);
      }
    });
  });
}

describe('11: null parameters are a TypeError, not the default', () => {
  it.each(['alpha', 'beta', 'gamma'])('aptx %s: null', (name) => {
    expect(() => aptx({ [name]: null } as never)).toThrow(
      new TypeError(`Expected a number for ${name} but received null`),
    );
  });
  it('swish and hardGate', () => {
    expect(() => swish({ beta: null } as never)).toThrow(new TypeError('Expected a number for beta but received null'));
    expect(() => hardGate({ cap: null } as never)).toThrow(
      new TypeError('Expected a number for cap but received null'),
    );
  });
  it('a parameter left out still takes its default', () => {
    expect(aptx({ beta: 2 }).params).toEqual({ alpha: 1, beta: 2, gamma: 0.5 });
    expect(swishRef(1).f(1)).toBeCloseTo(0.7310585786300049, 15);
  });
});
