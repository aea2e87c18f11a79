// Every SIMD path gives the scalar path's bits, forward, backward and paramGrad: the formulas
// use only correctly rounded operations (IEEE division, fma, 2^k applied exactly), never a
// hardware reciprocal estimate alone. The CUDA kernels are the same formulas with V = float (their
// reciprocal estimate with a correction is the IEEE result: test/cuda.test.ts), so the GPU
// tests can compare a GPU result with the host's bit for bit whatever path the host takes.
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../lib';
import { testDy } from '../reference/reference';
import { bitInputs, bits, firstDifference } from './helpers/bits';
import { rows } from './table';

const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));

const simd = cpu.supportedIsas().filter((isa) => isa !== 'scalar');
describe.skipIf(simd.length === 0)('every SIMD path gives the scalar bits', () => {
  const x = bitInputs();
  const dy = testDy(x.length);
  const gx = x.subarray(1 << 17, (1 << 17) + 8192); // finite inputs for the sums
  const gdy = dy.subarray(1 << 17, (1 << 17) + 8192);
  for (const { name, fn } of rows) {
    it(name, () => {
      cpu.setIsa('scalar');
      const want = [bits(fn.forward(x)), bits(fn.backward(x, dy))];
      const grads = fn.gradNames.length ? JSON.stringify(fn.paramGrad(gx, gdy)) : '';
      for (const isa of simd) {
        cpu.setIsa(isa);
        const got = [bits(fn.forward(x)), bits(fn.backward(x, dy))];
        expect(firstDifference(got[0], want[0], x), `${isa} forward`).toBe('none');
        expect(firstDifference(got[1], want[1], x), `${isa} backward`).toBe('none');
        if (grads) {
          // paramGrad sums in double in a fixed order: the same float terms give the same sums
          const g = JSON.stringify(fn.paramGrad(gx, gdy));
          expect(g, `${isa} paramGrad`).toBe(grads);
        }
      }
    });
  }
});
