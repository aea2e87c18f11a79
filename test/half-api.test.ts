// Half precision through the API: the converters, the dtype option and its checks (one message
// format), async forms, out (in place, offset views), odd lengths, and arrays large enough for
// the threads and the streaming stores.
import { afterAll, describe, expect, it } from 'vitest';
import { aptx, blend, cpu, fromHalf, gelu, hardSwish, mish, relu, swish, toHalf } from '../lib';
import { decode, type Fmt, round } from '../reference/half';

const FMTS: Fmt[] = ['bfloat16', 'float16'];
const ALL = Uint16Array.from({ length: 1 << 16 }, (_, i) => i);
const initialThreads = cpu.threads();
afterAll(() => cpu.setThreads(initialThreads));

describe('toHalf and fromHalf', () => {
  it('round to nearest even, subnormals, overflow, one NaN', () => {
    const x = new Float32Array([1, 0.1, -0, 65519, 65520, Number.NaN, -Number.NaN, 2 ** -25, 3 * 2 ** -25, 2 ** -134]);
    expect([...toHalf(x, 'float16')]).toEqual([0x3c00, 0x2e66, 0x8000, 0x7bff, 0x7c00, 0x7e00, 0x7e00, 0, 2, 0]);
    expect([...toHalf(x, 'bfloat16')].slice(0, 3)).toEqual([0x3f80, 0x3dcd, 0x8000]);
    expect([...toHalf(new Float32Array([2 ** -134, 3 * 2 ** -134, Number.NaN, 3.4e38]), 'bfloat16')]).toEqual([
      0, 2, 0x7fc0, 0x7f80,
    ]);
    // ties go to the even neighbour; past the largest finite value (and half its unit) to Inf
    const bf = (v: number) => toHalf(Float32Array.of(v), 'bfloat16')[0];
    const f16 = (v: number) => toHalf(Float32Array.of(v), 'float16')[0];
    expect([bf(1 + 2 ** -8), bf(1 + 3 * 2 ** -8), bf(Number.NaN), bf(-0)]).toEqual([0x3f80, 0x3f82, 0x7fc0, 0x8000]);
    expect([f16(1 + 2 ** -11), f16(1 + 3 * 2 ** -11), f16(65504), f16(65519), f16(65520)]).toEqual([
      0x3c00, 0x3c02, 0x7bff, 0x7bff, 0x7c00,
    ]);
    expect([f16(Number.NEGATIVE_INFINITY), f16(2 ** -25), f16(3 * 2 ** -26), f16(-(2 ** -24))]).toEqual([
      0xfc00, 0, 1, 0x8001,
    ]); // 2^-25 is a tie between 0 and the smallest subnormal: 0 is even
    expect([...fromHalf(Uint16Array.from([0x3c00, 0x0001, 0xfbff]), 'float16')]).toEqual([1, 2 ** -24, -65504]);
    expect([...fromHalf(Uint16Array.from([0x3f80, 0xc000]), 'bfloat16')]).toEqual([1, -2]);
  });
  it("the tests' own rounding (reference/half.ts): a double to the format, and one unit there", () => {
    const r = round(1 / 3, 'bfloat16');
    expect(decode(r.bits, 'bfloat16')).toBe(0.333984375);
    const unit = (v: number, fmt: Fmt) => {
      const q = round(v, fmt);
      return q.upper - q.lower;
    };
    expect([unit(1, 'float16'), unit(1e-30, 'float16'), unit(3, 'bfloat16')]).toEqual([2 ** -10, 2 ** -24, 2 ** -6]);
  });
  for (const fmt of FMTS) {
    it(`${fmt}: fromHalf is exact and toHalf gives every value back`, () => {
      const x = fromHalf(ALL, fmt);
      const back = toHalf(x, fmt);
      const wrong: string[] = [];
      for (let i = 0; i < ALL.length; i++) {
        const v = decode(i, fmt);
        if (Number.isNaN(v) ? !Number.isNaN(x[i]) : !Object.is(x[i], v)) wrong.push(`fromHalf 0x${i.toString(16)}`);
        if (back[i] !== (Number.isNaN(v) ? (fmt === 'bfloat16' ? 0x7fc0 : 0x7e00) : i))
          wrong.push(`toHalf 0x${i.toString(16)}`);
      }
      expect(wrong).toEqual([]);
    });
    it(`${fmt}: toHalf rounds every float32 as the double rounding of the tests does, on every path`, () => {
      const bits = new Uint32Array(1 << 18);
      let s = 99;
      for (let i = 0; i < bits.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        bits[i] = s;
      }
      const x = new Float32Array(bits.buffer);
      const want = Uint16Array.from(x, (v) => round(v, fmt).bits);
      const initial = cpu.isa();
      for (const isa of cpu.supportedIsas()) {
        cpu.setIsa(isa);
        expect(toHalf(x, fmt), isa).toEqual(want);
      }
      cpu.setIsa(initial);
    });
  }
  it('checks its arguments', () => {
    expect(() => toHalf(new Uint16Array(2) as unknown as Float32Array, 'bfloat16')).toThrow(
      new TypeError('Expected Float32Array for x but received Uint16Array'),
    );
    expect(() => fromHalf(new Float32Array(2) as unknown as Uint16Array, 'float16')).toThrow(
      new TypeError('Expected Uint16Array for bits but received Float32Array'),
    );
    expect(() => toHalf(new Float32Array(2), 'half' as 'float16')).toThrow(
      new RangeError(`Expected one of bfloat16, float16 for dtype but received "half"; did you mean 'float16'?`),
    );
  });
});

