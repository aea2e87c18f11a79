// The activations as objects. Each encodes itself as a code for the addon (a tree of the ops of
// the registry, cpp/ops.h, and blends), which the addon decodes once into its program;
// forward/backward/paramGrad validate here, then run where the data lives (lib/run.ts).
// An activation is frozen, its methods work unbound, and JSON.stringify gives its spec
// (lib/spec.ts reads it back).
import type { Dtype, HalfDtype } from './half';
import { limits, opCode } from './ops';
import { type Device, type GpuArray, runBackward, runForward, runParamGrad } from './run';
import { checkNumber, checkOptions, type NumberRule, rangeError, typeError } from './validate';

/** Options of forward and backward. */
export interface CallOptions<A extends Float32Array | GpuArray = Float32Array | GpuArray> {
  /** Where the result goes; may be the input itself (x for forward, x or dy for backward). */
  out?: A;
  /** 'auto' (default): where the data lives; 'cpu' or 'cuda' (a host array computed on the GPU). */
  device?: Device;
  /**
   * Host arrays: 'float32', the default (half precision: HalfCallOptions). A GpuArray has its
   * own dtype, which this may repeat (another is a TypeError).
   */
  dtype?: A extends GpuArray ? Dtype : 'float32';
}

/**
 * Options of a half-precision call: x (and dy, out) are Uint16Arrays of raw bfloat16 or float16
 * bits; each result is the exact value rounded once to the format (to nearest, ties to even), on
 * the CPU or a GPU alike. toHalf and fromHalf convert from and to float32.
 */
export interface HalfCallOptions<A extends Uint16Array = Uint16Array> {
  dtype: HalfDtype;
  /** Where the result goes: a Uint16Array of x's length; may be the input itself. */
  out?: A;
  /** 'auto' (default): the CPU; 'cuda', 'cuda:N' or N: computed on that GPU. */
  device?: Device;
}

/**
 * paramGrad's arguments: none fit where there is nothing to train (G is never), so that
 * `mish.paramGrad(x, dy)` is a type error, not only a TypeError at run time.
 */
export type GradArgs<G> = [G] extends [never]
  ? [noTrainableParameters: never, ...rest: never[]]
  : [x: Float32Array | GpuArray | Uint16Array, dy: Float32Array | GpuArray | Uint16Array, options?: GradOptions];
/** Options of paramGrad. */
export interface GradOptions {
  /** 'auto' (default): where the data lives; 'cuda' sums host arrays on the GPU. */
  device?: Device;
  /** 'float32' (default), or 'bfloat16' / 'float16' for Uint16Arrays of half-precision bits (summed in double from their values). */
  dtype?: Dtype;
}

/** An activation's parameters by name, e.g. `{ alpha: 1, beta: 1, gamma: 0.5 }`. */
export type Params = Readonly<Record<string, number>>;
/**
 * Parameter gradients: numbers for an activation's own parameters (`{ alpha, beta, gamma }`),
 * nested objects for the trainable sides of a blend (`{ a: { beta } }`).
 */
export type Grads = { [name: string]: number | Grads };

/** The array forward/backward return for an input of type T: a new host array, or a GpuArray. */
export type ResultOf<T extends Float32Array | GpuArray> = T extends GpuArray ? GpuArray : Float32Array<ArrayBuffer>;
/** The kind of array `out` must be for an input of type T. */
export type OutOf<T extends Float32Array | GpuArray> = T extends GpuArray ? GpuArray : Float32Array;

/** What JSON.stringify gives for an activation, and what activation(spec) takes back. */
export type ActivationSpec = NamedSpec | BlendSpec;
/** A blend as data: `{ name: 'blend', a, b, t }`. */
export interface BlendSpec {
  name: 'blend';
  a: ActivationSpec;
  b: ActivationSpec;
  t: number;
}
/** An activation of the table as data: `{ name: 'aptx', params: { beta: 2 } }` (params may be left out). */
export type NamedSpec = {
  [N in ActivationName]: keyof ParamsOf<N> extends never
    ? { name: N; params?: Record<string, never> }
    : { name: N; params?: Partial<ParamsOf<N>> };
}[ActivationName];

