// DESIGN §4 on a dense sweep (10^6 inputs per function, every exponent, every special value),
// forward and backward, on every SIMD path this processor has (`npm run accuracy` checks all
// 2^32 inputs).
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../lib';
import { describeWorst, sweep, testDy, worstOf } from './reference';
import { rows } from './table';

const COUNT = 1_000_000;
const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));

for (const isa of cpu.supportedIsas()) {
  describe(`accuracy on ${isa}`, () => {
    for (const { name, fn, ref, range, kinks, maxUlp } of rows) {
      const x = sweep(COUNT, range, kinks);
      it(`${name} forward within ${maxUlp} ulp`, () => {
        cpu.setIsa(isa);
        const w = worstOf(x, fn.forward(x), ref.f);
        expect(w.error, describeWorst(w)).toBeLessThanOrEqual(maxUlp);
      });
      it(`${name} backward within ${maxUlp} ulp + 2^-24 |dy|`, () => {
        cpu.setIsa(isa);
        const dy = testDy(x.length);
        const w = worstOf(x, fn.backward(x, dy), ref.df, dy);
        expect(w.error, describeWorst(w)).toBeLessThanOrEqual(maxUlp);
      });
    }
  });
}
