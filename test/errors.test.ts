// docs/targets.md, Bad input: every bad argument gets a TypeError or RangeError with the exact message.
import { describe, expect, it } from 'vitest';
import {
  Activation,
  activation,
  aptx,
  blend,
  cpu,
  cuda,
  elu,
  GpuArray,
  gelu,
  hardGate,
  leakyRelu,
  mish,
  relu,
  softplus,
  swish,
} from '../lib';
import { skipped } from './helpers/skip';

const x = new Float32Array(4);

describe('wrong types', () => {
  it.each([
    [[1, 2], 'Array'],
    [new Float64Array(2), 'Float64Array'],
    [null, 'null'],
    [undefined, 'undefined'],
    [3, 'number 3'],
    ['abc', 'string "abc"'],
    [{}, 'Object'],
  ])('x = %o', (value, received) => {
    expect(() => mish.forward(value as Float32Array)).toThrow(
      new TypeError(`Expected Float32Array for x but received ${received}`),
    );
  });

  it('dy and out', () => {
    expect(() => mish.backward(x, undefined as never)).toThrow(
      new TypeError('Expected Float32Array for dy but received undefined'),
    );
    expect(() => mish.backward(x, [1, 2, 3, 4] as unknown as Float32Array)).toThrow(
      new TypeError('Expected Float32Array for dy but received Array'),
    );
    expect(() => mish.forward(x, { out: new Uint8Array(4) as unknown as Float32Array })).toThrow(
      new TypeError('Expected Float32Array for out but received Uint8Array'),
    );
    expect(() => mish.forward(x, 'fast' as never)).toThrow(
      new TypeError('Expected an object for options but received string "fast"'),
    );
  });

  it('a detached buffer', () => {
    const d = new Float32Array(8);
    structuredClone(d.buffer, { transfer: [d.buffer] });
    expect(() => mish.forward(d)).toThrow(
      new TypeError('Expected an attached Float32Array for x but received a detached one'),
    );
    expect(() => mish.backward(x, d)).toThrow(TypeError);
  });

  it('paramGrad on an activation without parameters', () => {
    expect(() => mish.paramGrad(x, x)).toThrow(
      new TypeError('mish has no trainable parameters: paramGrad is for swish, aptx, softplus, elu and leakyRelu'),
    );
    expect(() => blend(mish, relu, 0.5).paramGrad(x, x)).toThrow(
      new TypeError(
        'blend has no trainable parameters: paramGrad is for swish, aptx, softplus, elu and leakyRelu, and blends with a side of them',
      ),
    );
  });
});