type HostOrGpu = Float32Array | Uint16Array | GpuArray;
const KEY = Symbol('Activation');
type AnyActivation = Activation<object, unknown>;
const METHODS = ['forward', 'backward', 'forwardAsync', 'backwardAsync', 'paramGrad', 'paramGradAsync', 'toJSON'];
const INTERNAL = ['encode', 'gradNames', 'sides', 'depth'];

/**
 * An activation function: `forward` (f(x)), `backward` (f'(x)·dy) and, where it has trainable
 * parameters, `paramGrad`. P is its parameters, G what paramGrad returns (never: none).
 * Get one from the exports (`mish`, `aptx({ beta: 2 })`, `blend(a, b, t)`) or `activation()`;
 * it is frozen, and its methods work unbound (`const f = mish.forward; f(x)`).
 * @example const y = mish.forward(new Float32Array([-1, 0, 1]));
 */
export class Activation<P extends object = Params, G = Grads> {
  /** The name in the table (`'aptx'`), or `'blend'`. */
  readonly name: string;
  /** The parameters, defaults filled in: `{ alpha: 1, beta: 2, gamma: 0.5 }` (the kernels hold them as float32). */
  readonly params: Readonly<P>;
  /** @internal this activation's code for the addon, as numbers */
  readonly encode: () => number[];
  /** @internal the names paramGrad returns, in the addon's order */
  readonly gradNames: readonly string[];
  /** @internal a blend's two sides */
  readonly sides: readonly [AnyActivation, AnyActivation] | undefined;
  /** @internal how many blends deep */
  readonly depth: number;

