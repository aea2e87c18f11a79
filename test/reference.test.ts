// The double references of the classic functions (test/reference.ts: gelu's erfc above all)
// against 50-digit values from mpmath (test/fixtures/classic-mpmath.json, written by
// scripts/mpmath-classic.py) at 253 points: kinks, roots, both tails, gelu down to its underflow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eluRef,
  erfc,
  geluRef,
  geluTanhRef,
  type Reference,
  seluRef,
  sigmoidRef,
  softplusRef,
  tanhRef,
} from './reference';

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