describe('the dtype option', () => {
  const x = toHalf(new Float32Array([1, -1, 0.5, 3]), 'bfloat16');
  it('gives Uint16Arrays of the format, the float32 kernels rounded where they are sure', () => {
    const y = mish.forward(x, { dtype: 'bfloat16' });
    expect(y).toBeInstanceOf(Uint16Array);
    expect([...fromHalf(y, 'bfloat16')]).toEqual([0.86328125, -0.302734375, 0.375, 2.984375]);
  });
  it('out: the array itself, in place, and offset views of odd lengths', () => {
    for (const fmt of FMTS) {
      const buffer = new Uint16Array(1 << 12);
      buffer.set(ALL.subarray(0x3000, 0x3000 + buffer.length));
      const want = gelu.forward(buffer.slice(3, 3 + 1001), { dtype: fmt });
      const view = buffer.subarray(3, 3 + 1001);
      const out = new Uint16Array(1001);
      expect(gelu.forward(view, { dtype: fmt, out })).toBe(out);
      expect(out).toEqual(want);
      expect(gelu.forward(view, { dtype: fmt, out: view })).toBe(view);
      expect(view).toEqual(want);
      const dy = buffer.slice(1000, 1000 + 1001);
      const dx = gelu.backward(want, dy, { dtype: fmt });
      expect(gelu.backward(want, dy, { dtype: fmt, out: dy })).toBe(dy);
      expect(dy).toEqual(dx);
    }
  });
  it('async forms give what the sync ones give', async () => {
    const dy = toHalf(new Float32Array([1, 2, -3, 0.5]), 'float16');
    const xf = toHalf(new Float32Array([1, -1, 0.5, 3]), 'float16');
    expect(await mish.forwardAsync(xf, { dtype: 'float16' })).toEqual(mish.forward(xf, { dtype: 'float16' }));
    expect(await mish.backwardAsync(xf, dy, { dtype: 'float16' })).toEqual(mish.backward(xf, dy, { dtype: 'float16' }));
    const out = new Uint16Array(4);
    expect(await mish.forwardAsync(xf, { dtype: 'float16', out })).toBe(out);
    expect(out).toEqual(mish.forward(xf, { dtype: 'float16' }));
    const s = swish({ beta: 1.5 });
    expect(await s.paramGradAsync(xf, dy, { dtype: 'float16' })).toEqual(s.paramGrad(xf, dy, { dtype: 'float16' }));
    expect(s.paramGrad(xf, dy, { dtype: 'float16' })).toEqual(
      s.paramGrad(fromHalf(xf, 'float16'), fromHalf(dy, 'float16')),
    );
  });
  it('blends, as the other functions, per call', () => {
    const b = blend(aptx({ beta: 2 }), hardSwish, 0.3);
    const y = b.forward(ALL, { dtype: 'bfloat16' });
    expect(y.length).toBe(ALL.length);
    expect(JSON.stringify(b)).toBe(JSON.stringify(blend(aptx({ beta: 2 }), hardSwish, 0.3)));
  });
  it('large arrays (threads, streaming stores) give the bits of small ones', () => {
    for (const fmt of FMTS)
      for (const fn of [relu, hardSwish, mish]) {
        const small = fn.forward(ALL, { dtype: fmt });
        const smallDx = fn.backward(ALL, ALL.slice().reverse(), { dtype: fmt });
        const big = new Uint16Array((1 << 22) + 5); // past the streaming threshold, odd
        for (let i = 0; i < big.length; i += ALL.length)
          big.set(ALL.subarray(0, Math.min(ALL.length, big.length - i)), i);
        const dyBig = new Uint16Array(big.length);
        for (let i = 0; i < big.length; i += ALL.length)
          dyBig.set(
            ALL.slice()
              .reverse()
              .subarray(0, Math.min(ALL.length, big.length - i)),
            i,
          );
        for (const threads of [1, Math.max(2, initialThreads)]) {
          cpu.setThreads(threads);
          const y = fn.forward(big.subarray(1), { dtype: fmt }); // a view at an odd offset
          for (let i = 1; i < big.length; i += 65521)
            expect(y[i - 1], `${fn.name} ${fmt} ${i}`).toBe(small[i % ALL.length]);
          const dx = fn.backward(big, dyBig, { dtype: fmt });
          let bad = -1;
          for (let i = 0; i < big.length && bad < 0; i++) if (dx[i] !== smallDx[i % ALL.length]) bad = i;
          expect(bad, `${fn.name} ${fmt} backward, ${threads} threads`).toBe(-1);
        }
      }
    cpu.setThreads(initialThreads);
  });
});

