// Activations as data (lib/spec.ts): JSON.stringify writes the spec, activation(spec) reads it
// back, and a spec from an untrusted config gets only TypeErrors and RangeErrors in the one format.
import { describe, expect, it } from 'vitest';
import ak, {
  type ActivationSpec,
  activation,
  aptx,
  blend,
  hardGate,
  hardMish,
  isActivationName,
  mish,
  relu,
  swish,
} from '../lib';
import { random } from './helpers/data';

const x = Float32Array.from({ length: 2001 }, (_, i) => i / 100 - 10);
const dy = Float32Array.from({ length: 2001 }, (_, i) => Math.sin(i));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const all = activation.names.join(', ');

describe('JSON.stringify and activation(spec)', () => {
  it('writes { name, params }, only name without parameters, and nests blends', () => {
    expect(JSON.stringify(aptx({ beta: 2 }))).toBe('{"name":"aptx","params":{"alpha":1,"beta":2,"gamma":0.5}}');
    expect(JSON.stringify(swish)).toBe('{"name":"swish","params":{"beta":1}}');
    expect(JSON.stringify(mish)).toBe('{"name":"mish"}');
    expect(JSON.stringify(blend(mish, hardGate({ cap: 4 }), 0.25))).toBe(
      '{"name":"blend","a":{"name":"mish"},"b":{"name":"hardGate","params":{"shift":3,"cap":4}},"t":0.25}',
    );
    expect(JSON.stringify({ layers: [relu, blend(blend(mish, relu, 0.5), aptx, 1)] })).toBe(
      '{"layers":[{"name":"relu"},{"name":"blend","a":{"name":"blend","a":{"name":"mish"},"b":{"name":"relu"},"t":0.5},"b":{"name":"aptx","params":{"alpha":1,"beta":1,"gamma":0.5}},"t":1}]}',
    );
  });

  it('reads it back: the same function, bit for bit, and the same JSON', () => {
    for (const f of [
      mish,
      swish({ beta: 1.7 }),
      aptx({ alpha: 0.5, gamma: 2 }),
      blend(blend(aptx, relu, 0.3), mish, 0.6),
    ]) {
      const text = JSON.stringify(f);
      const back = activation(JSON.parse(text));
      expect(JSON.stringify(back)).toBe(text);
      expect(bits(back.forward(x))).toEqual(bits(f.forward(x)));
      expect(bits(back.backward(x, dy))).toEqual(bits(f.backward(x, dy)));
    }
    expect(activation({ name: 'mish' })).toBe(mish);
    expect(activation({ name: 'aptx', params: { beta: 2 } }).params).toEqual({ alpha: 1, beta: 2, gamma: 0.5 });
    expect(activation({ name: 'hardMish', params: {} })).toBe(hardMish);
    expect(activation(Object.assign(Object.create(null), { name: 'relu' }))).toBe(relu);
  });

  it('rejects what is not a spec, naming where in it', () => {
    const cases: Array<[unknown, Error]> = [
      [
        [],
        new TypeError(
          'Expected an activation spec object ({ name, params } or { name: "blend", a, b, t }) for spec but received Array',
        ),
      ],
      [{}, new TypeError(`Expected one of ${all}, blend for spec.name but received undefined`)],
      [
        { name: 'Mish' },
        new RangeError(`Expected one of ${all}, blend for spec.name but received "Mish"; did you mean 'mish'?`),
      ],
      [
        { name: 'mish', extra: 1 },
        new RangeError('Expected one of name, params for a key of spec but received "extra"'),
      ],
      [
        { name: 'mish', params: { beta: 1 } },
        new RangeError('Expected none for a key of spec.params but received "beta"'),
      ],
      [
        { name: 'aptx', params: { betta: 1 } },
        new RangeError(
          `Expected one of alpha, beta, gamma for a key of spec.params but received "betta"; did you mean 'beta'?`,
        ),
      ],
      [
        { name: 'aptx', params: { beta: '2' } },
        new TypeError('Expected a number for spec.params.beta but received string "2"'),
      ],
      [
        { name: 'aptx', params: { beta: null } },
        new TypeError('Expected a number for spec.params.beta but received null'),
      ],
      [
        { name: 'aptx', params: { beta: 1e39 } },
        new RangeError('Expected a finite float32 number for spec.params.beta but received 1e+39'),
      ],
      [
        { name: 'aptx', params: [1] },
        new TypeError(
          'Expected an object of the parameters of aptx { alpha, beta, gamma } for spec.params but received Array',
        ),
      ],
      [
        { name: 'hardGate', params: { cap: 0 } },
        new RangeError('Expected a number > 0 for spec.params.cap but received 0'),
      ],
      [
        { name: 'blend', a: { name: 'mish' }, b: { name: 'relu' } },
        new TypeError('Expected a number for spec.t but received undefined'),
      ],
      [
        { name: 'blend', a: { name: 'mish' }, t: 0.5 },
        new TypeError('Expected an activation spec for spec.b but received undefined'),
      ],
      [
        { name: 'blend', a: { name: 'mish' }, b: { name: 'relu' }, t: 2 },
        new RangeError('Expected a number in [0, 1] for spec.t but received 2'),
      ],
      [
        { name: 'blend', a: { name: 'mish' }, b: { name: 'relu', p: 1 }, t: 0.5 },
        new RangeError('Expected one of name, params for a key of spec.b but received "p"'),
      ],
      [
        { name: 'blend', a: 'mish', b: { name: 'relu' }, t: 0.5 },
        new TypeError(
          'Expected an activation spec object ({ name, params } or { name: "blend", a, b, t }) for spec.a but received string "mish"',
        ),
      ],
      [
        { name: 'blend', a: { name: 'mish' }, b: { name: 'relu' }, t: 0.5, params: {} },
        new RangeError('Expected one of name, a, b, t for a key of spec but received "params"'),
      ],
      [
        mish,
        new TypeError(
          'Expected a plain object ({ name, params } or { name: "blend", a, b, t }) for spec but received Activation',
        ),
      ],
      [
        new Date(),
        new TypeError(
          'Expected a plain object ({ name, params } or { name: "blend", a, b, t }) for spec but received Date',
        ),
      ],
    ];
    for (const [spec, error] of cases)
      expect(() => activation(spec as ActivationSpec), JSON.stringify(spec)).toThrow(error);
    expect(() => activation(3 as never)).toThrow(
      new TypeError(`Expected an activation name (one of ${all}) or a spec object for name but received number 3`),
    );
    expect(() => activation({ name: 'mish' }, {} as never)).toThrow(
      new TypeError('Expected no second argument after a spec for params but received Object'),
    );
  });

  it('__proto__ and constructor keys are unknown keys, and pollute nothing', () => {
    const proto = JSON.parse('{"name":"mish","__proto__":{"polluted":1}}');
    expect(() => activation(proto)).toThrow(
      new RangeError('Expected one of name, params for a key of spec but received "__proto__"'),
    );
    const inParams = JSON.parse('{"name":"aptx","params":{"__proto__":{"beta":5}}}');
    expect(() => activation(inParams)).toThrow(
      new RangeError('Expected one of alpha, beta, gamma for a key of spec.params but received "__proto__"'),
    );
    expect(() => activation(JSON.parse('{"name":"swish","params":{"constructor":1}}'))).toThrow(
      new RangeError('Expected one of beta for a key of spec.params but received "constructor"'),
    );
    expect(() => activation(JSON.parse('{"name":"constructor"}'))).toThrow(RangeError);
    expect(() => activation(JSON.parse('{"name":"__proto__"}'))).toThrow(RangeError);
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
  });

  it('reads own data properties only: no getters run, no inherited keys', () => {
    let ran = false;
    const getter = Object.defineProperty({ name: 'aptx' }, 'params', {
      enumerable: true,
      get() {
        ran = true;
        throw new Error('not a TypeError');
      },
    });
    expect(() => activation(getter as never)).toThrow(
      new TypeError('Expected a data property for spec.params but received a getter'),
    );
    expect(ran).toBe(false);
    const inherited = Object.create({ name: 'mish' });
    expect(() => activation(inherited)).toThrow(TypeError);
    expect(() => activation({ name: 'mish', [Symbol('s')]: 1 } as never)).toThrow(
      new TypeError('Expected string keys only for spec but received a symbol key'),
    );
  });

  it('limits depth and size, so that a hostile spec costs nothing', () => {
    let deep: unknown = { name: 'mish' };
    for (let i = 0; i < 10_000; i++) deep = { name: 'blend', a: deep, b: { name: 'relu' }, t: 0.5 };
    expect(() => activation(deep as ActivationSpec)).toThrow(
      new RangeError('Expected blends nested at most 16 deep for spec but received deeper'),
    );
    let ok: unknown = { name: 'mish' };
    for (let i = 0; i < 16; i++) ok = { name: 'blend', a: ok, b: { name: 'relu' }, t: 0.5 };
    expect(bits(activation(ok as ActivationSpec).forward(x)).length).toBe(x.length);
    // shared subtrees: 2^17 nodes if expanded; the count stops at 64
    let wide: unknown = { name: 'mish' };
    for (let i = 0; i < 16; i++) wide = { name: 'blend', a: wide, b: wide, t: 0.5 };
    const started = Date.now();
    expect(() => activation(wide as ActivationSpec)).toThrow(
      new RangeError('Expected at most 64 activations for spec but received more'),
    );
    expect(Date.now() - started).toBeLessThan(1000);
    const cycle: Record<string, unknown> = { name: 'blend', b: { name: 'relu' }, t: 0.5 };
    cycle.a = cycle;
    expect(() => activation(cycle as never)).toThrow(RangeError);
  });
});

