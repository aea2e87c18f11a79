// The CUDA backend (docs/cuda.md). Host tests run everywhere: the addon loads with or
// without CUDA, cuda.status() says why CUDA is unavailable, and GPU requests fail with clear
// errors. GPU tests run only where cuda.available() and are skipped visibly elsewhere.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Activation, aptx, blend, cpu, cuda, GpuArray, hardMish, mish, relu, silu, softplus } from '../lib';
import { native } from '../lib/native';
import { gpuTests } from './cuda-suite';
import { bitInputs, bits, firstDifference } from './helpers/bits';
import { skipped } from './helpers/skip';
import { parameterRows, rows } from './table';

const gpu = cuda.available();
const compiled = cuda.status().compiled;
const ramp = (n: number, offset = 0) => Float32Array.from({ length: n }, (_, i) => ((i + offset) % 997) / 40 - 12);

describe('cuda on any machine', () => {
  it('status() says whether CUDA was compiled, and why it is unavailable', () => {
    const s = cuda.status();
    expect(s.compiled).toBe(typeof native().cudaStatus === 'function');
    expect(s.available).toBe(s.devices.length > 0);
    expect(cuda.available()).toBe(s.available);
    expect(cuda.devices()).toEqual(s.devices);
    if (s.available) expect(s.reason).toBe(null);
    else if (!s.compiled) expect(s.reason).toMatch(/built without CUDA/);
    else expect(s.reason).toMatch(/^(no NVIDIA driver|no CUDA device|CUDA could not be initialized)/);
    for (const d of s.devices) {
      expect(typeof d.name).toBe('string');
      expect(d.computeCapability).toMatch(/^\d+\.\d+$/);
      expect(d.totalMemory).toBeGreaterThan(0);
      expect(d.l2CacheSize).toBeGreaterThan(0);
    }
  });

  it('validates GpuArray arguments before asking for a device', () => {
    expect(() => GpuArray.from([1, 2] as never)).toThrow(
      new TypeError('Expected Float32Array for x but received Array'),
    );
    expect(() => GpuArray.alloc(-1)).toThrow(
      new RangeError('Expected a non-negative integer for length but received -1'),
    );
    expect(() => GpuArray.alloc('4' as never)).toThrow(
      new TypeError('Expected a length for length but received string "4"'),
    );
    expect(() => GpuArray.fromPointer(4 as never, 1)).toThrow(
      new TypeError('Expected a bigint device address for ptr but received number 4'),
    );
    expect(() => GpuArray.fromPointer(6n, 1)).toThrow(
      new RangeError('Expected a non-zero, 4-byte aligned 64-bit device address for ptr but received 6n'),
    );
    expect(() => GpuArray.from(new Float32Array(1), { devices: 0 } as never)).toThrow(
      new RangeError(`Expected one of device, dtype for an option name but received "devices"; did you mean 'device'?`),
    );
  });
});

describe.skipIf(!compiled)(
  `the exhaustive device check of scripts/gpu-check.sh, run on the host${skipped(!compiled, 'the addon was built without CUDA')}`,
  () => {
    // cuda/accuracy.cu's double references, error measure and blend evaluation, on every
    // 16411th float32 input: what the device runs over all 2^32 inputs.
    for (const { name, fn, maxUlp } of rows)
      it(`${name} within ${maxUlp} ulp, forward and backward`, () => {
        for (const pass of ['forward', 'backward']) {
          const r = native().cudaCheckInputsOnHost(fn.code, pass, maxUlp, 16411);
          expect(r.over, `${pass}: worst ${r.worst} ulp at x = ${r.worstX}`).toBe(0);
        }
      });
    it('finds errors when there are some', () => {
      expect(native().cudaCheckInputsOnHost(mish.code, 'forward', 0, 16411).over).toBeGreaterThan(1000);
    });
  },
);