describe('wrong values', () => {
  it('length mismatch', () => {
    expect(() => mish.backward(x, new Float32Array(3))).toThrow(
      new RangeError('Expected length 4 (the length of x) for dy but received length 3'),
    );
    expect(() => mish.forward(x, { out: new Float32Array(5) })).toThrow(
      new RangeError('Expected length 4 (the length of x) for out but received length 5'),
    );
    expect(() => aptx.paramGrad(x, new Float32Array(2))).toThrow(RangeError);
  });

  it('out partly overlapping an input', () => {
    const b = new Float32Array(8);
    expect(() => mish.forward(b.subarray(0, 4), { out: b.subarray(2, 6) })).toThrow(
      new RangeError('Expected x itself or memory disjoint from x for out but received a view that partly overlaps x'),
    );
    expect(() => mish.backward(b.subarray(4, 8), b.subarray(0, 4), { out: b.subarray(1, 5) })).toThrow(
      new RangeError('Expected x itself or memory disjoint from x for out but received a view that partly overlaps x'),
    );
    const before = Array.from(b);
    expect(() => mish.forward(b.subarray(0, 4), { out: b.subarray(2, 6) })).toThrow(RangeError);
    expect(Array.from(b)).toEqual(before);
  });

  it('out partly overlapping dy, and the async forms: the same RangeError, nothing written', async () => {
    // The common call's fast path leaves this check to the addon, which computes nothing then.
    const b = Float32Array.from({ length: 12 }, (_, i) => i - 6);
    const before = Array.from(b);
    const x = b.subarray(8, 12);
    const dy = b.subarray(0, 4);
    const dyMessage =
      'Expected dy itself or memory disjoint from dy for out but received a view that partly overlaps dy';
    expect(() => mish.backward(x, dy, { out: b.subarray(2, 6) })).toThrow(new RangeError(dyMessage));
    await expect(mish.backwardAsync(x, dy, { out: b.subarray(2, 6) })).rejects.toThrow(new RangeError(dyMessage));
    await expect(mish.forwardAsync(b.subarray(0, 4), { out: b.subarray(2, 6) })).rejects.toThrow(
      new RangeError('Expected x itself or memory disjoint from x for out but received a view that partly overlaps x'),
    );
    expect(Array.from(b)).toEqual(before);
  });

  it('parameters', () => {
    expect(() => swish({ beta: Infinity })).toThrow(
      new RangeError('Expected a finite float32 number for beta but received Infinity'),
    );
    expect(() => swish({ beta: Number.NaN })).toThrow(
      new RangeError('Expected a finite float32 number for beta but received NaN'),
    );
    expect(() => swish({ beta: 1e39 })).toThrow(
      new RangeError('Expected a finite float32 number for beta but received 1e+39'),
    );
    expect(() => swish({ beta: '2' as unknown as number })).toThrow(
      new TypeError('Expected a number for beta but received string "2"'),
    );
    expect(() => hardGate({ cap: 0 })).toThrow(new RangeError('Expected a number > 0 for cap but received 0'));
    expect(() => hardGate({ cap: -1 })).toThrow(new RangeError('Expected a number > 0 for cap but received -1'));
    expect(() => blend(mish, relu, 1.5)).toThrow(new RangeError('Expected a number in [0, 1] for t but received 1.5'));
    expect(() => blend(mish, relu, -0.1)).toThrow(
      new RangeError('Expected a number in [0, 1] for t but received -0.1'),
    );
    expect(() => blend(mish, 'relu' as never, 0.5)).toThrow(
      new TypeError('Expected an activation for b but received string "relu"'),
    );
  });

  it('parameters of the classic functions', () => {
    expect(() => softplus({ beta: 0 })).toThrow(
      new RangeError('Expected a nonzero float32 number for beta but received 0'),
    );
    expect(() => softplus({ beta: -0 })).toThrow(
      new RangeError('Expected a nonzero float32 number for beta but received 0'),
    );
    expect(() => softplus({ beta: 1e-46 })).toThrow(
      new RangeError('Expected a nonzero float32 number for beta but received 1e-46'),
    );
    expect(() => softplus({ beta: Infinity })).toThrow(
      new RangeError('Expected a finite float32 number for beta but received Infinity'),
    );
    expect(() => softplus({ beta: Number.NaN })).toThrow(
      new RangeError('Expected a finite float32 number for beta but received NaN'),
    );
    expect(() => activation('softplus', { beta: 0 })).toThrow(
      new RangeError('Expected a nonzero float32 number for beta but received 0'),
    );
    expect(() => activation({ name: 'softplus', params: { beta: 0 } })).toThrow(
      new RangeError('Expected a nonzero float32 number for spec.params.beta but received 0'),
    );
    expect(() => elu({ alpha: -Infinity })).toThrow(
      new RangeError('Expected a finite float32 number for alpha but received -Infinity'),
    );
    expect(() => elu({ alpha: 4e38 })).toThrow(
      new RangeError('Expected a finite float32 number for alpha but received 4e+38'),
    );
    expect(() => leakyRelu({ slope: Number.NaN })).toThrow(
      new RangeError('Expected a finite float32 number for slope but received NaN'),
    );
    expect(() => leakyRelu({ slope: '0.1' as never })).toThrow(
      new TypeError('Expected a number for slope but received string "0.1"'),
    );
    expect(() => elu({ beta: 1 } as never)).toThrow(
      new RangeError('Expected one of alpha for a parameter name of elu but received "beta"'),
    );
    expect(() => activation('gelu', { beta: 1 })).toThrow(
      new RangeError('Expected none for a parameter name of gelu but received "beta"'),
    );
    expect(() => gelu.paramGrad(x, x)).toThrow(
      new TypeError('gelu has no trainable parameters: paramGrad is for swish, aptx, softplus, elu and leakyRelu'),
    );
  });

  it('unknown names: activations, parameters, options', () => {
    const all = activation.names.join(', ');
    expect(() => activation('xyzzy' as never)).toThrow(
      new RangeError(`Expected one of ${all} for name but received "xyzzy"`),
    );
    expect(() => aptx({ rho: 2 } as never)).toThrow(
      new RangeError('Expected one of alpha, beta, gamma for a parameter name of aptx but received "rho"'),
    );
    expect(() => activation('mish', { beta: 1 })).toThrow(
      new RangeError('Expected none for a parameter name of mish but received "beta"'),
    );
    expect(() => mish.forward(x, { where: x } as never)).toThrow(
      new RangeError('Expected one of out, device, dtype for an option name but received "where"'),
    );
    expect(() => mish.forward(x, { device: 'gpu' as never })).toThrow(
      new RangeError(
        `Expected one of auto, cpu, cuda, cuda:N or a device index for device but received "gpu"; did you mean 'cuda'?`,
      ),
    );
    expect(() => mish.forward(x, { device: 'cdua' as never })).toThrow(
      new RangeError(
        `Expected one of auto, cpu, cuda, cuda:N or a device index for device but received "cdua"; did you mean 'cuda'?`,
      ),
    );
    expect(() => mish.forward(x, { device: 'cuda:x' as never })).toThrow(
      new RangeError('Expected one of auto, cpu, cuda, cuda:N or a device index for device but received "cuda:x"'),
    );
    expect(() => mish.forward(x, { device: 'cuda:01' as never })).toThrow(
      new RangeError('Expected one of auto, cpu, cuda, cuda:N or a device index for device but received "cuda:01"'),
    );
    expect(() => mish.backward(x, x, { device: -1 })).toThrow(
      new RangeError('Expected one of auto, cpu, cuda, cuda:N or a device index for device but received -1'),
    );
    expect(() => mish.forward(x, { device: 0.5 })).toThrow(
      new RangeError('Expected one of auto, cpu, cuda, cuda:N or a device index for device but received 0.5'),
    );
    expect(() => aptx.paramGrad(x, x, { device: true as never })).toThrow(
      new TypeError('Expected one of auto, cpu, cuda, cuda:N or a device index for device but received boolean true'),
    );
  });

  it('cpu settings', () => {
    expect(() => cpu.setThreads(0)).toThrow(new RangeError('Expected a number in [1, 1024] for n but received 0'));
    expect(() => cpu.setThreads(1.5)).toThrow(
      new RangeError('Expected an integer in [1, 1024] for n but received 1.5'),
    );
    expect(() => cpu.setIsa('sse9' as never)).toThrow(RangeError);
  });

  it('async calls reject with the same errors', async () => {
    await expect(mish.forwardAsync([1] as never)).rejects.toThrow(
      new TypeError('Expected Float32Array for x but received Array'),
    );
    await expect(mish.backwardAsync(x, new Float32Array(1))).rejects.toThrow(RangeError);
  });
});