  private constructor(
    key: typeof KEY,
    name: string,
    params: P,
    encode: () => number[],
    gradNames: readonly string[],
    sides?: readonly [AnyActivation, AnyActivation],
  ) {
    if (key !== KEY)
      throw new TypeError(
        'Expected an activation from the exports (mish, aptx({ beta: 2 }), blend(a, b, t), activation(name)) for new Activation but received a call of the constructor',
      );
    this.name = name;
    this.params = Object.freeze({ ...params });
    this.encode = encode;
    this.gradNames = Object.freeze([...gradNames]);
    this.sides = sides && Object.freeze([...sides] as [AnyActivation, AnyActivation]);
    this.depth = sides ? 1 + Math.max(sides[0].depth, sides[1].depth) : 0;
    const self = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const m of METHODS) Object.defineProperty(this, m, { value: self[m].bind(this) });
    for (const k of INTERNAL) Object.defineProperty(this, k, { enumerable: false }); // out of logs and spreads
    if (sides)
      Object.defineProperties(this, {
        a: { value: sides[0], enumerable: true },
        b: { value: sides[1], enumerable: true },
      });
    Object.freeze(this);
  }

  /** @internal */
  static make<P extends object, G>(
    name: string,
    params: P,
    encode: () => number[],
    gradNames: readonly string[] = [],
    sides?: readonly [AnyActivation, AnyActivation],
  ): Activation<P, G> {
    return new Activation<P, G>(KEY, name, params, encode, gradNames, sides);
  }

  /** @internal the addon's description of this function (a new array each time) */
  get code(): Float64Array {
    return Float64Array.from(this.encode());
  }

  /**
   * f(x), elementwise, where x lives: a Float32Array gives a new Float32Array (or `out`), a
   * GpuArray a GpuArray (queued on its device's stream).
   * With `{ dtype: 'bfloat16' }` or `{ dtype: 'float16' }`, x is a Uint16Array of half-precision
   * bits and so is the result: the exact f(x) rounded once to the format.
   * @example mish.forward(x, { out: x }) // in place
   * @example mish.forward(toHalf(x, 'bfloat16'), { dtype: 'bfloat16' }) // a Uint16Array of bfloat16 bits
   */
  forward<O extends Uint16Array>(x: Uint16Array, options: HalfCallOptions<O> & { out: O }): O;
  forward(x: Uint16Array, options: HalfCallOptions): Uint16Array<ArrayBuffer>;
  forward<O extends Float32Array>(x: Float32Array, options: CallOptions<O> & { out: O }): O;
  forward<T extends Float32Array | GpuArray>(x: T, options?: CallOptions<OutOf<T>>): ResultOf<T>;
  forward(x: Float32Array | GpuArray | Uint16Array, options?: CallOptions | HalfCallOptions): HostOrGpu {
    return runForward(this, x, options, false) as HostOrGpu;
  }

  /**
   * dL/dx = f'(x)·dy, elementwise; `out` may be x or dy (in place). With a half-precision dtype,
   * x, dy and the result are Uint16Arrays of its bits: the exact f'(x)·dy rounded once.
   * @example const dx = mish.backward(x, dy);
   */
  backward<O extends Uint16Array>(x: Uint16Array, dy: Uint16Array, options: HalfCallOptions<O> & { out: O }): O;
  backward(x: Uint16Array, dy: Uint16Array, options: HalfCallOptions): Uint16Array<ArrayBuffer>;
  backward<O extends Float32Array>(x: Float32Array, dy: Float32Array, options: CallOptions<O> & { out: O }): O;
  backward<T extends Float32Array | GpuArray>(x: T, dy: OutOf<T>, options?: CallOptions<OutOf<T>>): ResultOf<T>;
  backward(
    x: Float32Array | GpuArray | Uint16Array,
    dy: Float32Array | GpuArray | Uint16Array,
    options?: CallOptions | HalfCallOptions,
  ): HostOrGpu {
    return runBackward(this, x, dy, options, false) as HostOrGpu;
  }

  /**
   * forward, computed off the main thread (libuv pool), or on the GPU stream for a GpuArray.
   * @example const y = await mish.forwardAsync(x);
   */
  forwardAsync<O extends Uint16Array>(x: Uint16Array, options: HalfCallOptions<O> & { out: O }): Promise<O>;
  forwardAsync(x: Uint16Array, options: HalfCallOptions): Promise<Uint16Array<ArrayBuffer>>;
  forwardAsync<O extends Float32Array>(x: Float32Array, options: CallOptions<O> & { out: O }): Promise<O>;
  forwardAsync<T extends Float32Array | GpuArray>(x: T, options?: CallOptions<OutOf<T>>): Promise<ResultOf<T>>;
  async forwardAsync(
    x: Float32Array | GpuArray | Uint16Array,
    options?: CallOptions | HalfCallOptions,
  ): Promise<HostOrGpu> {
    return runForward(this, x, options, true);
  }

  /**
   * backward, computed off the main thread (libuv pool), or on the GPU stream for a GpuArray.
   * @example const dx = await mish.backwardAsync(x, dy);
   */
  backwardAsync<O extends Uint16Array>(
    x: Uint16Array,
    dy: Uint16Array,
    options: HalfCallOptions<O> & { out: O },
  ): Promise<O>;
  backwardAsync(x: Uint16Array, dy: Uint16Array, options: HalfCallOptions): Promise<Uint16Array<ArrayBuffer>>;
  backwardAsync<O extends Float32Array>(
    x: Float32Array,
    dy: Float32Array,
    options: CallOptions<O> & { out: O },
  ): Promise<O>;
  backwardAsync<T extends Float32Array | GpuArray>(
    x: T,
    dy: OutOf<T>,
    options?: CallOptions<OutOf<T>>,
  ): Promise<ResultOf<T>>;
  async backwardAsync(
    x: Float32Array | GpuArray | Uint16Array,
    dy: Float32Array | GpuArray | Uint16Array,
    options?: CallOptions | HalfCallOptions,
  ): Promise<HostOrGpu> {
    return runBackward(this, x, dy, options, true);
  }

  /**
   * Sums over all elements of dL/dparam = dy·df/dparam, accumulated in double: `{ alpha, beta,
   * gamma }` for aptx, `{ beta }` for swish; a blend gives its trainable sides, each weighted by
   * its share ((1 - t) for a, t for b): `{ a: { alpha, beta, gamma } }`. A TypeError for an
   * activation without trainable parameters.
   * @example const { beta } = swish({ beta: 2 }).paramGrad(x, dy);
   */
  paramGrad(...args: GradArgs<G>): G;
  paramGrad(...args: unknown[]): G {
    const [x, dy, options] = args;
    const leaves = this.trainable();
    if (!this.sides) return this.grads(runParamGrad(this, x, dy, options, false) as Float64Array);
    return this.tree(
      leaves,
      leaves.map((l) => runParamGrad(l.f, x, dy, options, false) as Float64Array),
    );
  }

  /**
   * paramGrad, summed off the main thread (libuv pool), or on the GPU stream for GpuArrays.
   * @example const grads = await aptx.paramGradAsync(x, dy);
   */
  paramGradAsync(...args: GradArgs<G>): Promise<G>;
  async paramGradAsync(...args: unknown[]): Promise<G> {
    const [x, dy, options] = args;
    const leaves = this.trainable();
    if (!this.sides) return this.grads(await runParamGrad(this, x, dy, options, true));
    return this.tree(leaves, await Promise.all(leaves.map((l) => runParamGrad(l.f, x, dy, options, true))));
  }

  /**
   * The activation as data, what JSON.stringify writes: `{ name: 'aptx', params: { alpha, beta,
   * gamma } }`, `{ name: 'mish' }`, blends `{ name: 'blend', a, b, t }`; activation(spec) reads it.
   * @example activation(JSON.parse(JSON.stringify(aptx({ beta: 2 }))))
   */
  toJSON(): ActivationSpec {
    if (this.sides)
      return {
        name: 'blend',
        a: this.sides[0].toJSON(),
        b: this.sides[1].toJSON(),
        t: (this.params as unknown as { t: number }).t,
      };
    if (Object.keys(this.params).length === 0) return { name: this.name } as ActivationSpec;
    return { name: this.name, params: { ...this.params } } as ActivationSpec;
  }

  // The trainable leaves of this activation's tree, with the product of the blend weights above.
  private trainable(): Leaf[] {
    const leaves: Leaf[] = [];
    const walk = (f: AnyActivation, path: string[], weight: number) => {
      if (!f.sides) {
        if (f.gradNames.length) leaves.push({ f, path, weight });
        return;
      }
      const t = Math.fround((f.params as unknown as { t: number }).t); // the kernels hold t as a float32
      walk(f.sides[0], [...path, 'a'], weight * (1 - t));
      walk(f.sides[1], [...path, 'b'], weight * t);
    };
    walk(this, [], 1);
    if (leaves.length === 0)
      throw new TypeError(
        `${this.name} has no trainable parameters: paramGrad is for ${trainableNames()}${this.sides ? ', and blends with a side of them' : ''}`,
      );
    return leaves;
  }

  private grads(sums: Float64Array): G {
    const result: Record<string, number> = {};
    this.gradNames.forEach((name, i) => {
      result[name] = sums[i];
    });
    return result as G;
  }

  private tree(leaves: Leaf[], sums: Float64Array[]): G {
    const root: Grads = {};
    leaves.forEach((leaf, i) => {
      let node = root;
      for (const side of leaf.path.slice(0, -1)) {
        if (node[side] === undefined) node[side] = {};
        node = node[side] as Grads;
      }
      const own: Grads = {};
      leaf.f.gradNames.forEach((name, k) => {
        own[name] = leaf.weight * sums[i][k];
      });
      node[leaf.path[leaf.path.length - 1]] = own;
    });
    return root as G;
  }
}