describe.skipIf(gpu)(`without a usable GPU${skipped(gpu, 'a GPU is here')}`, () => {
  const x = ramp(10);
  const why = cuda.status().reason;

  it('every GPU request throws an Error saying why, and the CPU path still works', async () => {
    expect(() => GpuArray.from(x)).toThrow(new Error(`GpuArray.from needs CUDA, which is not available: ${why}`));
    expect(() => GpuArray.alloc(4)).toThrow(new Error(`GpuArray.alloc needs CUDA, which is not available: ${why}`));
    expect(() => GpuArray.fromPointer(256n, 4)).toThrow(
      new Error(`GpuArray.fromPointer needs CUDA, which is not available: ${why}`),
    );
    expect(() => mish.forward(x, { device: 'cuda' })).toThrow(
      new Error(`mish.forward on the GPU needs CUDA, which is not available: ${why}`),
    );
    expect(() => mish.backward(x, x, { device: 'cuda' })).toThrow(
      new Error(`mish.backward on the GPU needs CUDA, which is not available: ${why}`),
    );
    expect(() => aptx.paramGrad(x, x, { device: 'cuda' })).toThrow(
      new Error(`aptx.paramGrad on the GPU needs CUDA, which is not available: ${why}`),
    );
    await expect(mish.forwardAsync(x, { device: 'cuda' })).rejects.toThrow(
      new Error(`mish.forward on the GPU needs CUDA, which is not available: ${why}`),
    );
    for (const device of ['cuda:0', 'cuda:3', 0, 3] as const)
      expect(() => mish.forward(x, { device })).toThrow(
        new Error(`mish.forward on the GPU needs CUDA, which is not available: ${why}`),
      );
    expect(Array.from(mish.forward(x))).toEqual(Array.from(mish.forward(x, { device: 'cpu' })));
  });

  it.skipIf(!compiled)(
    `the CUDA-built addon turns CUDA errors into JS errors naming the call${skipped(!compiled, 'the addon was built without CUDA')}`,
    () => {
      const n = native();
      expect(() => n.cudaAlloc(0, 16, 4)).toThrow(/^cudaGetDevice failed: .+ \(\d+\)$/);
      expect(() => n.cudaTimeKernel('forward', mish.code, 1024, 1, 0)).toThrow(/^cudaGetDevice failed: .+ \(\d+\)$/);
      expect(() => n.cudaMemInfo(0)).toThrow(/ failed: .+ \(\d+\)$/);
      expect(() => n.cudaPointerInfo(1n << 32n)).toThrow(/^cudaPointerGetAttributes failed: .+ \(\d+\)$/);
      expect(() => n.cudaPointerInfo(4)).toThrow(
        new TypeError('activation-kernels internal call: expected a bigint address'),
      );
      expect(() => n.cudaCheckEveryInput(mish.code, 'forward', 4, 0)).toThrow(/^cudaGetDevice failed: .+ \(\d+\)$/);
      expect(cpu.isa()).toBeTruthy(); // the process keeps running
    },
  );
});

describe.skipIf(!gpu)(`GpuArray on a GPU${skipped(!gpu, 'no GPU')}`, gpuTests);

// What only a real device shows: the fake device (test/fake-cuda.ts, whose devices are named
// 'fake') settles at once and frees at once.
const real = gpu && cuda.devices().some((d) => d.name !== 'fake');
describe.skipIf(!real)(`the binding on a GPU${skipped(!real, 'no GPU')}`, () => {
  it("pending async calls hold none of libuv's threads: an fs call made after eight of them settles first", async () => {
    const x = GpuArray.alloc(1 << 26);
    for (let i = 0; i < 40; i++) mish.forward(x, { out: x }); // queued: about 10 ms of work or more
    const order: string[] = [];
    const gpuCalls = Array.from({ length: 8 }, () => mish.forwardAsync(x, { out: x }).then(() => order.push('gpu')));
    await fs.promises.stat(__filename).then(() => order.push('fs'));
    await Promise.all(gpuCalls);
    x.dispose();
    expect(order[0]).toBe('fs');
  });

  it('freed memory stays in the pool for the next allocation (a bounded release threshold)', () => {
    const bytes = 256 << 20;
    GpuArray.alloc(bytes / 4).dispose();
    native().cudaSynchronize(0); // with the driver's default threshold (0) the pool gives it back here
    const kept = native().cudaMemInfo(0).free;
    const b = GpuArray.alloc(bytes / 4); // from the pool: the driver's free memory stays
    const now = native().cudaMemInfo(0).free;
    b.dispose();
    expect(kept - now).toBeLessThan(bytes / 2);
  });
});