describe('hostile specs, seeded', () => {
  // Random JSON from the spec's own vocabulary and around it: what comes back is an activation
  // that round-trips, or a TypeError/RangeError in the one format; nothing else, nothing slow.
  it('20000 random specs give an activation or a TypeError/RangeError, never anything else', () => {
    const rng = random(13);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
    const keys = [
      'name',
      'params',
      'a',
      'b',
      't',
      'alpha',
      'beta',
      'gamma',
      'shift',
      'cap',
      '__proto__',
      'constructor',
      'x',
    ];
    const names = [...activation.names, 'blend', 'Mish', '', 'toString', '__proto__'];
    const numbers = [0, 1, -1, 0.5, 2, 1e39, -1e-300, 3.4e38, 6, -3];
    const value = (depth: number): unknown => {
      const r = rng();
      if (depth > 5 || r < 0.25) return pick(numbers);
      if (r < 0.35) return pick(names);
      if (r < 0.4) return pick([null, true, [], [1], 'x']);
      return node(depth + 1);
    };
    const node = (depth: number): unknown => {
      const o: Record<string, unknown> = {};
      if (rng() < 0.9) o.name = rng() < 0.4 ? 'blend' : pick(names);
      if (o.name === 'blend') {
        if (rng() < 0.95) o.a = node(depth + 1);
        if (rng() < 0.95) o.b = node(depth + 1);
        if (rng() < 0.95) o.t = rng() < 0.8 ? rng() : pick(numbers);
      } else if (rng() < 0.6) {
        const params: Record<string, unknown> = {};
        for (let i = Math.floor(rng() * 3); i > 0; i--) params[pick(keys)] = rng() < 0.8 ? pick(numbers) : value(depth);
        o.params = params;
      }
      if (rng() < 0.05) o[pick(keys)] = value(depth);
      return o;
    };
    const format = /^Expected .+ for (a key of |a parameter name of \w+ in )?(spec|name)\b.* but received .+$/;
    let made = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = JSON.stringify(node(0));
      let f: ReturnType<typeof activation> | undefined;
      try {
        f = activation(JSON.parse(text));
      } catch (e) {
        if (!(e instanceof TypeError || e instanceof RangeError)) throw new Error(`${text}: ${e}`);
        if (!format.test((e as Error).message))
          throw new Error(`${text}: message out of format: ${(e as Error).message}`);
        continue;
      }
      made++;
      expect(JSON.stringify(activation(JSON.parse(JSON.stringify(f))))).toBe(JSON.stringify(f));
    }
    expect(made).toBeGreaterThan(500);
  });
});