interface Leaf {
  f: AnyActivation;
  path: string[];
  weight: number;
}

// ---- The table ----------------------------------------------------------------------------

interface ParamSpec {
  readonly name: string;
  readonly default: number;
  readonly rule?: NumberRule;
  /** paramGrad returns its gradient */
  readonly trainable?: boolean;
}

/**
 * A parametric activation: a function of its parameters (any may be left out) that is also the
 * activation with the defaults: `swish.forward(x)` and `swish({ beta: 2 }).forward(x)` both work.
 */
export type Factory<P extends object, G = never> = Activation<P, G> & ((params?: Partial<P>) => Activation<P, G>);

// Types follow the specs: names give the parameters, `trainable: true` what paramGrad returns.
function factory<const S extends readonly ParamSpec[], K extends string = S[number]['name']>(
  name: string,
  specs: S,
): Factory<
  { [k in K]: number },
  [Extract<S[number], { trainable: true }>['name']] extends [never]
    ? never
    : { [k in Extract<S[number], { trainable: true }>['name']]: number }
> {
  type P = { [k in K]: number };
  type G = [Extract<S[number], { trainable: true }>['name']] extends [never]
    ? never
    : { [k in Extract<S[number], { trainable: true }>['name']]: number };
  const names = specs.map((s) => s.name);
  const gradNames = specs.filter((s) => s.trainable).map((s) => s.name);
  if (gradNames.length) trainable.push(name);
  // where: the path of params in a spec (lib/spec.ts), for the messages.
  const create = (params?: Partial<P>, where?: string): Activation<P, G> => {
    const keyName = `a parameter name of ${name}${where ? ` in ${where}` : ''}`;
    const given = checkOptions<Record<string, unknown>>(params, 'params', keyName, names);
    const values: Record<string, number> = {};
    for (const s of specs)
      values[s.name] =
        given[s.name] === undefined
          ? s.default
          : checkNumber(given[s.name], where ? `${where}.${s.name}` : s.name, s.rule);
    const p = values as P;
    const args = specs.map((s) => values[s.name]);
    return Activation.make<P, G>(name, p, () => opCode(name, args), gradNames);
  };
  const defaults = create();
  Object.setPrototypeOf(create, defaults);
  Object.defineProperty(create, 'name', { value: name });
  return Object.freeze(create) as unknown as Factory<P, G>;
}

