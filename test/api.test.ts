// The host API (README, Usage): results, out and in place, views, lengths, factories, names.
import { describe, expect, it } from 'vitest';
import {
  Activation,
  activation,
  aptx,
  blend,
  cpu,
  elu,
  gelu,
  geluTanh,
  hardGate,
  hardMish,
  hardSwish,
  hMish,
  leakyRelu,
  mish,
  relu,
  selu,
  sigmoid,
  silu,
  softplus,
  swish,
  tanh,
} from '../lib';
import { mishRef } from '../reference/reference';

const ref = mishRef();
const ramp = (n: number, offset = 0) => Float32Array.from({ length: n }, (_, i) => ((i + offset) % 41) / 4 - 5);

describe('forward and backward on host arrays', () => {
  it.each([0, 1, 15, 17, 1000003])('length %i gives the reference values', (n) => {
    const x = ramp(n);
    const y = mish.forward(x);
    expect(y).toBeInstanceOf(Float32Array);
    expect(y.length).toBe(n);
    for (let i = 0; i < n; i += Math.max(1, n >> 6)) expect(y[i]).toBeCloseTo(ref.f(x[i]), 6);
    const g = mish.backward(x, new Float32Array(n).fill(2));
    for (let i = 0; i < n; i += Math.max(1, n >> 6)) expect(g[i]).toBeCloseTo(2 * ref.df(x[i]), 5);
  });

  it('works on views at every byte offset and gives the same bits as a copy', () => {
    const buffer = new Float32Array(1100);
    buffer.set(ramp(1100));
    const whole = mish.forward(buffer);
    for (const offset of [0, 1, 3, 7, 13]) {
      const view = buffer.subarray(offset, offset + 1000 + offset);
      const y = mish.forward(view);
      expect(Array.from(y)).toEqual(Array.from(whole.subarray(offset, offset + 1000 + offset)));
    }
  });

  it('writes into out and returns it; out may be x (forward) or dy (backward)', () => {
    const x = ramp(1001);
    const expected = mish.forward(x);
    const out = new Float32Array(1001);
    expect(mish.forward(x, { out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(expected));
    const inPlace = x.slice();
    expect(mish.forward(inPlace, { out: inPlace })).toBe(inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(expected));

    const dy = ramp(1001, 7);
    const grad = mish.backward(x, dy);
    const dyCopy = dy.slice();
    expect(mish.backward(x, dyCopy, { out: dyCopy })).toBe(dyCopy);
    expect(Array.from(dyCopy)).toEqual(Array.from(grad));
    const xCopy = x.slice();
    mish.backward(xCopy, dy, { out: xCopy });
    expect(Array.from(xCopy)).toEqual(Array.from(grad));
  });

  it('a blend in place equals the blend computed apart', () => {
    const x = ramp(5000);
    const b = blend(mish, relu, 0.3);
    const expected = b.forward(x);
    const inPlace = x.slice();
    b.forward(inPlace, { out: inPlace });
    expect(Array.from(inPlace)).toEqual(Array.from(expected));
  });

  it('empty arrays are valid', () => {
    expect(mish.forward(new Float32Array(0)).length).toBe(0);
    expect(mish.backward(new Float32Array(0), new Float32Array(0)).length).toBe(0);
    expect(aptx.paramGrad(new Float32Array(0), new Float32Array(0))).toEqual({ alpha: 0, beta: 0, gamma: 0 });
  });
});

describe('activations as objects', () => {
  it('factories carry their parameters, defaults filled in', () => {
    expect(aptx({ beta: 2 }).params).toEqual({ alpha: 1, beta: 2, gamma: 0.5 });
    expect(aptx.params).toEqual({ alpha: 1, beta: 1, gamma: 0.5 });
    expect(swish({ beta: 2 }).params).toEqual({ beta: 2 });
    expect(swish.params).toEqual({ beta: 1 });
    expect(hardGate({ shift: 2, cap: 2 }).params).toEqual({ shift: 2, cap: 2 });
    expect(swish.name).toBe('swish');
    expect(mish.name).toBe('mish');
    expect(swish).toBeInstanceOf(Activation);
  });

  it('presets are their hardGate and swish instances, bit for bit', () => {
    const x = ramp(4099);
    expect(Array.from(hardSwish.forward(x))).toEqual(Array.from(hardGate({ shift: 3, cap: 6 }).forward(x)));
    expect(Array.from(hardMish.forward(x))).toEqual(Array.from(hardGate({ shift: 3, cap: 5 }).forward(x)));
    expect(Array.from(hMish.forward(x))).toEqual(Array.from(hardGate({ shift: 2, cap: 2 }).forward(x)));
    expect(Array.from(silu.forward(x))).toEqual(Array.from(swish.forward(x)));
    expect(Array.from(hardSwish.backward(x, x))).toEqual(Array.from(hardGate.backward(x, x)));
  });

  it('aptx(1, b, 0.5) is swish(2b)', () => {
    const x = ramp(4099);
    for (const b of [0.5, 1, 1.7]) {
      const a = aptx({ beta: b }).forward(x);
      const s = swish({ beta: 2 * b }).forward(x);
      for (let i = 0; i < x.length; i++)
        expect(Math.abs(a[i] - s[i])).toBeLessThanOrEqual(8 * 2 ** -23 * Math.abs(s[i]));
    }
  });

  it('activation() builds by name, with parameters, and lists every name', () => {
    expect(activation.names).toEqual([
      'relu',
      'mish',
      'swish',
      'silu',
      'hardGate',
      'hardSwish',
      'hardMish',
      'hMish',
      'approxMish',
      'linearSwish',
      'aptx',
      'gelu',
      'geluTanh',
      'sigmoid',
      'tanh',
      'softplus',
      'elu',
      'selu',
      'leakyRelu',
      'relu6',
      'hardSigmoid',
    ]);
    expect(activation('mish')).toBe(mish);
    expect(activation('gelu')).toBe(gelu);
    expect(activation('softplus', { beta: 2 }).params).toEqual({ beta: 2 });
    expect(activation('leakyRelu').params).toEqual({ slope: 0.01 });
    expect(activation('elu').params).toEqual({ alpha: 1 });
    for (const a of [gelu, geluTanh, sigmoid, tanh, selu, softplus({ beta: -2 }), elu({ alpha: 0.5 }), leakyRelu])
      expect(activation(JSON.parse(JSON.stringify(a))).toJSON()).toEqual(a.toJSON());
    expect(JSON.stringify(softplus({ beta: 2 }))).toBe('{"name":"softplus","params":{"beta":2}}');
    const grads = blend(gelu, leakyRelu({ slope: 0.2 }), 0.25).paramGrad(Float32Array.of(-2, 3), Float32Array.of(1, 1));
    expect(grads).toEqual({ b: { slope: Math.fround(0.25) * -2 } });
    expect(activation('aptx', { beta: 2 }).params).toEqual({ alpha: 1, beta: 2, gamma: 0.5 });
    const x = ramp(100);
    expect(Array.from(activation('hardGate', { shift: 2, cap: 2 }).forward(x))).toEqual(Array.from(hMish.forward(x)));
  });

  it('blend(a, b, t) is (1 - t) a + t b, and t = 0 or 1 gives a or b exactly', () => {
    const x = ramp(3000);
    const m = mish.forward(x);
    const r = relu.forward(x);
    const y = blend(mish, relu, 0.25).forward(x);
    for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(0.75 * m[i] + 0.25 * r[i], 6);
    expect(Array.from(blend(mish, relu, 0).forward(x))).toEqual(Array.from(m));
    expect(Array.from(blend(mish, relu, 1).forward(x))).toEqual(Array.from(r));
    const nested = blend(blend(mish, relu, 0.5), hardMish, 0.5).forward(x);
    const h = hardMish.forward(x);
    for (let i = 0; i < x.length; i++) expect(nested[i]).toBeCloseTo(0.25 * m[i] + 0.25 * r[i] + 0.5 * h[i], 6);
  });
});

describe('cpu', () => {
  it('reports the ISA in use, one of the supported ones', () => {
    expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(cpu.isa());
    expect(cpu.supportedIsas()).toContain(cpu.isa());
    expect(cpu.supportedIsas().at(-1)).toBe('scalar');
  });
});

describe('the classic functions at special values: the limits, zeros with the sign of the exact result', () => {
  const at = (a: Activation, v: number) => a.forward(Float32Array.of(v))[0];
  const slope = (a: Activation, v: number) => a.backward(Float32Array.of(v), Float32Array.of(1))[0];
  const tiny = 2 ** -149;
  it.each([
    [
      'gelu',
      gelu,
      [
        [-Infinity, -0],
        [Infinity, Infinity],
        [-0, -0],
        [0, 0],
        [-20, -0],
        [tiny, 0],
      ],
    ],
    [
      'geluTanh',
      geluTanh,
      [
        [-Infinity, -0],
        [Infinity, Infinity],
        [-0, -0],
        [0, 0],
        [-20, -0],
      ],
    ],
    [
      'sigmoid',
      sigmoid,
      [
        [-Infinity, 0],
        [Infinity, 1],
        [-0, 0.5],
        [-200, 0],
      ],
    ],
    [
      'tanh',
      tanh,
      [
        [-Infinity, -1],
        [Infinity, 1],
        [-0, -0],
        [0, 0],
        [tiny, tiny],
        [-tiny, -tiny],
      ],
    ],
    [
      'softplus',
      softplus,
      [
        [-Infinity, 0],
        [Infinity, Infinity],
        [-200, 0],
      ],
    ],
    [
      'softplus beta -0.5',
      softplus({ beta: -0.5 }),
      [
        [Infinity, -0],
        [-Infinity, -Infinity],
        [1000, -0],
      ],
    ],
    [
      'elu',
      elu,
      [
        [-Infinity, -1],
        [Infinity, Infinity],
        [-0, -0],
        [tiny, tiny],
        [-tiny, -tiny],
      ],
    ],
    [
      'elu alpha 0',
      elu({ alpha: 0 }),
      [
        [-Infinity, -0],
        [-1, -0],
        [2, 2],
      ],
    ],
    [
      'selu',
      selu,
      [
        [-Infinity, Math.fround(-1.7580993408473766)],
        [Infinity, Infinity],
        [-0, -0],
        // lambda x rounds to FLT_MAX here; float32(lambda) x would overflow
        [Math.fround(3.23862215e38), 3.4028234663852886e38],
        [3.4028234663852886e38, Infinity],
      ],
    ],
    [
      'leakyRelu',
      leakyRelu,
      [
        [-Infinity, -Infinity],
        [Infinity, Infinity],
        [-0, -0],
        [0, 0],
      ],
    ],
    [
      'leakyRelu slope 0',
      leakyRelu({ slope: 0 }),
      [
        [-Infinity, -0],
        [-3, -0],
        [3, 3],
      ],
    ],
    [
      'leakyRelu slope -1.5',
      leakyRelu({ slope: -1.5 }),
      [
        [-Infinity, Infinity],
        [-2, 3],
      ],
    ],
  ] as [string, Activation, [number, number][]][])('%s forward', (_, a, cases) => {
    for (const [v, want] of cases) expect(at(a, v), `f(${v})`).toBe(want); // toBe tells -0 from 0
    expect(at(a, Number.NaN)).toBeNaN();
  });
  it.each([
    // left of the minimum (x = -0.75) the slope is negative: where it underflows it is -0
    [
      'gelu',
      gelu,
      [
        [-Infinity, -0],
        [Infinity, 1],
        [0, 0.5],
        [-30, -0],
      ],
    ],
    [
      'geluTanh',
      geluTanh,
      [
        [-Infinity, -0],
        [Infinity, 1],
        [0, 0.5],
        [-30, -0],
      ],
    ],
    [
      'sigmoid',
      sigmoid,
      [
        [-Infinity, 0],
        [Infinity, 0],
        [0, 0.25],
      ],
    ],
    [
      'tanh',
      tanh,
      [
        [-Infinity, 0],
        [Infinity, 0],
        [0, 1],
      ],
    ],
    [
      'softplus',
      softplus,
      [
        [-Infinity, 0],
        [Infinity, 1],
        [0, 0.5],
      ],
    ],
    [
      "elu alpha 1.5: elu'(0) = alpha",
      elu({ alpha: 1.5 }),
      [
        [0, 1.5],
        [-0, 1.5],
        [-Infinity, 0],
        [Infinity, 1],
      ],
    ],
    [
      'selu',
      selu,
      [
        [0, Math.fround(1.7580993408473766)],
        [1, Math.fround(1.0507009873554805)],
      ],
    ],
    [
      "leakyRelu slope 0.2: leakyRelu'(0) = slope",
      leakyRelu({ slope: 0.2 }),
      [
        [0, Math.fround(0.2)],
        [-Infinity, Math.fround(0.2)],
        [1, 1],
      ],
    ],
  ] as [string, Activation, [number, number][]][])('%s backward', (_, a, cases) => {
    for (const [v, want] of cases) expect(slope(a, v), `f'(${v})`).toBe(want);
    expect(slope(a, Number.NaN)).toBeNaN();
  });
});