describe('dtype checks', () => {
  const u = new Uint16Array(4);
  const f = new Float32Array(4);
  const cases: Array<[string, () => unknown, Error]> = [
    [
      'half bits without a dtype',
      () => mish.forward(u),
      new TypeError(
        "Expected Float32Array for x but received Uint16Array: for half-precision bits pass { dtype: 'bfloat16' } or { dtype: 'float16' }",
      ),
    ],
    [
      'half bits with dtype float32',
      () => mish.forward(u, { dtype: 'float32' }),
      new TypeError('Expected Float32Array for x (dtype float32) but received Uint16Array'),
    ],
    [
      'a Float32Array with a half dtype',
      () => mish.forward(f as unknown as Uint16Array, { dtype: 'bfloat16' }),
      new TypeError('Expected Uint16Array for x (dtype bfloat16) but received Float32Array'),
    ],
    [
      'dy of another type',
      () => mish.backward(u, f as unknown as Uint16Array, { dtype: 'bfloat16' }),
      new TypeError('Expected Uint16Array for dy (dtype bfloat16) but received Float32Array'),
    ],
    [
      'out of another type',
      () => mish.forward(u, { dtype: 'float16', out: f as unknown as Uint16Array }),
      new TypeError('Expected Uint16Array for out (dtype float16) but received Float32Array'),
    ],
    [
      'out of another length',
      () => mish.forward(u, { dtype: 'float16', out: new Uint16Array(3) }),
      new RangeError('Expected length 4 (the length of x) for out but received length 3'),
    ],
    [
      'out partly over x',
      () => mish.forward(u.subarray(0, 3), { dtype: 'float16', out: u.subarray(1, 4) }),
      new RangeError('Expected x itself or memory disjoint from x for out but received a view that partly overlaps x'),
    ],
    [
      'an unknown dtype',
      () => mish.forward(u, { dtype: 'bf16' as 'bfloat16' }),
      new RangeError(
        `Expected one of float32, bfloat16, float16 for dtype but received "bf16"; did you mean 'bfloat16'?`,
      ),
    ],
    [
      'a dtype not a string',
      () => mish.forward(u, { dtype: 16 as unknown as 'float16' }),
      new TypeError('Expected one of float32, bfloat16, float16 for dtype but received number 16'),
    ],
    [
      'paramGrad with mixed types',
      () => swish.paramGrad(u, f as unknown as Uint16Array, { dtype: 'float16' }),
      new TypeError('Expected Uint16Array for dy (dtype float16) but received Float32Array'),
    ],
  ];
  for (const [name, call, error] of cases) it(name, () => expect(call).toThrow(error));
  it('async forms reject with the same errors', async () => {
    await expect(mish.forwardAsync(f as unknown as Uint16Array, { dtype: 'bfloat16' })).rejects.toThrow(
      new TypeError('Expected Uint16Array for x (dtype bfloat16) but received Float32Array'),
    );
  });
  it('empty arrays give empty arrays', () => {
    expect(mish.forward(new Uint16Array(0), { dtype: 'bfloat16' })).toEqual(new Uint16Array(0));
    expect(toHalf(new Float32Array(0), 'float16')).toEqual(new Uint16Array(0));
  });
});

const F16 = (globalThis as { Float16Array?: new (n: number | ArrayLike<number>) => ArrayLike<number> }).Float16Array;
describe.skipIf(!F16)('Float16Array (where the runtime has one)', () => {
  it('is float16 without a dtype, and the result is one', () => {
    const Ctor = F16 as new (n: number | ArrayLike<number>) => ArrayLike<number>;
    const x = new Ctor([1, -1, 0.5, 3]);
    const y = mish.forward(x as unknown as Uint16Array, undefined as unknown as { dtype: 'float16' });
    expect(y).toBeInstanceOf(Ctor);
    const bits = new Uint16Array((y as unknown as { buffer: ArrayBuffer }).buffer);
    expect([...bits]).toEqual([
      ...mish.forward(toHalf(new Float32Array([1, -1, 0.5, 3]), 'float16'), { dtype: 'float16' }),
    ]);
  });
});