const trainable: string[] = [];
const trainableNames = () =>
  trainable.length > 1 ? `${trainable.slice(0, -1).join(', ')} and ${trainable.at(-1)}` : trainable.join('');

// An activation without parameters of its own: op (default: name) with fixed arguments.
function plain(name: string, op = name, args: number[] = []): Activation<Record<never, number>, never> {
  return Activation.make(name, {}, () => opCode(op, args));
}

/** max(0, x); relu'(0) = 0 (as PyTorch). The baseline. @example relu.forward(x) */
export const relu = plain('relu');
/** x·tanh(softplus(x)) (Misra 2019); minimum (-1.192431, -0.308843), f'(0) = 0.6. @example mish.forward(x) */
export const mish = plain('mish');
/** x·s(x), s = 1/(1 + e^-x): swish with beta 1 (SiLU). @example silu.forward(x) */
export const silu = plain('silu', 'swish', [1]);
/** hardGate(shift 3, cap 6) = x·clamp(x + 3, 0, 6)/6, MobileNetV3's h-swish. @example hardSwish.forward(x) */
export const hardSwish = plain('hardSwish', 'hardGate', [3, 6]);
/** hardGate(shift 3, cap 5) = x·relu5(x + 3)/5; f'(0) = 0.6 like Mish. @example hardMish.forward(x) */
export const hardMish = plain('hardMish', 'hardGate', [3, 5]);
/** hardGate(shift 2, cap 2) = x/2·min(2, max(0, x + 2)): H-Mish, timm's hard_mish. @example hMish.forward(x) */
export const hMish = plain('hMish', 'hardGate', [2, 2]);
/** x·s(x) for x ≤ 0, x·s(2x) for x ≥ 0: piecewise Swish, C1 at 0. @example approxMish.forward(x) */
export const approxMish = plain('approxMish');
/** 2x·s(1.25x) for x ≤ 0, x for x ≥ 0; minimum (-1.022772, -0.445543). @example linearSwish.forward(x) */
export const linearSwish = plain('linearSwish');