describe('activations are immutable values', () => {
  it('frozen: assignments throw in strict code and change nothing', () => {
    for (const f of [mish, swish, aptx({ beta: 2 }), blend(mish, relu, 0.5)]) {
      expect(Object.isFrozen(f), f.name).toBe(true);
      expect(Object.isFrozen(f.params)).toBe(true);
      expect(() => {
        (f as { name: string }).name = 'x';
      }).toThrow(TypeError);
    }
    expect(() => {
      (aptx.params as { beta: number }).beta = 3;
    }).toThrow(TypeError);
    expect(mish.name).toBe('mish');
    expect(aptx.params.beta).toBe(1);
    expect(() => {
      (activation as { names: string[] }).names = [];
    }).toThrow(TypeError);
    expect(() => (activation.names as string[]).push('x')).toThrow(TypeError);
  });
});

describe('isActivationName and the default export', () => {
  it('narrows exactly the names of the table', () => {
    for (const n of activation.names) expect(isActivationName(n)).toBe(true);
    for (const n of ['Mish', 'blend', '__proto__', 'constructor', 'toString', '', 3, null, undefined])
      expect(isActivationName(n), String(n)).toBe(false);
  });

  it('the default export holds every named export', () => {
    expect(ak.mish).toBe(mish);
    expect(ak.activation).toBe(activation);
    expect(ak.isActivationName).toBe(isActivationName);
  });
});

