// The double references of the classic functions (reference/reference.ts: gelu's erfc above all)
// against 50-digit values from mpmath (test/fixtures/classic-mpmath.json, written by
// scripts/measure/mpmath-classic.py) at 253 points: kinks, roots, both tails, gelu down to its underflow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eluRef,
  erfc,
  geluRef,
  geluTanhRef,
  leakyReluRef,
  type Reference,
  seluRef,
  sigmoidRef,
  softplusRef,
  tanhRef,
} from '../reference/reference';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'classic-mpmath.json'), 'utf8')) as {
  x: number[];
  functions: Record<string, { f: number[]; df: number[] }>;
};

const refs: Record<string, Reference> = {
  gelu: geluRef,
  geluTanh: geluTanhRef,
  sigmoid: sigmoidRef,
  tanh: tanhRef,
  'softplus 1': softplusRef(1),
  'softplus 1.75': softplusRef(1.75),
  'softplus -0.5': softplusRef(-0.5),
  elu: eluRef(1),
  selu: seluRef,
};

// Relative error, with 1e-300 as the floor of the scale (values that small are 0 in float32).
const rel = (got: number, want: number) => Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);

describe('references against mpmath', () => {
  it('covers every function of the fixture', () => {
    expect(Object.keys(refs).sort()).toEqual(Object.keys(fixture.functions).sort());
  });
  for (const [name, ref] of Object.entries(refs)) {
    it(`${name}: f and f' within 1e-12 relative (f' also 1e-15 absolute)`, () => {
      const { f, df } = fixture.functions[name];
      fixture.x.forEach((x, i) => {
        expect(rel(ref.f(x), f[i]), `f(${x})`).toBeLessThan(1e-12);
        expect(Math.min(rel(ref.df(x), df[i]), Math.abs(ref.df(x) - df[i]) * 1e3), `f'(${x})`).toBeLessThan(1e-12);
      });
    });
  }
  it('erfc on both sides and at the ends', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(Number.NaN)).toBeNaN();
    // erfc(10) = 2.088487583762545e-45 (mpmath)
    expect(rel(erfc(10), 2.088487583762545e-45)).toBeLessThan(1e-13);
  });
});

describe('the classic references', () => {
  it('agree with the textbook forms where those are accurate', () => {
    const [gelu, geluTanh, tanh, sigmoid, selu] = [geluRef, geluTanhRef, tanhRef, sigmoidRef, seluRef];
    const [softplus, elu, leakyRelu] = [softplusRef(1), eluRef(1), leakyReluRef(0.01)];
    for (const v of [-4, -1.5, -0.25, 0.5, 2, 5]) {
      expect(gelu.f(v)).toBeCloseTo((v / 2) * erfc(-v / Math.SQRT2), 15);
      expect(geluTanh.f(v)).toBeCloseTo(
        0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
        14,
      );
      expect(tanh.df(v)).toBeCloseTo(1 - Math.tanh(v) ** 2, 14);
      expect(softplus.f(v)).toBeCloseTo(Math.log(1 + Math.exp(v)), 14);
      expect(sigmoid.df(v)).toBeCloseTo(sigmoid.f(v) * (1 - sigmoid.f(v)), 15);
      const h = 1e-6; // central differences for the gradients
      for (const r of [gelu, geluTanh, softplus]) expect(r.df(v)).toBeCloseTo((r.f(v + h) - r.f(v - h)) / (2 * h), 7);
    }
    expect(elu.f(-Infinity)).toBe(-1);
    expect(elu.df(0)).toBe(1); // elu'(0) = alpha, as PyTorch
    expect(selu.f(1)).toBe(1.0507009873554805);
    expect(leakyRelu.f(-2)).toBe(-2 * Math.fround(0.01));
    expect(leakyRelu.df(Number.NaN)).toBeNaN();
    expect(Object.is(gelu.f(-Infinity), -0)).toBe(true);
    expect(gelu.f(-30)).toBeLessThan(0);
    expect(geluTanh.df(1e30)).toBe(1);
  });
});
