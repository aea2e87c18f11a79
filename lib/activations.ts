// The activations as objects. Each holds its code for the addon (a tree of ops and blends);
// forward/backward/paramGrad validate here, then run where the data lives (lib/run.ts).
import { type Device, type GpuArray, runBackward, runForward, runParamGrad } from './run';
import { checkNumber, checkOneOf, checkOptions, type NumberRule, rangeError, typeError } from './validate';

// Op numbers shared with cpp/types.h (enum class Op) and cpp/cpu/compute.h (kBlendCode).
const Op = {
  relu: 0,
  mish: 1,
  swish: 2,
  hardGate: 3,
  approxMish: 4,
  linearSwish: 5,
  aptx: 6,
  gelu: 7,
  geluTanh: 8,
  sigmoid: 9,
  tanh: 10,
  softplus: 11,
  elu: 12,
  selu: 13,
  leakyRelu: 14,
} as const;
const BLEND = 100;

export interface CallOptions<A> {
  /** Where the result goes; may be the input itself (x for forward, x or dy for backward). */
  out?: A;
  /** 'auto' (default): where the data lives; 'cuda' computes a host array on the GPU. */
  device?: Device;
}

export type Params = Readonly<Record<string, number>>;
export type Grads = Record<string, number>;

export class Activation {
  /** @internal the addon's description of this function */
  readonly code: Float64Array;
  readonly params: Params;

  /** @internal */
  constructor(
    readonly name: string,
    params: Record<string, number>,
    code: ArrayLike<number>,
    /** @internal the names paramGrad returns, in the addon's order */
    readonly gradNames: readonly string[] = [],
  ) {
    this.params = Object.freeze({ ...params });
    this.code = Float64Array.from(code);
  }