describe('paramGrad of a blend', () => {
  it('gives the trainable sides, weighted by their share of the blend', async () => {
    const p = { alpha: 1.2, beta: 0.8, gamma: 0.6 };
    const t = 0.3;
    const w = 1 - Math.fround(t); // the kernels hold t as a float32
    const own = aptx(p).paramGrad(x, dy);
    const g = blend(aptx(p), hardMish, t).paramGrad(x, dy);
    expect(Object.keys(g)).toEqual(['a']);
    for (const k of ['alpha', 'beta', 'gamma'] as const) expect(g.a[k]).toBe(w * own[k]);
    expect(await blend(aptx(p), hardMish, t).paramGradAsync(x, dy)).toEqual(g);
    // both sides trainable, nested: each weighted by the product of the shares above it
    const s = swish({ beta: 1.5 });
    const nested = blend(s, blend(mish, aptx(p), 0.25), 0.5).paramGrad(x, dy);
    expect(nested.a.beta).toBe(0.5 * s.paramGrad(x, dy).beta);
    expect(nested.b.b.alpha).toBe(0.5 * 0.25 * own.alpha);
    expect(Object.keys(nested.b)).toEqual(['b']);
  });

  it('is the derivative of the blend: a finite difference in beta agrees', () => {
    const t = 0.4;
    const h = 1e-2;
    const loss = (beta: number) => {
      const y = blend(aptx({ beta }), hardMish, t).forward(x);
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += y[i] * dy[i];
      return sum;
    };
    const numeric = (loss(0.8 + h) - loss(0.8 - h)) / (2 * h);
    const analytic = blend(aptx({ beta: 0.8 }), hardMish, t).paramGrad(x, dy).a.beta;
    expect(Math.abs(numeric - analytic)).toBeLessThan(1e-3 * (1 + Math.abs(analytic)));
  });
});
