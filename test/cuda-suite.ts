// The GPU half of test/cuda.test.ts, also run by test/cuda-fake.test.ts over a fake device
// (test/fake-cuda.ts) so that lib/cuda.ts and these tests themselves are exercised on machines
// without a GPU.
import { expect, it } from 'vitest';
import { aptx, blend, cpu, cuda, fromHalf, GpuArray, hardMish, hardSwish, mish, relu, swish } from '../lib';
import { native } from '../lib/native';

const ramp = (n: number, offset = 0) => Float32Array.from({ length: n }, (_, i) => ((i + offset) % 997) / 40 - 12);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
// every bit pattern of a half-precision format
const ALL = Uint16Array.from({ length: 1 << 16 }, (_, i) => i);
const HALF = ['bfloat16', 'float16'] as const;

export function gpuTests(): void {
  const n = native();
  const device = 0;

  it('uploads, downloads, and reports length, device and pointer', async () => {
    const x = ramp(1001);
    const g = GpuArray.from(x);
    expect(g.length).toBe(1001);
    expect(g.device).toBe(0);
    expect(typeof g.pointer).toBe('bigint');
    expect(bits(await g.toFloat32Array())).toEqual(bits(x));
    expect((await GpuArray.alloc(0).toFloat32Array()).length).toBe(0);
    g.dispose();
    expect(g.disposed).toBe(true);
  });

  it('forward and backward give the CPU values bit for bit (the same templates)', async () => {
    const x = ramp(100_003);
    const dy = ramp(100_003, 17);
    const gx = GpuArray.from(x);
    const gdy = GpuArray.from(dy);
    cpu.setIsa('scalar');
    try {
      // single ops, blends of two plain ones (their own kernel) and a nested blend (the interpreter)
      const nested = blend(blend(mish, relu, 0.5), hardMish, 0.3);
      for (const f of [mish, relu, swish({ beta: 1.7 }), aptx, hardMish, blend(mish, relu, 0.25), nested]) {
        const y = f.forward(gx);
        expect(y).toBeInstanceOf(GpuArray);
        expect(bits(await y.toFloat32Array()), `${f.name} forward`).toEqual(bits(f.forward(x)));
        const g = f.backward(gx, gdy);
        expect(bits(await g.toFloat32Array()), `${f.name} backward`).toEqual(bits(f.backward(x, dy)));
        y.dispose();
        g.dispose();
      }
    } finally {
      cpu.setIsa(cpu.supportedIsas()[0]);
    }
    gx.dispose();
    gdy.dispose();
  });

  it('views at odd offsets, in place, and out at another alignment', async () => {
    const x = ramp(4099);
    const whole = mish.forward(x);
    const g = GpuArray.from(x);
    for (const offset of [1, 2, 3, 5, 7]) {
      const view = g.subarray(offset, 4099 - offset);
      const y = mish.forward(view);
      expect(bits(await y.toFloat32Array())).toEqual(bits(whole.subarray(offset, 4099 - offset)));
      const out = GpuArray.alloc(view.length + 3).subarray(3 - (offset % 3));
      const y2 = mish.forward(view, { out: out.subarray(0, view.length) });
      expect(bits(await y2.toFloat32Array())).toEqual(bits(whole.subarray(offset, 4099 - offset)));
    }
    const inPlace = GpuArray.from(x);
    expect(mish.forward(inPlace, { out: inPlace })).toBe(inPlace);
    expect(bits(await inPlace.toFloat32Array())).toEqual(bits(whole));
    const dy = GpuArray.from(ramp(4099, 5));
    const want = mish.backward(x, ramp(4099, 5));
    mish.backward(g, dy, { out: dy });
    expect(bits(await dy.toFloat32Array())).toEqual(bits(want));
    const b = blend(mish, relu, 0.3);
    const gb = GpuArray.from(x);
    b.forward(gb, { out: gb });
    expect(bits(await gb.toFloat32Array())).toEqual(bits(b.forward(x)));
  });

  it('backward with x, dy and out each at its own alignment', async () => {
    const n = 10_007;
    const x = ramp(n + 8);
    const dy = ramp(n + 8, 29);
    const gx = GpuArray.from(x);
    const gdy = GpuArray.from(dy);
    const out = GpuArray.alloc(n + 8);
    for (const [a, b, c] of [
      [0, 1, 2],
      [1, 0, 3],
      [3, 2, 1],
      [2, 3, 0],
      [1, 1, 0],
      [0, 0, 1],
      [5, 6, 7],
    ]) {
      const o = out.subarray(c, c + n);
      for (const f of [mish, blend(mish, hardMish, 0.5)]) {
        f.backward(gx.subarray(a, a + n), gdy.subarray(b, b + n), { out: o });
        const want = f.backward(x.subarray(a, a + n), dy.subarray(b, b + n));
        expect(bits(await o.toFloat32Array()), `${f.name} x +${a}, dy +${b}, out +${c}`).toEqual(bits(want));
      }
      // short arrays: head and tail only
      for (const m of [1, 3, 5, 8]) {
        const short = out.subarray(c, c + m);
        mish.backward(gx.subarray(a, a + m), gdy.subarray(b, b + m), { out: short });
        expect(bits(await short.toFloat32Array())).toEqual(
          bits(mish.backward(x.subarray(a, a + m), dy.subarray(b, b + m))),
        );
      }
    }
  });

  it('async calls resolve to the GpuArray once the work is done', async () => {
    const x = ramp(1 << 20);
    const g = GpuArray.from(x);
    const y = await mish.forwardAsync(g);
    expect(y).toBeInstanceOf(GpuArray);
    expect(bits(await y.toFloat32Array())).toEqual(bits(mish.forward(x)));
    const d = await mish.backwardAsync(g, y);
    expect(d.length).toBe(x.length);
    const grads = await aptx.paramGradAsync(g, y);
    expect(grads).toEqual(aptx.paramGrad(g, y));
  });

  it('host arrays with device: cuda are uploaded, computed and downloaded', async () => {
    const x = ramp(70_001);
    const dy = ramp(70_001, 3);
    const onGpu = await mish.forward(GpuArray.from(x)).toFloat32Array();
    expect(bits(mish.forward(x, { device: 'cuda' }))).toEqual(bits(onGpu));
    const out = new Float32Array(x.length);
    expect(mish.backward(x, dy, { device: 'cuda', out })).toBe(out);
    const gpuGrad = mish.backward(GpuArray.from(x), GpuArray.from(dy));
    expect(bits(out)).toEqual(bits(await gpuGrad.toFloat32Array()));
    expect(bits(await mish.forwardAsync(x, { device: 'cuda' }))).toEqual(bits(mish.forward(x, { device: 'cuda' })));
    const a = aptx({ beta: 1.5 });
    expect(a.paramGrad(x, dy, { device: 'cuda' })).toEqual(a.paramGrad(GpuArray.from(x), GpuArray.from(dy)));
    expect(await a.paramGradAsync(x, dy, { device: 'cuda' })).toEqual(a.paramGrad(x, dy, { device: 'cuda' }));
    expect(mish.forward(new Float32Array(0), { device: 'cuda' }).length).toBe(0);
    // a device by index: 'cuda:N' or N
    const last = cuda.devices().length - 1;
    for (const d of [`cuda:${last}`, last] as const) expect(bits(mish.forward(x, { device: d }))).toEqual(bits(onGpu));
    expect(a.paramGrad(x, dy, { device: 0 })).toEqual(a.paramGrad(x, dy, { device: 'cuda' }));
    expect(() => mish.forward(x, { device: last + 1 })).toThrow(
      new RangeError(`Expected a device index in [0, ${last}] for device but received ${last + 1}`),
    );
    expect(() => mish.backward(x, dy, { device: `cuda:${last + 1}` })).toThrow(
      new RangeError(`Expected a device index in [0, ${last}] for device but received "cuda:${last + 1}"`),
    );
    const g = GpuArray.from(x);
    expect(bits(await mish.forward(g, { device: 'cuda:0' }).toFloat32Array())).toEqual(bits(onGpu));
  });

  it('paramGrad: the same bits every run and for any view, close to the CPU sums', async () => {
    const x = ramp(3_000_017);
    const dy = ramp(3_000_017, 11);
    for (const f of [aptx, aptx({ alpha: 1.5, beta: 0.7, gamma: 1.3 }), swish, swish({ beta: 2 })]) {
      const gx = GpuArray.from(x);
      const gdy = GpuArray.from(dy);
      const first = f.paramGrad(gx, gdy);
      for (let i = 0; i < 3; i++) expect(f.paramGrad(gx, gdy)).toEqual(first);
      // The scalar CPU path computes the same float terms; only the order of the double sums differs.
      cpu.setIsa('scalar');
      const cpuSums = f.paramGrad(x, dy);
      cpu.setIsa(cpu.supportedIsas()[0]);
      for (const [k, v] of Object.entries(first))
        expect(Math.abs(v - cpuSums[k]), k).toBeLessThanOrEqual(1e-10 * x.length * 200);
      // The same data at other alignments gives the same bits.
      const at = (a: Float32Array, offset: number) => {
        const padded = new Float32Array(a.length + offset);
        padded.set(a, offset);
        return GpuArray.from(padded).subarray(offset);
      };
      const sx = at(x, 1);
      const sdy = at(dy, 3);
      expect(f.paramGrad(sx, sdy)).toEqual(first);
      for (const g of [gx, gdy]) g.dispose();
    }
  });

  it('paramGrad of a blend: the trainable side weighted by its share, as on the host', async () => {
    const x = ramp(100_003);
    const dy = ramp(100_003, 7);
    const gx = GpuArray.from(x);
    const gdy = GpuArray.from(dy);
    const p = { alpha: 1.2, beta: 0.8, gamma: 0.6 };
    const b = blend(aptx(p), hardMish, 0.3);
    const g = b.paramGrad(gx, gdy);
    const own = aptx(p).paramGrad(gx, gdy);
    const host = b.paramGrad(x, dy);
    const w = 1 - Math.fround(0.3); // the kernels hold t as a float32
    expect(Object.keys(g)).toEqual(['a']);
    for (const k of ['alpha', 'beta', 'gamma'] as const) {
      expect(g.a[k], k).toBe(w * own[k]);
      expect(Math.abs(g.a[k] - host.a[k]), k).toBeLessThanOrEqual(1e-10 * x.length * 200);
    }
    expect(await b.paramGradAsync(gx, gdy)).toEqual(g);
    expect(b.paramGrad(x, dy, { device: 'cuda' })).toEqual(g);
    const both = blend(swish({ beta: 2 }), aptx(p), 0.25).paramGrad(gx, gdy);
    expect(both.a.beta).toBe(0.75 * swish({ beta: 2 }).paramGrad(gx, gdy).beta);
    expect(both.b.gamma).toBe(0.25 * own.gamma);
    expect(() => blend(mish, relu, 0.5).paramGrad(gx, gdy)).toThrow(TypeError);
    gx.dispose();
    gdy.dispose();
  });

  it('fromPointer wraps memory without owning it', async () => {
    const x = ramp(1000);
    const owner = GpuArray.from(x);
    const view = GpuArray.fromPointer(owner.pointer + 4n * 3n, 990, { device });
    expect(bits(await view.toFloat32Array())).toEqual(bits(x.subarray(3, 993)));
    mish.forward(view, { out: view });
    view.dispose();
    expect(bits((await owner.toFloat32Array()).subarray(3, 993))).toEqual(bits(mish.forward(x.subarray(3, 993))));
    // the device is the pointer's, asked of CUDA
    const other = GpuArray.from(x, { device: cuda.devices().length - 1 });
    expect(GpuArray.fromPointer(other.pointer, 10).device).toBe(other.device);
    owner.dispose();
  });

  it('fromPointer refuses memory CUDA does not know as device memory', () => {
    expect(() => GpuArray.fromPointer(4096n, 4)).toThrow(
      new RangeError('Expected device memory for ptr but received an address CUDA does not know (4096n)'),
    );
  });

  it('bad GpuArray arguments get the exact errors', async () => {
    const x = GpuArray.from(ramp(8));
    const host = ramp(8);
    expect(() => mish.backward(x, host as never)).toThrow(
      new TypeError('Expected GpuArray for dy but received Float32Array'),
    );
    expect(() => mish.forward(host, { out: x } as never)).toThrow(
      new TypeError('Expected GpuArray for x but received Float32Array'),
    );
    expect(() => mish.forward(x, { device: 'cpu' })).toThrow(TypeError);
    expect(() => mish.backward(x, GpuArray.alloc(7))).toThrow(
      new RangeError('Expected length 8 (the length of x) for dy but received length 7'),
    );
    expect(() => mish.forward(x, { out: GpuArray.alloc(9) })).toThrow(
      new RangeError('Expected length 8 (the length of x) for out but received length 9'),
    );
    const big = GpuArray.alloc(16);
    expect(() => mish.forward(big.subarray(0, 8), { out: big.subarray(4, 12) })).toThrow(
      new RangeError('Expected x itself or memory disjoint from x for out but received a view that partly overlaps x'),
    );
    const count = cuda.devices().length;
    expect(() => GpuArray.alloc(4, { device: count })).toThrow(
      new RangeError(`Expected a device index in [0, ${count - 1}] for device but received ${count}`),
    );
    const gone = GpuArray.from(ramp(8));
    const goneView = gone.subarray(1);
    gone.dispose();
    expect(() => gone.dispose()).toThrow(new Error('GpuArray.dispose() called on a GpuArray that is already disposed'));
    expect(() => mish.forward(gone)).toThrow(
      new TypeError('Expected a GpuArray that is not disposed for x but received a disposed GpuArray'),
    );
    expect(() => mish.forward(goneView)).toThrow(TypeError);
    expect(() => mish.backward(x, x, { out: gone })).toThrow(
      new TypeError('Expected a GpuArray that is not disposed for out but received a disposed GpuArray'),
    );
    await expect(gone.toFloat32Array()).rejects.toThrow(new Error('GpuArray.toFloat32Array() used after dispose()'));
    expect(() => mish.paramGrad(x, x)).toThrow(TypeError);
  });

  it.skipIf(cuda.devices().length < 2)('mixing devices is a RangeError', () => {
    const a = GpuArray.from(ramp(8), { device: 0 });
    const b = GpuArray.from(ramp(8), { device: 1 });
    expect(() => mish.backward(a, b)).toThrow(
      new RangeError('Expected a GpuArray on device 0 (the device of x) for dy but received one on device 1'),
    );
    expect(() => mish.forward(a, { out: b })).toThrow(RangeError);
    expect(() => mish.forward(a, { device: 1 })).toThrow(
      new RangeError('Expected a GpuArray on device 1 (the device option) for x but received one on device 0'),
    );
    expect(() => GpuArray.fromPointer(b.pointer, 8, { device: 0 })).toThrow(
      new RangeError('Expected memory on device 0 (options.device) for ptr but received memory on device 1'),
    );
    expect(GpuArray.fromPointer(b.pointer, 8, { device: 1 }).device).toBe(1);
  });

  it('out of memory is an Error naming cudaMalloc, and nothing leaks', () => {
    const total = cuda.devices()[device].totalMemory;
    const before = n.cudaMemInfo(device).free;
    expect(() => GpuArray.alloc(Math.ceil(total / 2))).toThrow(/^cudaMallocAsync failed: out of memory \(2\)$/);
    expect(() => mish.forward(new Float32Array(1), { device: 'cuda' })).not.toThrow();
    n.cudaSynchronize(device); // frees are stream-ordered: the pool gives memory back at a sync
    expect(n.cudaMemInfo(device).free).toBeGreaterThanOrEqual(before - 2 ** 21);
  });

  it('dispose() and the finalizer free device memory', async () => {
    const x = ramp(1 << 22);
    GpuArray.from(x).dispose(); // warm-up: stream and module loaded
    n.cudaSynchronize(device);
    const before = n.cudaMemInfo(device).free;
    for (let i = 0; i < 20; i++) {
      const g = GpuArray.from(x);
      mish.forward(g, { out: g });
      await g.toFloat32Array();
      g.dispose();
    }
    n.cudaSynchronize(device);
    expect(n.cudaMemInfo(device).free).toBeGreaterThanOrEqual(before - 2 ** 21);
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const size = Math.min(1 << 24, cuda.devices()[device].totalMemory / 4 / 64);
    for (let i = 0; i < 20; i++) GpuArray.alloc(size); // up to 64 MiB each, never disposed
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    n.cudaSynchronize(device);
    expect(n.cudaMemInfo(device).free).toBeGreaterThanOrEqual(before - 2 ** 26);
  });

  it('undisposed arrays are collected when device memory is what grows', async () => {
    // 40 arrays of 1/16 of the device's memory each, never disposed and never gc()'d by hand:
    // the garbage collector knows their size (napi_adjust_external_memory) and frees them.
    const size = Math.floor(cuda.devices()[device].totalMemory / 16 / 4);
    for (let i = 0; i < 40; i++) {
      GpuArray.alloc(size);
      await new Promise((r) => setTimeout(r, 10)); // finalizers run between tasks (1 ms was too short on a busy CI machine)
    }
  });

  it('half-precision GpuArrays: every input gives the CPU bits, forward, backward and paramGrad', async () => {
    const nested = blend(blend(mish, relu, 0.5), hardMish, 0.3);
    for (const dtype of HALF) {
      const gx = GpuArray.from(ALL, { dtype });
      expect(gx.dtype).toBe(dtype);
      expect(Array.from(await gx.toUint16Array())).toEqual(Array.from(ALL));
      const dy = Uint16Array.from(ALL, (_, i) => (i * 7919) & 0x7bff); // finite, both signs
      const gdy = GpuArray.from(dy, { dtype });
      for (const f of [mish, relu, hardSwish, swish({ beta: 1.7 }), aptx, blend(mish, relu, 0.25), nested]) {
        const y = f.forward(gx);
        expect(y.dtype).toBe(dtype);
        const want = f.forward(ALL, { dtype });
        expect(Array.from(await y.toUint16Array()), `${dtype} ${f.name} forward`).toEqual(Array.from(want));
        const g = f.backward(gx, gdy, { dtype });
        expect(Array.from(await g.toUint16Array()), `${dtype} ${f.name} backward`).toEqual(
          Array.from(f.backward(ALL, dy, { dtype })),
        );
        y.dispose();
        g.dispose();
      }
      // views at every alignment of 16 bytes, in place
      for (const offset of [1, 3, 5, 8]) {
        const view = gx.subarray(offset, 5001 + offset);
        const y = mish.forward(view);
        expect(Array.from(await y.toUint16Array())).toEqual(
          Array.from(mish.forward(ALL.subarray(offset, 5001 + offset), { dtype })),
        );
      }
      const inPlace = GpuArray.from(ALL.subarray(0, 999), { dtype });
      expect(mish.forward(inPlace, { out: inPlace })).toBe(inPlace);
      expect(Array.from(await inPlace.toUint16Array())).toEqual(
        Array.from(mish.forward(ALL.subarray(0, 999), { dtype })),
      );
      // paramGrad sums the widened values in double: the sums of float32 arrays of those values
      const a = aptx({ beta: 1.5 });
      const finite = GpuArray.from(ALL.subarray(0, 0x7b00), { dtype });
      const finiteDy = GpuArray.from(dy.subarray(0, 0x7b00), { dtype });
      const wide = (u: Uint16Array) => GpuArray.from(fromHalf(u, dtype));
      expect(a.paramGrad(finite, finiteDy)).toEqual(
        a.paramGrad(wide(ALL.subarray(0, 0x7b00)), wide(dy.subarray(0, 0x7b00))),
      );
      expect(a.paramGrad(ALL.subarray(0, 0x7b00), dy.subarray(0, 0x7b00), { dtype, device: 'cuda' })).toEqual(
        a.paramGrad(finite, finiteDy),
      );
      // host arrays computed on the GPU
      const out = new Uint16Array(ALL.length);
      expect(mish.forward(ALL, { dtype, device: 'cuda', out })).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(mish.forward(ALL, { dtype })));
      expect(Array.from(await mish.backwardAsync(ALL, dy, { dtype, device: 'cuda' }))).toEqual(
        Array.from(mish.backward(ALL, dy, { dtype })),
      );
    }
  });

  it('half-precision GpuArrays: dtypes never mix, and each download has its own', async () => {
    const b = GpuArray.from(ALL.subarray(0, 8), { dtype: 'bfloat16' });
    const h = GpuArray.alloc(8, { dtype: 'float16' });
    const f = GpuArray.from(ramp(8));
    expect(h.dtype).toBe('float16');
    expect(f.dtype).toBe('float32');
    expect(() => mish.backward(b, h)).toThrow(
      new TypeError('Expected a bfloat16 GpuArray (the dtype of x) for dy but received a float16 GpuArray'),
    );
    expect(() => mish.forward(b, { out: f })).toThrow(
      new TypeError('Expected a bfloat16 GpuArray (the dtype of x) for out but received a float32 GpuArray'),
    );
    expect(() => mish.forward(b, { dtype: 'float16' } as never)).toThrow(
      new TypeError(
        "Expected a float16 GpuArray (the dtype option) for x but received a bfloat16 GpuArray: a GpuArray's dtype is its own, the option may be left out",
      ),
    );
    expect(() => GpuArray.from(ALL.subarray(0, 8))).toThrow(
      new TypeError(
        "Expected Float32Array for x but received Uint16Array: for half-precision bits pass { dtype: 'bfloat16' } or { dtype: 'float16' }",
      ),
    );
    expect(() => GpuArray.from(ramp(8), { dtype: 'bfloat16' })).toThrow(
      new TypeError('Expected Uint16Array for x (dtype bfloat16) but received Float32Array'),
    );
    expect(() => GpuArray.alloc(8, { dtype: 'half16' as never })).toThrow(RangeError);
    await expect(b.toFloat32Array()).rejects.toThrow(
      new TypeError(
        'Expected a float32 GpuArray for toFloat32Array() but received a bfloat16 GpuArray: download its bits with toUint16Array() (fromHalf converts them)',
      ),
    );
    await expect(f.toUint16Array()).rejects.toThrow(
      new TypeError(
        'Expected a bfloat16 or float16 GpuArray for toUint16Array() but received a float32 GpuArray: download it with toFloat32Array()',
      ),
    );
    expect(() => mish.forward(b, { device: 'cpu' })).toThrow(
      new TypeError("A GpuArray was passed with device: 'cpu'; download it with toUint16Array() first"),
    );
    // a view of another library's memory as half-precision bits: 2-byte aligned
    const w = GpuArray.fromPointer(f.pointer + 2n, 6, { dtype: 'bfloat16' });
    expect(w.dtype).toBe('bfloat16');
    expect(Array.from(await w.toUint16Array())).toEqual(Array.from(new Uint16Array(ramp(8).buffer, 2, 6)));
    expect(() => GpuArray.fromPointer(f.pointer + 1n, 4, { dtype: 'float16' })).toThrow(
      new RangeError(
        `Expected a non-zero, 2-byte aligned 64-bit device address for ptr but received ${f.pointer + 1n}n`,
      ),
    );
    // half-precision memory at half-way is no float32 array
    expect(() => GpuArray.fromPointer(h.pointer + 2n, 2)).toThrow(RangeError);
  });

  it('cudaTimeKernel times every pass and the copy', () => {
    for (const pass of ['forward', 'backward', 'copy'])
      expect(n.cudaTimeKernel(pass, mish.code, 1 << 20, 3, device)).toBeGreaterThan(0);
    expect(n.cudaTimeKernel('paramGrad', aptx.code, 1 << 20, 3, device)).toBeGreaterThan(0);
    for (const format of [0, 1]) {
      for (const pass of ['forward', 'backward', 'copy'])
        expect(n.cudaTimeKernel(pass, mish.code, 1 << 20, 3, device, format)).toBeGreaterThan(0);
      expect(n.cudaTimeKernel('paramGrad', aptx.code, 1 << 20, 3, device, format)).toBeGreaterThan(0);
    }
  });
}
