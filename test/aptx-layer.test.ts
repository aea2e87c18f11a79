// The APTx Neuron layer: values and every gradient against a double-precision reference, central
// differences of the float forward, trainAlpha, seeded initialisation, threads, bad input.
import { afterAll, describe, expect, it } from 'vitest';
import { aptxLayer, cpu } from '../lib';
import { expectClose, reference, type Shape, setup } from './aptx-layer-reference';

const shapes: Shape[] = [
  { batch: 1, inputs: 1, outputs: 1 },
  { batch: 7, inputs: 13, outputs: 5 },
  { batch: 9, inputs: 37, outputs: 3 },
  { batch: 4, inputs: 64, outputs: 8 },
  { batch: 33, inputs: 50, outputs: 2 },
];

afterAll(() => cpu.setIsa(cpu.supportedIsas()[0]));

describe.each(cpu.supportedIsas())('on %s', (isa) => {
  it.each(shapes)('forward and backward match the double reference (%o)', (shape) => {
    cpu.setIsa(isa);
    const { layer, x, dy } = setup(shape);
    const r = reference(layer, x, dy, shape.batch);
    const y = layer.forward(x, shape.batch);
    expectClose(y, r.y, r.yScale, shape.inputs, 'y');
    const g = layer.backward(x, dy, shape.batch);
    expectClose(g.dx, r.dx, r.dxScale, shape.outputs, 'dx');
    expectClose(g.alpha!, r.grads[0], r.gradScales[0], shape.batch, 'dalpha');
    expectClose(g.beta, r.grads[1], r.gradScales[1], shape.batch, 'dbeta');
    expectClose(g.gamma, r.grads[2], r.gradScales[2], shape.batch, 'dgamma');
    const absDy = new Float64Array(shape.outputs);
    for (let k = 0; k < dy.length; k++) absDy[k % shape.outputs] += Math.abs(dy[k]);
    expectClose(g.delta, r.ddelta, absDy, shape.batch, 'ddelta');
  });
});

describe('central differences of the float forward', () => {
  const shape = { batch: 3, inputs: 11, outputs: 4 };
  const { layer, x, dy } = setup(shape, 21);
  for (let k = 0; k < x.length; k++) x[k] = Math.max(-3, Math.min(3, x[k])); // keep curvature moderate
  const grads = layer.backward(x, dy, shape.batch);
  // L = sum dy * y, in double from the float outputs
  const loss = () => {
    const y = layer.forward(x, shape.batch);
    let s = 0;
    for (let k = 0; k < y.length; k++) s += dy[k] * y[k];
    return s;
  };
  const h = 1 / 256; // exact in float: a +- h perturbation moves a value by exactly h near 1
  const numeric = (a: Float32Array, k: number) => {
    const keep = a[k];
    a[k] = keep + h;
    const hi = loss();
    a[k] = keep - h;
    const lo = loss();
    a[k] = keep;
    return (hi - lo) / (Math.fround(keep + h) - Math.fround(keep - h));
  };
  const p = layer.params;
  it.each([
    ['dx', x, grads.dx],
    ['alpha', p.alpha, grads.alpha!],
    ['beta', p.beta, grads.beta],
    ['gamma', p.gamma, grads.gamma],
    ['delta', p.delta, grads.delta],
  ] as const)('%s', (_name, array, analytic) => {
    for (let k = 0; k < array.length; k++) {
      const n = numeric(array, k);
      expect(Math.abs(n - analytic[k])).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(analytic[k])));
    }
  });
});

describe('trainAlpha: false', () => {
  it('fixes alpha at 1, returns no alpha gradient, and keeps the seeded beta and gamma', () => {
    const shape = { batch: 5, inputs: 19, outputs: 6 };
    const { layer, x, dy } = setup(shape, 3, false);
    expect(layer.trainAlpha).toBe(false);
    expect(layer.params.alpha.every((v) => v === 1)).toBe(true);
    const trained = aptxLayer({ inputs: 19, outputs: 6, seed: 3 });
    expect(layer.params.beta).toEqual(trained.params.beta);
    expect(layer.params.gamma).toEqual(trained.params.gamma);
    const r = reference(layer, x, dy, shape.batch);
    expectClose(layer.forward(x, shape.batch), r.y, r.yScale, shape.inputs, 'y');
    const g = layer.backward(x, dy, shape.batch);
    expect(g.alpha).toBeNull();
    expectClose(g.beta, r.grads[1], r.gradScales[1], shape.batch, 'dbeta');
    expectClose(g.dx, r.dx, r.dxScale, shape.outputs, 'dx');
  });
});

