// DESIGN §5: every bad argument gets a TypeError or RangeError with the exact message.
import { describe, expect, it } from 'vitest';
import {
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
    expect(() => activation('mishh' as never)).toThrow(
      new RangeError(
        'Expected one of relu, mish, swish, silu, hardGate, hardSwish, hardMish, hMish, approxMish, linearSwish, aptx, gelu, geluTanh, sigmoid, tanh, softplus, elu, selu, leakyRelu for name but received "mishh"',
      ),
    );
    expect(() => aptx({ betta: 2 } as never)).toThrow(
      new RangeError('Expected one of alpha, beta, gamma for a parameter name of aptx but received "betta"'),
    );
    expect(() => activation('mish', { beta: 1 })).toThrow(
      new RangeError('Expected none for a parameter name of mish but received "beta"'),
    );
    expect(() => mish.forward(x, { outt: x } as never)).toThrow(
      new RangeError('Expected one of out, device for an option name but received "outt"'),
    );
    expect(() => mish.forward(x, { device: 'gpu' as never })).toThrow(
      new RangeError('Expected one of auto, cpu, cuda for device but received "gpu"'),
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

describe('without CUDA', () => {
  it.skipIf(cuda.available())('GPU requests say why they cannot run', () => {
    const status = cuda.status();
    expect(status.available).toBe(false);
    expect(typeof status.reason).toBe('string');
    expect(() => mish.forward(x, { device: 'cuda' })).toThrow(/needs CUDA, which is not available: /);
    expect(() => GpuArray.from(x)).toThrow(/needs CUDA, which is not available: /);
    expect(cuda.devices()).toEqual([]);
  });
});
