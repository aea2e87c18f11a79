// The half-precision CUDA kernels (cuda/half_kernels.cu) run on the host, for every thread of a
// small grid: for every bfloat16 and float16 input and every row of the numeric table (blends
// included), forward and backward, the bits of the CPU's half passes, which test/half.test.ts
// holds to the exact value rounded once; and over views at every offset and length, the same
// bits with nothing written outside out.
import { describe, expect, it } from 'vitest';
import { blend, fromHalf, hardSwish, leakyRelu, mish, relu, tanh, toHalf } from '../lib';
import { native } from '../lib/native';
import { skipped } from './helpers/skip';
import { parameterRows, rows } from './table';

const n = native();
const compiled = typeof n.cudaHalfOnHost === 'function';
const FORMATS = { bfloat16: 0, float16: 1 } as const;
type Fmt = keyof typeof FORMATS;

// Every bit pattern; dy: 1, -0.375, the smallest subnormal, Infinity
const ALL = Uint16Array.from({ length: 1 << 16 }, (_, i) => i);
const DYS: Record<Fmt, number[]> = {
  bfloat16: [0x3f80, 0xbec0, 0x0001, 0x7f80],
  float16: [0x3c00, 0xb600, 0x0001, 0x7c00],
};

// The first index where a and b differ, as text; 'none' where they agree.
function firstDifference(a: Uint16Array, b: Uint16Array): string {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) return `at ${i}: 0x${a[i].toString(16)} where the CPU gives 0x${b[i].toString(16)}`;
  return 'none';
}

describe.skipIf(!compiled)(
  `the half-precision CUDA kernels, run on the host${skipped(!compiled, 'the addon was built without CUDA or its diagnostics')}`,
  () => {
    for (const fmt of Object.keys(FORMATS) as Fmt[]) {
      const format = FORMATS[fmt];
      it(`${fmt}: every input of every row gives the CPU's bits, forward and backward`, () => {
        let settled = 0; // lanes where rounding the float32 result once is not the exact rounding
        for (const r of [...rows, ...parameterRows]) {
          const out = new Uint16Array(ALL.length);
          n.cudaHalfOnHost('forward', r.fn.code, format, ALL, null, out);
          const want = r.fn.forward(ALL, { dtype: fmt });
          expect(firstDifference(out, want), `${r.name} forward`).toBe('none');
          const once = toHalf(r.fn.forward(fromHalf(ALL, fmt)), fmt);
          settled += want.filter((v, i) => v !== once[i]).length;
          for (const d of DYS[fmt]) {
            const dy = new Uint16Array(ALL.length).fill(d);
            n.cudaHalfOnHost('backward', r.fn.code, format, ALL, dy, out);
            const want = r.fn.backward(ALL, dy, { dtype: fmt });
            expect(firstDifference(out, want), `${r.name} backward, dy bits 0x${d.toString(16)}`).toBe('none');
          }
        }
        // the kernels' settling ran: hardSwish's x(x + 3)/6 and its kin reach exact ties
        expect(settled).toBeGreaterThan(0);
      });
    }

    it('views at every offset and length: the same bits, nothing outside out written', () => {
      const fns = [
        mish,
        relu,
        hardSwish,
        leakyRelu(),
        tanh,
        blend(mish, relu, 0.25),
        blend(blend(mish, relu, 0.5), hardSwish, 0.3),
      ];
      const SENTINEL = 0xabcd;
      for (const fmt of Object.keys(FORMATS) as Fmt[])
        for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 33, 1001])
          for (const [a, b, c] of [
            [0, 0, 0],
            [1, 1, 1],
            [7, 7, 7],
            [0, 1, 2],
            [3, 0, 5],
            [2, 6, 1],
          ]) {
            // x spread over the format's bit patterns, dy over a few magnitudes
            const x = Uint16Array.from({ length: len + 8 }, (_, i) => (i * 40503 + 11) & 0xffff).subarray(a, a + len);
            const dy = Uint16Array.from(
              { length: len + 8 },
              (_, i) => (i * 7 + (fmt === 'bfloat16' ? 0x3e00 : 0x3000)) & 0xffff,
            ).subarray(b, b + len);
            const whole = new Uint16Array(len + 8).fill(SENTINEL);
            const out = whole.subarray(c, c + len);
            for (const f of fns) {
              const at = `${fmt} ${f.name} length ${len}, x +${a}, dy +${b}, out +${c}`;
              n.cudaHalfOnHost('forward', f.code, FORMATS[fmt], x, null, out);
              expect(firstDifference(out, f.forward(x, { dtype: fmt })), `${at} forward`).toBe('none');
              n.cudaHalfOnHost('backward', f.code, FORMATS[fmt], x, dy, out);
              expect(firstDifference(out, f.backward(x, dy, { dtype: fmt })), `${at} backward`).toBe('none');
              const outside = [...whole.subarray(0, c), ...whole.subarray(c + len)];
              expect(
                outside.every((v) => v === SENTINEL),
                `${at}: outside out`,
              ).toBe(true);
            }
          }
    });
  },
);
