// Every SIMD path gives the scalar path's bits, forward, backward and paramGrad: the formulas
// use only correctly rounded operations (IEEE division, fma, 2^k applied exactly), never a
// hardware reciprocal estimate. The CUDA kernels are the same formulas with V = float, so the
// GPU tests can compare a GPU result with the host's bit for bit whatever path the host takes.
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '../lib';
import { sweep, testDy } from '../reference/reference';
import { rows } from './table';

const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));

// Random bit patterns (every exponent, subnormals, Inf, NaN) and the dense sweep of the table.
function inputs(): Float32Array {
  const random = new Uint32Array(1 << 17);
  let s = 12345;
  for (let i = 0; i < random.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    random[i] = s;
  }
  const dense = sweep(1 << 17, [-100, 100]);
  const x = new Float32Array(random.length + dense.length);
  x.set(new Float32Array(random.buffer));
  x.set(dense, random.length);
  return x;
}

// Bits, with every NaN as one pattern (a NaN's payload may differ by path).
function bits(a: Float32Array): Uint32Array {
  const b = new Uint32Array(a.length);
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) b[i] = Number.isNaN(a[i]) ? 0x7fc00000 : u[i];
  return b;
}

function firstDifference(a: Uint32Array, b: Uint32Array, x: Float32Array): string {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i])
      return `first at x = ${x[i]}: ${new Float32Array(a.buffer)[i]} vs ${new Float32Array(b.buffer)[i]}`;
  return 'none';
}

const simd = cpu.supportedIsas().filter((isa) => isa !== 'scalar');
describe.skipIf(simd.length === 0)('every SIMD path gives the scalar bits', () => {
  const x = inputs();
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