/**
 * x·s(beta·x) (Ramachandran et al. 2017), beta = 1 by default (then it is silu); beta is
 * trainable: paramGrad gives `{ beta }`.
 * @example swish({ beta: 2 }).forward(x)
 */
export const swish = factory('swish', [{ name: 'beta', default: 1, trainable: true }]);

/**
 * x·clamp(x + shift, 0, cap)/cap, shift = 3 and cap = 6 by default (cap > 0): the family of the
 * "hard" variants. Gradient 0 where x + shift ≤ 0, 1 where x + shift ≥ cap, (2x + shift)/cap between.
 * @example hardGate({ shift: 2, cap: 2 }) // the same function as hMish
 */
export const hardGate = factory('hardGate', [
  { name: 'shift', default: 3 },
  { name: 'cap', default: 6, rule: { above: 0 } },
]);

/**
 * (alpha + tanh(beta·x))·gamma·x (APTx, Kumar 2022), alpha = 1, beta = 1, gamma = 0.5 by default
 * (then it is swish with beta 2); all three trainable: paramGrad gives `{ alpha, beta, gamma }`.
 * @example aptx({ beta: 2 }).paramGrad(x, dy).beta
 */
export const aptx = factory('aptx', [
  { name: 'alpha', default: 1, trainable: true },
  { name: 'beta', default: 1, trainable: true },
  { name: 'gamma', default: 0.5, trainable: true },
]);

// ---- What Mish is weighed against (cpp/activations_classic.h) -------------------------------

/** x·Φ(x) = x/2·erfc(−x/√2), Φ the normal CDF (Hendrycks & Gimpel; PyTorch's approximate='none'). @example gelu.forward(x) */
export const gelu = plain('gelu');
/** x·s(2√(2/π)(x + 0.044715x³)): GELU's tanh approximation (PyTorch's approximate='tanh'). @example geluTanh.forward(x) */
export const geluTanh = plain('geluTanh');
/** s(x) = 1/(1 + e^-x), the logistic sigmoid. @example sigmoid.forward(x) */
export const sigmoid = plain('sigmoid');
/** tanh(x), accurate near 0 (no 1 − 2/(1 + e^2x) cancellation). @example tanh.forward(x) */
export const tanh = plain('tanh');
/** λ·elu(x, α) with α = 1.6732632423543772, λ = 1.0507009873554805 (Klambauer et al. 2017). @example selu.forward(x) */
export const selu = plain('selu');

/**
 * log(1 + e^(beta·x))/beta, exact for every x (no threshold switch), beta = 1 by default
 * (beta ≠ 0, also as a float32); beta is trainable: paramGrad gives `{ beta }`.
 * @example softplus({ beta: 2 }).forward(x)
 */
export const softplus = factory('softplus', [{ name: 'beta', default: 1, trainable: true, rule: { nonzero: true } }]);

/**
 * x for x > 0, alpha·(e^x − 1) otherwise (Clevert et al. 2015), alpha = 1 by default;
 * elu'(0) = alpha (PyTorch); alpha is trainable: paramGrad gives `{ alpha }`.
 * @example elu({ alpha: 0.5 }).forward(x)
 */
export const elu = factory('elu', [{ name: 'alpha', default: 1, trainable: true }]);

/**
 * x for x > 0, slope·x otherwise, slope = 0.01 by default; leakyRelu'(0) = slope (PyTorch). A
 * trainable slope is PReLU: paramGrad gives `{ slope }`.
 * @example leakyRelu({ slope: 0.2 }).paramGrad(x, dy).slope
 */
export const leakyRelu = factory('leakyRelu', [{ name: 'slope', default: 0.01, trainable: true }]);