describe.skipIf(!compiled)(
  `the elementwise kernels' loop, run on the host${skipped(!compiled, 'the addon was built without CUDA')}`,
  () => {
    // cuda/kernels.cu's spans, shifted float4 loads and dispatched functions (single op, two-op
    // blend, interpreter) over every thread of a grid, for inputs and outputs at every alignment:
    // the CPU's scalar bits, with no load outside an input.
    const fns = [
      mish,
      relu,
      hardMish,
      aptx({ beta: 0.7 }),
      blend(mish, relu, 0.25),
      blend(blend(mish, relu, 0.5), hardMish, 0.3),
    ];
    it('gives the CPU bits for x, dy and out at any offsets and lengths', () => {
      cpu.setIsa('scalar');
      try {
        for (const n of [0, 1, 3, 4, 5, 7, 8, 9, 13, 100, 1001, 4099])
          for (const [a, b, c] of [
            [0, 0, 0],
            [1, 1, 1],
            [0, 1, 2],
            [1, 0, 3],
            [3, 2, 1],
            [2, 3, 0],
            [1, 2, 0],
            [0, 3, 3],
          ]) {
            const x = ramp(n + 4, 3).subarray(a, a + n);
            const dy = ramp(n + 4, 11).subarray(b, b + n);
            const out = new Float32Array(n + 4).subarray(c, c + n);
            for (const f of fns) {
              const at = `${f.name} n = ${n}, x +${a}, dy +${b}, out +${c}`;
              expect(native().cudaElementwiseOnHost('forward', f.code, x, null, out), at).toBe(true);
              expect(Array.from(out), `${at} forward`).toEqual(Array.from(f.forward(x)));
              expect(native().cudaElementwiseOnHost('backward', f.code, x, dy, out), at).toBe(true);
              expect(Array.from(out), `${at} backward`).toEqual(Array.from(f.backward(x, dy)));
            }
          }
      } finally {
        cpu.setIsa(cpu.supportedIsas()[0]);
      }
    });

    // The host-run kernels of code against the CPU scalar path's want, forward and backward
    // (dy = 1), bit for bit on bitInputs().
    function sameBitsOnHost(cases: { name: string; code: ArrayLike<number>; want: Activation }[]) {
      const x = bitInputs();
      const dy = new Float32Array(x.length).fill(1);
      const out = new Float32Array(x.length);
      cpu.setIsa('scalar');
      try {
        for (const { name, code, want } of cases) {
          expect(native().cudaElementwiseOnHost('forward', code, x, null, out), name).toBe(true);
          expect(firstDifference(bits(out), bits(want.forward(x)), x), `${name} forward`).toBe('none');
          expect(native().cudaElementwiseOnHost('backward', code, x, dy, out), name).toBe(true);
          expect(firstDifference(bits(out), bits(want.backward(x, dy)), x), `${name} backward`).toBe('none');
        }
      } finally {
        cpu.setIsa(cpu.supportedIsas()[0]);
      }
    }

    // The device divides by denominators of known range with its reciprocal estimate and one
    // correction (recip, div_rn: cpp/simd/scalar.h), which for such operands is the IEEE quotient;
    // the host compile runs the same sequence with a correctly rounded reciprocal, so its bits
    // are the CPU's wherever the formulas' ranges and the sequence's proof hold.
    it('gives the CPU bits for every function and parameter row, on every kind of input', () => {
      sameBitsOnHost([...rows, ...parameterRows].map(({ name, fn }) => ({ name, code: fn.code, want: fn })));
    });

    // A single op at a plain variant's parameters runs the variant (SwishPlain, AptxPlainExact,
    // SoftplusPlain: cpp/dispatch.h) on every backend; a two-op blend's kernel runs the general
    // formulas, and at t = 0 or 1 gives one side as it is: the general formula's bits, to hold
    // against the variant's.
    it("the general formulas at the plain variants' parameters give the variants' bits", () => {
      sameBitsOnHost([
        { name: 'silu', code: blend(silu, aptx(), 0).code, want: silu },
        { name: 'aptx()', code: blend(silu, aptx(), 1).code, want: aptx() },
        { name: 'softplus()', code: blend(softplus(), relu, 0).code, want: softplus() },
      ]);
    });
  },
);