describe('initialisation', () => {
  it('is reproducible from the seed: alpha, beta, gamma ~ N(0, 1), delta = 0', () => {
    const a = aptxLayer({ inputs: 100, outputs: 100, seed: 42 });
    const b = aptxLayer({ inputs: 100, outputs: 100, seed: 42 });
    const c = aptxLayer({ inputs: 100, outputs: 100, seed: 43 });
    expect(a.params.alpha).toEqual(b.params.alpha);
    expect(a.params.gamma).toEqual(b.params.gamma);
    expect(a.params.alpha).not.toEqual(c.params.alpha);
    expect(a.params.delta.every((v) => v === 0)).toBe(true);
    for (const w of [a.params.alpha, a.params.beta, a.params.gamma]) {
      let sum = 0;
      let sq = 0;
      for (const v of w) {
        sum += v;
        sq += v * v;
      }
      const mean = sum / w.length;
      expect(Math.abs(mean)).toBeLessThan(0.05); // 5 standard errors for 10^4 draws
      expect(Math.abs(sq / w.length - mean * mean - 1)).toBeLessThan(0.07);
    }
    expect(a.params.beta).not.toEqual(a.params.alpha);
  });

  it('draws a random seed when none is given', () => {
    const a = aptxLayer({ inputs: 4, outputs: 4 });
    const b = aptxLayer({ inputs: 4, outputs: 4 });
    expect(a.params.beta).not.toEqual(b.params.beta);
  });
});

describe('threads and batches', () => {
  it('gives the same bits on 1 and 2 threads', () => {
    const shape = { batch: 64, inputs: 100, outputs: 20 }; // 128000 terms: split over threads
    const { layer, x, dy } = setup(shape);
    const saved = cpu.threads();
    const run = (n: number) => {
      cpu.setThreads(n);
      return [layer.forward(x, 64), ...Object.values(layer.backward(x, dy, 64))];
    };
    const one = run(1);
    const two = run(2);
    cpu.setThreads(saved);
    expect(two).toEqual(one);
  });

  it('an empty batch gives empty results', () => {
    const layer = aptxLayer({ inputs: 3, outputs: 2, seed: 1 });
    expect(layer.forward(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    const g = layer.backward(new Float32Array(0), new Float32Array(0), 0);
    expect(g.dx.length).toBe(0);
    expect(g.beta).toEqual(new Float32Array(6));
    expect(g.delta).toEqual(new Float32Array(2));
  });

  it('writes to params take effect', () => {
    const layer = aptxLayer({ inputs: 2, outputs: 1, seed: 1 });
    layer.params.alpha.set([1, 1]);
    layer.params.beta.set([0, 0]);
    layer.params.gamma.set([2, 3]);
    layer.params.delta[0] = 0.5;
    expect(layer.forward(new Float32Array([1, -1]), 1)[0]).toBe(2 - 3 + 0.5);
  });
});

describe('bad input', () => {
  const layer = aptxLayer({ inputs: 3, outputs: 2, seed: 1 });
  const x = new Float32Array(6);
  it.each([
    [undefined, new TypeError('Expected an object for options but received undefined')],
    [{ inputs: 3 }, new TypeError('Expected a positive integer for outputs but received undefined')],
    [{ inputs: '3', outputs: 2 }, new TypeError('Expected a positive integer for inputs but received string "3"')],
    [{ inputs: 0, outputs: 2 }, new RangeError('Expected a positive integer for inputs but received 0')],
    [{ inputs: 3, outputs: 2.5 }, new RangeError('Expected a positive integer for outputs but received 2.5')],
    [
      { inputs: 65536, outputs: 65536 },
      new RangeError('Expected inputs × outputs ≤ 268435456 for outputs but received 65536 × 65536'),
    ],
    [
      { inputs: 3, outputs: 2, trainAlpha: 1 },
      new TypeError('Expected a boolean for trainAlpha but received number 1'),
    ],
    [
      { inputs: 3, outputs: 2, seed: -1 },
      new RangeError('Expected an integer in [0, 4294967295] for seed but received -1'),
    ],
    [
      { inputs: 3, outputs: 2, seed: 'a' },
      new TypeError('Expected an integer in [0, 4294967295] for seed but received string "a"'),
    ],
    [
      { inputs: 3, outputs: 2, bias: true },
      new RangeError(
        'Expected one of inputs, outputs, trainAlpha, seed for an option name of aptxLayer but received "bias"',
      ),
    ],
  ])('aptxLayer(%o)', (options, error) => {
    expect(() => aptxLayer(options as never)).toThrow(error);
  });

  it('forward and backward', () => {
    expect(() => layer.forward([0, 0, 0] as never, 1)).toThrow(
      new TypeError('Expected Float32Array for x but received Array'),
    );
    expect(() => layer.forward(x, 3)).toThrow(
      new RangeError('Expected length 9 (batch × inputs = 3 × 3) for x but received length 6'),
    );
    expect(() => layer.forward(x, -1)).toThrow(
      new RangeError('Expected a non-negative integer for batch but received -1'),
    );
    expect(() => layer.forward(x, undefined as never)).toThrow(
      new TypeError('Expected a non-negative integer for batch but received undefined'),
    );
    expect(() => layer.backward(x, new Float32Array(3), 2)).toThrow(
      new RangeError('Expected length 4 (batch × outputs = 2 × 2) for dy but received length 3'),
    );
    expect(() => layer.backward(x, new Float64Array(4) as never, 2)).toThrow(
      new TypeError('Expected Float32Array for dy but received Float64Array'),
    );
  });

  it('a detached weight array', () => {
    const l = aptxLayer({ inputs: 3, outputs: 2, seed: 1 });
    structuredClone(l.params.gamma.buffer, { transfer: [l.params.gamma.buffer] });
    expect(() => l.forward(x, 2)).toThrow(
      new TypeError('Expected an attached Float32Array for params.gamma but received a detached one'),
    );
  });
});