/** min(max(x, 0), 6) (MobileNet); gradient 1 on (0, 6), 0 at 0 and 6 (PyTorch). @example relu6.forward(x) */
export const relu6 = plain('relu6');
/**
 * relu6(x + 3)/6, PyTorch's hardsigmoid; gradient 1/6 on (-3, 3), 0 at -3 and 3 (PyTorch).
 * @example hardSigmoid.forward(x)
 */
export const hardSigmoid = plain('hardSigmoid');

// ---- Blends -------------------------------------------------------------------------------

type GradsOf<A> = A extends Activation<object, infer G> ? G : never;
type Side<K extends string, G> = [G] extends [never] ? unknown : Grads extends G ? { [k in K]?: G } : { [k in K]: G };
/** What a blend's paramGrad returns: `{ a: ... }` for a trainable a, `{ b: ... }` for a trainable b. */
export type BlendGrads<A, B> = [GradsOf<A>, GradsOf<B>] extends [never, never]
  ? never
  : {
      [K in keyof (Side<'a', GradsOf<A>> & Side<'b', GradsOf<B>>)]: (Side<'a', GradsOf<A>> & Side<'b', GradsOf<B>>)[K];
    };
/** blend(a, b, t): an activation with its two sides. */
export type Blend<A extends Activation<object, unknown>, B extends Activation<object, unknown>> = Activation<
  { t: number },
  BlendGrads<A, B>
> & { readonly a: A; readonly b: B };

/**
 * (1 - t)·a(x) + t·b(x), t in [0, 1], in one fused pass: for moving a trained model from a to b.
 * Blends nest (at most 64 activations, 16 deep); paramGrad trains the parametric sides.
 * @example blend(aptx({ beta: 2 }), hardMish, 0.3).paramGrad(x, dy).a.beta
 */
export function blend<A extends Activation<object, unknown>, B extends Activation<object, unknown>>(
  a: A,
  b: B,
  t: number,
): Blend<A, B> {
  if (!(a instanceof Activation)) throw typeError('an activation', 'a', a);
  if (!(b instanceof Activation)) throw typeError('an activation', 'b', b);
  checkNumber(t, 't', { min: 0, max: 1 });
  const { codeWidth, blendCode, maxNodes, maxDepth } = limits();
  const encode = () => [blendCode, t, ...new Array<number>(codeWidth - 2).fill(0), ...a.encode(), ...b.encode()];
  const nodes = encode().length / codeWidth;
  if (nodes > maxNodes) throw rangeError(`at most ${maxNodes} activations in a blend`, 'blend', `${nodes}`);
  const depth = 1 + Math.max(a.depth, b.depth);
  if (depth > maxDepth) throw rangeError(`blends nested at most ${maxDepth} deep`, 'blend', `${depth} deep`);
  return Activation.make('blend', { t }, encode, [], [a, b]) as unknown as Blend<A, B>;
}

// ---- By name ------------------------------------------------------------------------------

/** Every activation by name: one entry each; ActivationName and activation()'s types follow. */
export const byName = {
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
  relu6,
  hardSigmoid,
} as const;

/** A name of the table: `'relu' | 'mish' | 'swish' | ... | 'aptx'`. */
export type ActivationName = keyof typeof byName;
/** The activation `activation(name)` gives: `ActivationOf<'aptx'>` has aptx's params and grads. */
export type ActivationOf<N extends ActivationName> =
  (typeof byName)[N] extends Factory<infer P, infer G> ? Activation<P, G> : (typeof byName)[N];
/** The parameters of the activation called N: `ParamsOf<'swish'>` is `{ beta: number }`. */
export type ParamsOf<N extends ActivationName> = (typeof byName)[N]['params'];
/**
 * What `activation(name, params)` takes as params for N: any of N's parameters, none for those
 * without; for a name only known as an ActivationName (read from a config), any numbers, checked
 * when it runs.
 */
export type ParamsArg<N extends ActivationName> = ActivationName extends N
  ? Params
  : keyof ParamsOf<N> extends never
    ? Record<string, never>
    : Partial<ParamsOf<N>>;
