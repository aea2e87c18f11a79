// The accuracy contract of docs/targets.md on a dense sweep (10^6 inputs per function at the defaults, 2^17 per parameter set,
// every exponent, every special value, the neighbourhood of every kink and root), forward and
// backward, on every SIMD path this processor has (`npm run accuracy` checks all 2^32 inputs).
// A zero result must have the sign of the exact one (forwardError).
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../lib';
import { backwardError, describeWorst, forwardError, sweep, testDy, type Worst } from '../reference/reference';
import { parameterRows, type Row, rows } from './table';

const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));

// The inputs and the references of a row, computed once for every path.
interface Case {
  x: Float32Array;
  dy: Float32Array;
  f: Float64Array;
  df: Float64Array;
}
const cases = new Map<Row, Case>();
function caseOf(r: Row): Case {
  let c = cases.get(r);
  if (!c) {
    const x = sweep(r.count, r.range, r.kinks);
    const dy = testDy(x.length);
    const f = Float64Array.from(x, (v) => r.ref.f(v));
    const df = Float64Array.from(x, (v, i) => r.ref.df(v) * dy[i]);
    c = { x, dy, f, df };
    cases.set(r, c);
  }
  return c;
}

function worst(x: Float32Array, got: Float32Array, want: Float64Array, dy?: Float32Array): Worst {
  const w: Worst = { error: 0, x: 0, dy: 1, got: 0, want: 0 };
  for (let i = 0; i < x.length; i++) {
    const e = dy ? backwardError(got[i], want[i], dy[i]) : forwardError(got[i], want[i]);
    if (e > w.error || Number.isNaN(e))
      Object.assign(w, { error: e, x: x[i], dy: dy ? dy[i] : 1, got: got[i], want: want[i] });
  }
  return w;
}

for (const isa of cpu.supportedIsas()) {
  for (const [title, list] of [
    ['', rows],
    [' at non-default parameters', parameterRows],
  ] as const) {
    describe(`accuracy on ${isa}${title}`, () => {
      for (const r of list) {
        it(`${r.name} forward within ${r.maxUlp} ulp`, () => {
          cpu.setIsa(isa);
          const c = caseOf(r);
          const w = worst(c.x, r.fn.forward(c.x), c.f);
          expect(w.error, describeWorst(w)).toBeLessThanOrEqual(r.maxUlp);
        });
        it(`${r.name} backward within ${r.maxUlp} ulp + 2^-24 |dy|`, () => {
          cpu.setIsa(isa);
          const c = caseOf(r);
          const w = worst(c.x, r.fn.backward(c.x, c.dy), c.df, c.dy);
          expect(w.error, describeWorst(w)).toBeLessThanOrEqual(r.maxUlp);
        });
      }
    });
  }
}
