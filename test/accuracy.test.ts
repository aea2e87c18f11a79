// DESIGN §4 on a dense sweep (10^6 inputs per function, every exponent, every special value),
// forward and backward, on every SIMD path this processor has (`npm run accuracy` checks all
// 2^32 inputs).
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../lib';
import { backwardError, forwardError, sweep } from './reference';
import { rows } from './table';

const COUNT = 1_000_000;
const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));

interface Worst {
  error: number;
  x: number;
  got: number;
  want: number;
}

function worstOf(
  x: Float32Array,
  got: Float32Array,
  want: (x: number) => number,
  err: (g: number, r: number) => number,
) {
  const w: Worst = { error: 0, x: 0, got: 0, want: 0 };
  for (let i = 0; i < x.length; i++) {
    const r = want(x[i]);
    const e = err(got[i], r);
    if (e > w.error || Number.isNaN(e)) Object.assign(w, { error: e, x: x[i], got: got[i], want: r });
  }
  return w;
}

for (const isa of cpu.supportedIsas()) {
  describe(`accuracy on ${isa}`, () => {
    for (const { name, fn, ref, range, kinks, maxUlp } of rows) {
      const x = sweep(COUNT, range, kinks);
      it(`${name} forward within ${maxUlp} ulp`, () => {
        cpu.setIsa(isa);
        const w = worstOf(x, fn.forward(x), ref.f, forwardError);
        expect(w.error, `worst at x = ${w.x}: got ${w.got}, want ${w.want}`).toBeLessThanOrEqual(maxUlp);
      });
      it(`${name} backward within ${maxUlp} ulp + 2^-24 |dy|`, () => {
        cpu.setIsa(isa);
        const dy = new Float32Array(x.length).fill(1);
        for (let i = 0; i < dy.length; i += 3) dy[i] = ((i * 7919) % 2001) / 1000 - 1;
        const g = fn.backward(x, dy);
        let worst = 0;
        let at = 0;
        for (let i = 0; i < x.length; i++) {
          const e = backwardError(g[i], ref.df(x[i]) * dy[i], dy[i]);
          if (e > worst || Number.isNaN(e)) {
            worst = e;
            at = i;
          }
        }
        expect(
          worst,
          `worst at x = ${x[at]}, dy = ${dy[at]}: got ${g[at]}, want ${ref.df(x[at]) * dy[at]}`,
        ).toBeLessThanOrEqual(maxUlp);
      });
    }
  });
}