  /** f(x), elementwise. */
  forward(x: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  forward(x: GpuArray, options?: CallOptions<GpuArray>): GpuArray;
  forward(x: Float32Array | GpuArray, options?: CallOptions<Float32Array | GpuArray>): Float32Array | GpuArray {
    return runForward(this, x, options, false) as Float32Array | GpuArray;
  }

  /** dL/dx = f'(x) dy, elementwise. */
  backward(x: Float32Array, dy: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  backward(x: GpuArray, dy: GpuArray, options?: CallOptions<GpuArray>): GpuArray;
  backward(
    x: Float32Array | GpuArray,
    dy: Float32Array | GpuArray,
    options?: CallOptions<Float32Array | GpuArray>,
  ): Float32Array | GpuArray {
    return runBackward(this, x, dy, options, false) as Float32Array | GpuArray;
  }

  /** The same result as forward, computed off the main thread (or on the GPU stream). */
  forwardAsync(x: Float32Array, options?: CallOptions<Float32Array>): Promise<Float32Array>;
  forwardAsync(x: GpuArray, options?: CallOptions<GpuArray>): Promise<GpuArray>;
  async forwardAsync(
    x: Float32Array | GpuArray,
    options?: CallOptions<Float32Array | GpuArray>,
  ): Promise<Float32Array | GpuArray> {
    return runForward(this, x, options, true);
  }

  backwardAsync(x: Float32Array, dy: Float32Array, options?: CallOptions<Float32Array>): Promise<Float32Array>;
  backwardAsync(x: GpuArray, dy: GpuArray, options?: CallOptions<GpuArray>): Promise<GpuArray>;
  async backwardAsync(
    x: Float32Array | GpuArray,
    dy: Float32Array | GpuArray,
    options?: CallOptions<Float32Array | GpuArray>,
  ): Promise<Float32Array | GpuArray> {
    return runBackward(this, x, dy, options, true);
  }

  /** Sums over all elements of dL/dparam; only for activations with trainable parameters. */
  paramGrad(x: Float32Array | GpuArray, dy: Float32Array | GpuArray, options?: { device?: Device }): Grads {
    this.checkTrainable();
    return this.grads(runParamGrad(this, x, dy, options, false) as Float64Array);
  }

  async paramGradAsync(
    x: Float32Array | GpuArray,
    dy: Float32Array | GpuArray,
    options?: { device?: Device },
  ): Promise<Grads> {
    this.checkTrainable();
    return this.grads(await runParamGrad(this, x, dy, options, true));
  }

  private checkTrainable(): void {
    if (this.gradNames.length === 0)
      throw new TypeError(
        `${this.name} has no trainable parameters: paramGrad is for swish, aptx, softplus, elu and leakyRelu`,
      );
  }

  private grads(sums: Float64Array): Grads {
    const result: Grads = {};
    this.gradNames.forEach((name, i) => {
      result[name] = sums[i];
    });
    return result;
  }
}

// A parametric activation is a factory that is also the activation with default parameters:
// swish.forward(x) and swish({ beta: 2 }).forward(x) both work.
export type Factory<P> = Activation & ((params?: Partial<P>) => Activation);

interface ParamSpec {
  readonly name: string;
  readonly default: number;
  readonly rule?: NumberRule;
}

function factory<P>(
  name: string,
  specs: readonly ParamSpec[],
  make: (values: Record<string, number>) => Activation,
): Factory<P> {
  const names = specs.map((s) => s.name);
  const create = (params?: Partial<P>): Activation => {
    const given = checkOptions<Record<string, number>>(params, 'params', `a parameter name of ${name}`, names);
    const values: Record<string, number> = {};
    for (const s of specs) values[s.name] = checkNumber(given[s.name] ?? s.default, s.name, s.rule);
    return make(values);
  };
  const defaults = create();
  Object.setPrototypeOf(create, defaults);
  Object.defineProperty(create, 'name', { value: name });
  return create as unknown as Factory<P>;
}

function plain(name: string, op: number, raw: number[] = []): Activation {
  return new Activation(name, {}, [op, ...raw, 0, 0, 0].slice(0, 4));
}

export const relu = plain('relu', Op.relu);
export const mish = plain('mish', Op.mish);
export const silu = plain('silu', Op.swish, [1]);
export const hardSwish = plain('hardSwish', Op.hardGate, [3, 6]);
export const hardMish = plain('hardMish', Op.hardGate, [3, 5]);
export const hMish = plain('hMish', Op.hardGate, [2, 2]);
export const approxMish = plain('approxMish', Op.approxMish);
export const linearSwish = plain('linearSwish', Op.linearSwish);
export const gelu = plain('gelu', Op.gelu);
export const geluTanh = plain('geluTanh', Op.geluTanh);
export const sigmoid = plain('sigmoid', Op.sigmoid);
export const tanh = plain('tanh', Op.tanh);
export const selu = plain('selu', Op.selu);

export const swish = factory<{ beta: number }>(
  'swish',
  [{ name: 'beta', default: 1 }],
  (p) => new Activation('swish', p, [Op.swish, p.beta, 0, 0], ['beta']),
);

export const hardGate = factory<{ shift: number; cap: number }>(
  'hardGate',
  [
    { name: 'shift', default: 3 },
    { name: 'cap', default: 6, rule: { above: 0 } },
  ],
  (p) => new Activation('hardGate', p, [Op.hardGate, p.shift, p.cap, 0]),
);

export const aptx = factory<{ alpha: number; beta: number; gamma: number }>(
  'aptx',
  [
    { name: 'alpha', default: 1 },
    { name: 'beta', default: 1 },
    { name: 'gamma', default: 0.5 },
  ],
  (p) => new Activation('aptx', p, [Op.aptx, p.alpha, p.beta, p.gamma], ['alpha', 'beta', 'gamma']),
);

export const softplus = factory<{ beta: number }>(
  'softplus',
  [{ name: 'beta', default: 1, rule: { nonzero: true } }],
  (p) => new Activation('softplus', p, [Op.softplus, p.beta, 0, 0], ['beta']),
);

export const elu = factory<{ alpha: number }>(
  'elu',
  [{ name: 'alpha', default: 1 }],
  (p) => new Activation('elu', p, [Op.elu, p.alpha, 0, 0], ['alpha']),
);

/** A trainable slope (paramGrad) is PReLU. */
export const leakyRelu = factory<{ slope: number }>(
  'leakyRelu',
  [{ name: 'slope', default: 0.01 }],
  (p) => new Activation('leakyRelu', p, [Op.leakyRelu, p.slope, 0, 0], ['slope']),
);

const MAX_BLEND_NODES = 64; // cpp/cpu/compute.h kMaxNodes

/** (1 - t) a(x) + t b(x) in one pass: for moving a trained model from a to b. */
export function blend(a: Activation, b: Activation, t: number): Activation {
  if (!(a instanceof Activation)) throw typeError('an activation', 'a', a);
  if (!(b instanceof Activation)) throw typeError('an activation', 'b', b);
  checkNumber(t, 't', { min: 0, max: 1 });
  const code = [BLEND, t, 0, 0, ...a.code, ...b.code];
  if (code.length / 4 > MAX_BLEND_NODES)
    throw rangeError(`at most ${MAX_BLEND_NODES} activations in a blend`, 'blend', `${code.length / 4}`);
  const blended = new Activation('blend', { t }, code);
  return Object.assign(blended, { a, b }) as Activation;
}

const byName = {
  relu,
  mish,
  swish,
  silu,
  hardGate,
  hardSwish,
  hardMish,
  hMish,
  approxMish,
  linearSwish,
  aptx,
  gelu,
  geluTanh,
  sigmoid,
  tanh,
  softplus,
  elu,
  selu,
  leakyRelu,
} as const;

export type ActivationName = keyof typeof byName;
const names = Object.freeze(Object.keys(byName) as ActivationName[]);

/** An activation by name, for configs: activation('aptx', { beta: 2 }). */
export const activation = Object.assign(
  (name: ActivationName, params?: Record<string, number>): Activation => {
    const key = checkOneOf(name, 'name', names);
    const found: Activation = byName[key];
    if (typeof found === 'function') return (found as Factory<Record<string, number>>)(params);
    checkOptions(params, 'params', `a parameter name of ${key}`, []);
    return found;
  },
  { names },
);