describe('messages that name the fix', () => {
  const all = activation.names.join(', ');

  it('an array where the options go says to pass { out }', () => {
    const y = new Float32Array(4);
    const fix =
      'Expected an options object for options but received Float32Array: to write the result into that array, pass { out: array }';
    expect(() => mish.forward(x, y as never)).toThrow(new TypeError(fix));
    expect(() => mish.backward(x, y, y as never)).toThrow(new TypeError(fix));
    expect(() => aptx.paramGrad(x, y, y as never)).toThrow(
      new TypeError('Expected an options object for options but received Float32Array'),
    );
  });

  it('a name that differs in case or by a typo gets "did you mean"', () => {
    expect(() => activation('Mish' as never)).toThrow(
      new RangeError(`Expected one of ${all} for name but received "Mish"; did you mean 'mish'?`),
    );
    expect(() => activation('hardswish' as never)).toThrow(
      new RangeError(`Expected one of ${all} for name but received "hardswish"; did you mean 'hardSwish'?`),
    );
    expect(() => activation('mishh' as never)).toThrow(
      new RangeError(`Expected one of ${all} for name but received "mishh"; did you mean 'mish'?`),
    );
    expect(() => activation('APTX' as never)).toThrow(
      new RangeError(`Expected one of ${all} for name but received "APTX"; did you mean 'aptx'?`),
    );
    expect(() => aptx({ betta: 2 } as never)).toThrow(
      new RangeError(
        `Expected one of alpha, beta, gamma for a parameter name of aptx but received "betta"; did you mean 'beta'?`,
      ),
    );
    expect(() => hardGate({ Cap: 2 } as never)).toThrow(
      new RangeError(
        `Expected one of shift, cap for a parameter name of hardGate but received "Cap"; did you mean 'cap'?`,
      ),
    );
    expect(() => mish.forward(x, { outt: x } as never)).toThrow(
      new RangeError(`Expected one of out, device, dtype for an option name but received "outt"; did you mean 'out'?`),
    );
    expect(() => mish.forward(x, { device: 'CUDA' as never })).toThrow(
      new RangeError(
        `Expected one of auto, cpu, cuda, cuda:N or a device index for device but received "CUDA"; did you mean 'cuda'?`,
      ),
    );
  });

  it('a Node Buffer: how to view it as a Float32Array, or why it cannot be', () => {
    expect(() => mish.forward(Buffer.alloc(16) as never)).toThrow(
      new TypeError(
        'Expected Float32Array for x but received Buffer: view it as one with new Float32Array(b.buffer, b.byteOffset, b.length / 4)',
      ),
    );
    const odd = Buffer.from(new ArrayBuffer(24), 2, 16);
    expect(() => mish.backward(x, odd as never)).toThrow(
      new TypeError(
        'Expected Float32Array for dy but received Buffer: its byteOffset 2 is not a multiple of 4, so copy it: new Float32Array(new Uint8Array(b).buffer)',
      ),
    );
    expect(() => mish.forward(Buffer.alloc(10) as never)).toThrow(
      new TypeError(
        'Expected Float32Array for x but received Buffer: its 10 bytes are not a whole number of float32 values',
      ),
    );
    // the advice works: the viewed Buffer gives the same floats
    const b = Buffer.alloc(16);
    const v = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    v.set([-1, 0, 1, 2]);
    expect(Array.from(mish.forward(v))).toEqual(Array.from(mish.forward(Float32Array.of(-1, 0, 1, 2))));
    const c = new Float32Array(new Uint8Array(odd).buffer);
    expect(c.length).toBe(4);
  });

  it('methods work unbound, as callbacks', async () => {
    const f = mish.forward;
    const g = swish({ beta: 2 }).backward;
    const p = aptx.paramGrad;
    const dy = Float32Array.of(1, 1, 1, 1);
    const v = Float32Array.of(-1, 0, 1, 2);
    expect(Array.from(f(v))).toEqual(Array.from(mish.forward(v)));
    expect(Array.from(g(v, dy))).toEqual(Array.from(swish({ beta: 2 }).backward(v, dy)));
    expect(p(v, dy)).toEqual(aptx.paramGrad(v, dy));
    const apply = (fn: (x: Float32Array) => Float32Array) => fn(v);
    expect(apply(mish.forward)).toEqual(mish.forward(v));
    const h = swish.forwardAsync; // the factory's own: swish with its defaults
    expect(Array.from(await h(v))).toEqual(Array.from(swish.forward(v)));
  });

  it('constructors that are not for calling say what to call instead', () => {
    expect(() => new (GpuArray as unknown as new () => unknown)()).toThrow(
      new TypeError(
        'Expected GpuArray.from(x), GpuArray.alloc(length) or GpuArray.fromPointer(ptr, length) for a new GpuArray but received a call of the constructor',
      ),
    );
    expect(() => new (Activation as unknown as new () => unknown)()).toThrow(
      new TypeError(
        'Expected an activation from the exports (mish, aptx({ beta: 2 }), blend(a, b, t), activation(name)) for new Activation but received a call of the constructor',
      ),
    );
  });
});

describe('without CUDA', () => {
  it.skipIf(cuda.available())(
    `GPU requests say why they cannot run${skipped(cuda.available(), 'a GPU is here')}`,
    () => {
      const status = cuda.status();
      expect(status.available).toBe(false);
      expect(typeof status.reason).toBe('string');
      expect(() => mish.forward(x, { device: 'cuda' })).toThrow(/needs CUDA, which is not available: /);
      expect(() => GpuArray.from(x)).toThrow(/needs CUDA, which is not available: /);
      expect(cuda.devices()).toEqual([]);
    },
  );
});
