// What is measured: every activation of the library with its double reference, and the check that
// each kernel is right before its time is reported.
import {
  approxMishRef,
  aptxRef,
  backwardError,
  blendRef,
  eluRef,
  forwardError,
  geluRef,
  geluTanhRef,
  hardGateRef,
  hardSigmoidRef,
  leakyReluRef,
  linearSwishRef,
  mishRef,
  type Reference,
  relu6Ref,
  reluRef,
  seluRef,
  sigmoidRef,
  softplusRef,
  sweep,
  swishRef,
  tanhRef,
} from '../reference/reference';
import { everyHalf, type HalfDtype, halfError } from './half';
import { type Activation, ak, type HalfActivation } from './library';

export interface Case {
  name: string;
  fn: Activation<object, Record<string, number>>; // paramGrad: flat sums (no blend of trainables here)
  ref: Reference;
  kinks?: number[];
  /** paramGrad's double reference: the sums in the addon's order. */
  paramRef?: (x: number, dy: number) => number[];
}

const sig = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** An activation's name without its parameters: 'swish(beta=2)' -> 'swish'. */
const baseName = (name: string): string => name.replace(/\(.*$/, '');

/** Whether this build of the library has the activation (isActivationName), e.g. for a peer's op. */
export const hasActivation = (name: string): boolean => ak.isActivationName(baseName(name));

// hardGate with its defaults is hardSwish; its other presets are listed by name.
export function cases(): Case[] {
  const { relu, mish, silu, swish, hardSwish, hardMish, hMish, approxMish, linearSwish, aptx, blend } = ak;
  const { gelu, geluTanh, sigmoid, tanh, softplus, elu, selu, leakyRelu, relu6, hardSigmoid } = ak;
  return [
    { name: 'relu', fn: relu, ref: reluRef },
    { name: 'mish', fn: mish, ref: mishRef() },
    { name: 'silu', fn: silu, ref: swishRef(1) },
    {
      name: 'swish(beta=2)',
      fn: swish({ beta: 2 }),
      ref: swishRef(2),
      paramRef: (x, dy) => {
        const s = sig(2 * x);
        return [dy * x * x * s * (1 - s)];
      },
    },
    { name: 'hardSwish', fn: hardSwish, ref: hardGateRef(3, 6), kinks: [-3, 3] },
    { name: 'hardMish', fn: hardMish, ref: hardGateRef(3, 5), kinks: [-3, 2] },
    { name: 'hMish', fn: hMish, ref: hardGateRef(2, 2), kinks: [-2, 0] },
    { name: 'approxMish', fn: approxMish, ref: approxMishRef },
    { name: 'linearSwish', fn: linearSwish, ref: linearSwishRef },
    {
      name: 'aptx',
      fn: aptx,
      ref: aptxRef(1, 1, 0.5),
      paramRef: (x, dy) => {
        const t = Math.tanh(x);
        return [dy * 0.5 * x, dy * 0.5 * x * x * (1 - t * t), dy * (1 + t) * x];
      },
    },
    {
      name: 'blend(mish,hardMish,0.5)',
      fn: blend(mish, hardMish, 0.5),
      ref: blendRef(mishRef(), hardGateRef(3, 5), 0.5),
      kinks: [-3, 2],
    },
    // The classic functions (cpp/activations_classic.h), beside onnxruntime's native ops.
    { name: 'gelu', fn: gelu, ref: geluRef, kinks: [-1, 1] },
    { name: 'geluTanh', fn: geluTanh, ref: geluTanhRef },
    { name: 'sigmoid', fn: sigmoid, ref: sigmoidRef },
    { name: 'tanh', fn: tanh, ref: tanhRef },
    {
      name: 'softplus',
      fn: softplus,
      ref: softplusRef(1),
      // (z s(z) - softplus(z)) / beta^2, beta = 1
      paramRef: (x, dy) => [dy * (x * sig(x) - (Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))))],
    },
    { name: 'elu', fn: elu, ref: eluRef(1), paramRef: (x, dy) => [x > 0 ? 0 : dy * Math.expm1(x)] },
    { name: 'selu', fn: selu, ref: seluRef },
    { name: 'leakyRelu', fn: leakyRelu, ref: leakyReluRef(0.01), paramRef: (x, dy) => [x > 0 ? 0 : dy * x] },
    { name: 'relu6', fn: relu6, ref: relu6Ref, kinks: [0, 6] },
    { name: 'hardSigmoid', fn: hardSigmoid, ref: hardSigmoidRef, kinks: [-3, 3] },
  ];
}

/** Deterministic inputs in [-8, 8) and upstream gradients in [-1, 1). */
export function inputs(n: number, seed = 1): { x: Float32Array; dy: Float32Array } {
  const x = new Float32Array(n);
  const dy = new Float32Array(n);
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    x[i] = 16 * next() - 8;
    dy[i] = 2 * next() - 1;
  }
  return { x, dy };
}

/** The upstream gradients of the checks: every thousandth in [-1, 1], 0 included. */
export const checkDy = (n: number): Float32Array => new Float32Array(n).map((_, i) => ((i * 7919) % 2001) / 1000 - 1);

export type Check = (x: Float32Array, dy: Float32Array) => { forward: Float32Array; backward: Float32Array };

/**
 * The worst error of forward and backward against the double reference, in ulp (docs/targets.md
 * allows 4), on a sweep of every exponent and special value; and paramGrad's relative error.
 * `run` computes on the backend being checked.
 */
export function checkCase(c: Case, run: Check, paramGrad?: (x: Float32Array, dy: Float32Array) => number[]): string[] {
  const problems: string[] = [];
  const x = sweep(1 << 17, [-30, 30], c.kinks);
  const dy = checkDy(x.length);
  const got = run(x, dy);
  let worstF = 0;
  let worstB = 0;
  let atF = 0;
  let atB = 0;
  for (let i = 0; i < x.length; i++) {
    const ef = forwardError(got.forward[i], c.ref.f(x[i]));
    const eb = backwardError(got.backward[i], c.ref.df(x[i]) * dy[i], dy[i]);
    if (!(ef <= worstF)) [worstF, atF] = [ef, i];
    if (!(eb <= worstB)) [worstB, atB] = [eb, i];
  }
  if (!(worstF <= 4)) problems.push(`forward off by ${worstF} ulp at x = ${x[atF]} (got ${got.forward[atF]})`);
  if (!(worstB <= 4)) problems.push(`backward off by ${worstB} ulp at x = ${x[atB]} (got ${got.backward[atB]})`);
  if (c.paramRef && paramGrad) {
    const { x: px, dy: pdy } = inputs(100_003, 7);
    const sums = paramGrad(px, pdy);
    const want = c.paramRef(0, 0).map(() => 0);
    const scale = [...want];
    for (let i = 0; i < px.length; i++)
      c.paramRef(px[i], pdy[i]).forEach((t, k) => {
        want[k] += t;
        scale[k] += Math.abs(t);
      });
    want.forEach((w, k) => {
      if (!(Math.abs(sums[k] - w) <= 1e-5 * scale[k])) problems.push(`paramGrad[${k}] = ${sums[k]}, want ${w}`);
    });
  }
  return problems;
}

/**
 * The bench's bound on a 16-bit result before timing it, in ulps of its format: the library
 * promises correct rounding (0.5 ulp, docs/targets.md), which its tests check on every input;
 * this gate catches a wrong kernel with room for the double references' own last bits.
 */
export const HALF_ULP_BOUND = 1;

/**
 * A 16-bit kernel on every value of its format (all 65536 bit patterns, the special values
 * among them), forward and backward, against the double reference at the same inputs: what is
 * over HALF_ULP_BOUND, and the worst error (ulps of the format).
 */
export function checkHalfCase(c: Case, dtype: HalfDtype, fn: HalfActivation): { problems: string[]; worst: number } {
  const bits = everyHalf();
  const x = ak.fromHalf(bits, dtype);
  const dyBits = ak.toHalf(checkDy(bits.length), dtype);
  const dy = ak.fromHalf(dyBits, dtype);
  const forward = ak.fromHalf(fn.forward(bits, { dtype }), dtype);
  const backward = ak.fromHalf(fn.backward(bits, dyBits, { dtype }), dtype);
  const problems: string[] = [];
  let worstAll = 0;
  for (const [pass, got, want] of [
    ['forward', forward, (i: number) => c.ref.f(x[i])],
    ['backward', backward, (i: number) => c.ref.df(x[i]) * dy[i]],
  ] as const) {
    let worst = 0;
    let at = 0;
    for (let i = 0; i < x.length; i++) {
      const e = halfError(got[i], want(i), dtype, pass === 'backward' ? dy[i] : 0);
      if (!(e <= worst)) [worst, at] = [e, i];
    }
    worstAll = Math.max(worstAll, worst);
    if (!(worst <= HALF_ULP_BOUND))
      problems.push(
        `${pass} off by ${worst} ${dtype} ulp at x = ${x[at]}${pass === 'backward' ? `, dy = ${dy[at]}` : ''} (got ${got[at]}, want ${want(at)})`,
      );
  }
  return { problems, worst: worstAll };
}
