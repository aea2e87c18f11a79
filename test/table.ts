// The numeric test table: one row per function (activation, reference, dense range, kinks,
// max ulp). test/accuracy.test.ts runs every row on every ISA path this machine has.
import {
  type Activation,
  approxMish,
  aptx,
  blend,
  elu,
  gelu,
  geluTanh,
  hardGate,
  hardMish,
  hardSigmoid,
  hardSwish,
  hMish,
  leakyRelu,
  linearSwish,
  mish,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softplus,
  swish,
  tanh,
} from '../lib';
import {
  approxMishRef,
  aptxRef,
  aptxSum,
  blendRef,
  eluRef,
  f32,
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
  swishRef,
  tanhRef,
} from '../reference/reference';

export interface Row {
  name: string;
  fn: Activation;
  ref: Reference;
  range: [number, number];
  kinks: number[];
  maxUlp: number; // docs/targets.md: 4 for every function, forward and backward
  count: number; // inputs in the dense sweep (plus specials and the kinks' neighbourhoods)
}

const row = (
  name: string,
  fn: Activation,
  ref: Reference,
  kinks: number[] = [],
  range: [number, number] = [-30, 30],
) => ({
  name,
  fn,
  ref,
  range,
  kinks,
  maxUlp: 4,
  count: 1_000_000,
});

export const rows: Row[] = [
  row('relu', relu, reluRef),
  row('mish', mish, mishRef()),
  row('swish', swish, swishRef(1)),
  row('silu', silu, swishRef(1)),
  row('swish beta 2', swish({ beta: 2 }), swishRef(2)),
  row('swish beta 1.7', swish({ beta: 1.7 }), swishRef(1.7)),
  row('swish beta -0.5', swish({ beta: -0.5 }), swishRef(-0.5)),
  row('hardGate', hardGate, hardGateRef(3, 6), [-3, 3]),
  row('hardSwish', hardSwish, hardGateRef(3, 6), [-3, 3]),
  row('hardMish', hardMish, hardGateRef(3, 5), [-3, 2]),
  row('hMish', hMish, hardGateRef(2, 2), [-2, 0]),
  row('hardGate 1.3, 0.7', hardGate({ shift: 1.3, cap: 0.7 }), hardGateRef(1.3, 0.7), [-1.3, 0.7 - 1.3]),
  row('approxMish', approxMish, approxMishRef),
  row('linearSwish', linearSwish, linearSwishRef),
  row('aptx', aptx, aptxRef(1, 1, 0.5)),
  row('aptx 1.5, 0.7, 1.3', aptx({ alpha: 1.5, beta: 0.7, gamma: 1.3 }), aptxRef(1.5, 0.7, 1.3)),
  row('blend mish hardMish 0.5', blend(mish, hardMish, 0.5), blendRef(mishRef(), hardGateRef(3, 5), 0.5), [-3, 2]),
  row('blend mish relu 0.25', blend(mish, relu, 0.25), blendRef(mishRef(), reluRef, 0.25)),
  // The classic functions (cpp/activations_classic.h). Kinks: where a formula switches.
  row('gelu', gelu, geluRef, [-0.7517915, -1, 1, -14, 14], [-16, 16]),
  row('gelu left tail', gelu, geluRef, [-13.2], [-14.5, -5]),
  row('geluTanh', geluTanh, geluTanhRef, [-0.7517915], [-16, 16]),
  row('geluTanh left tail', geluTanh, geluTanhRef, [], [-11, -4]),
  row('sigmoid', sigmoid, sigmoidRef, [], [-110, 30]),
  row('tanh', tanh, tanhRef, [2 ** -13, -(2 ** -13), 15, -15], [-10, 10]),
  row('tanh near 0', tanh, tanhRef, [2 ** -13, -(2 ** -13)], [-(2 ** -8), 2 ** -8]),
  row('softplus', softplus, softplusRef(1), [69.3, -69.3], [-110, 30]),
  row('softplus beta 1.75', softplus({ beta: 1.75 }), softplusRef(1.75), [], [-70, 30]),
  row('softplus beta -0.5', softplus({ beta: -0.5 }), softplusRef(-0.5)),
  row('softplus beta 0.001', softplus({ beta: 0.001 }), softplusRef(0.001), [], [-2e5, 2e4]),
  row('softplus beta 30', softplus({ beta: 30 }), softplusRef(30), [], [-5, 5]),
  row('elu', elu, eluRef(1), [2 ** -25, -(2 ** -25), -30], [-35, 5]),
  row('elu alpha 1.7', elu({ alpha: 1.7 }), eluRef(1.7), [], [-20, 5]),
  row('elu alpha -0.3', elu({ alpha: -0.3 }), eluRef(-0.3), [], [-5, 5]),
  row('selu', selu, seluRef, [], [-20, 5]),
  row('leakyRelu', leakyRelu, leakyReluRef(0.01)),
  row('leakyRelu slope 0.25', leakyRelu({ slope: 0.25 }), leakyReluRef(0.25)),
  row('leakyRelu slope -1.5', leakyRelu({ slope: -1.5 }), leakyReluRef(-1.5)),
  row('leakyRelu slope 0', leakyRelu({ slope: 0 }), leakyReluRef(0)),
  row('relu6', relu6, relu6Ref, [0, 6]),
  row('hardSigmoid', hardSigmoid, hardSigmoidRef, [-3, 3]),
  row('blend gelu geluTanh 0.5', blend(gelu, geluTanh, 0.5), blendRef(geluRef, geluTanhRef, 0.5)),
];

// ---- every valid parameter: covering subsets, fewer sweep inputs per row ----

const PARAM_COUNT = 1 << 17;

// The zeros of fn in [lo, hi] (sign changes on a grid of `steps`, then bisected in double).
function zeros(fn: (u: number) => number, lo: number, hi: number, steps = 20_000): number[] {
  const out: number[] = [];
  let a = lo;
  let fa = fn(a);
  for (let i = 1; i <= steps; i++) {
    const b = lo + ((hi - lo) * i) / steps;
    const fb = fn(b);
    if (fa === 0) out.push(a);
    else if (fa * fb < 0) {
      let [l, h] = [a, b];
      for (let k = 0; k < 200 && l < h; k++) {
        const m = (l + h) / 2;
        if (m === l || m === h) break;
        if (fn(m) * fa < 0) h = m;
        else l = m;
      }
      out.push(l);
    }
    a = b;
    fa = fb;
  }
  return out;
}

// aptx's special points in u = beta x: the root of alpha + tanh u, the zeros of the derivative
// (alpha + tanh u) + u sech^2 u, and the formula's internal thresholds (cpp/activations.h:
// the near-root band |u - u0| <= 0.75, the split at u = 0, the sigmoid's saturation 2u = ±174).
function aptxPoints(alpha: number, beta: number): number[] {
  const a = f32(alpha);
  const b = f32(beta);
  const sum = aptxSum(a);
  const u: number[] = [0, 87, -87, 44, -44];
  if (Math.abs(a) < 1) {
    const u0 = Math.atanh(-a);
    u.push(u0, u0 - 0.75, u0 + 0.75);
  }
  u.push(...zeros((v) => sum(v) + 4 * v * (1 / (1 + Math.exp(-2 * v))) * (1 / (1 + Math.exp(2 * v))), -12, 12));
  if (b === 0) return [0, 2 ** 64, -(2 ** 64)];
  return [...u.map((v) => v / b), 2 ** 64, -(2 ** 64)].filter((x) => Math.abs(x) < 3e38);
}

const prow = (
  name: string,
  fn: Activation,
  ref: Reference,
  kinks: number[],
  range: [number, number] = [-30, 30],
): Row => ({ ...row(name, fn, ref, kinks, range), count: PARAM_COUNT });

const ALPHAS = [-2, -1, -0.5, 0, 0.5, 0.7, 0.99, 1, 1.5, 2];
const BETAS = [1e-3, 0.5, 1, 1.3, 4, 100, -1, 0];
const GAMMAS = [-0.4, 0, 0.5, 2];

// Every alpha with every beta, gamma cycling through GAMMAS (each (alpha, gamma) pair twice).
export const aptxRows: Row[] = ALPHAS.flatMap((alpha, i) =>
  BETAS.map((beta, j) => {
    const gamma = GAMMAS[(i + j) % GAMMAS.length];
    const name = `aptx ${alpha}, ${beta}, ${gamma}`;
    const reach = beta === 0 ? 30 : Math.min(20 / Math.abs(f32(beta)), 3e38);
    return prow(name, aptx({ alpha, beta, gamma }), aptxRef(alpha, beta, gamma), aptxPoints(alpha, beta), [
      -reach,
      reach,
    ]);
  }),
);

// Large gamma: the backward's f'/gamma is multiplied by gamma, so next to the zeros of f' it must
// be exact relative to itself (cpp/activations.h, Aptx::series). Every alpha of the cases where
// f'/gamma cancels, at gamma 3, 10, 1000, 1e30: one zero (-0.5, 0.7, 0.99), the slope's own zero
// (1), two zeros far apart (1.08, -1.1) and close together (1.19), the merged double zero at
// alpha = u* = 1.1996786 (u* tanh u* = 1) and none but a near one (1.2); at beta 1 and, for some,
// beta 0.3, 7 and -2; and gamma at the largest float, where gamma f'/gamma overflows before dy
// brings it back.
const LARGE_GAMMAS = [3, 10, 1000, 1e30];
const CANCELLING_ALPHAS = [1, 0.7, -0.5, 0.99, 1.08, -1.1, 1.19, 1.1996786, 1.2];
export const aptxLargeGammaRows: Row[] = [
  ...CANCELLING_ALPHAS.flatMap((alpha) => LARGE_GAMMAS.map((gamma) => [alpha, 1, gamma])),
  ...[1, 0.7, 1.08, -1.1, 1.19, 1.1996786].flatMap((alpha, i) =>
    [0.3, 7, -2].map((beta, j) => [alpha, beta, LARGE_GAMMAS[(i + j) % LARGE_GAMMAS.length]]),
  ),
  [1.19, 1, 3.4028234663852886e38],
  [-0.5, -2, -3.4028234663852886e38],
].map(([alpha, beta, gamma]) =>
  prow(
    `aptx ${alpha}, ${beta}, ${gamma}`,
    aptx({ alpha, beta, gamma }),
    aptxRef(alpha, beta, gamma),
    aptxPoints(alpha, beta),
    [-20 / Math.abs(beta), 20 / Math.abs(beta)],
  ),
);

// The issue's own cases, each with the full 10^6 sweep.
export const aptxIssueRows: Row[] = [
  [0.7, 1.3, 0.4],
  [0, 1, 0.5],
  [-1, 1, 0.5],
  [1.5, 0.5, 2],
  [0.99, 1, 0.5],
  [-0.7, 1, 0.5],
  [-0.9, 1, 0.5],
  [0, 1e-3, 1],
  [0.5, 4, 1],
  // alpha after a few training steps (0.97, 1.08), at gamma = 2, the contract's largest; 1.08 and
  // -1.1 have f' zeros on both sides of the slope's own, where alpha -+ 1 and 2 slope cancel
  [0.97, 1, 2],
  [1.08, 1, 2],
  [-1.1, 1, 2],
].map(([alpha, beta, gamma]) => ({
  ...prow(
    `aptx ${alpha}, ${beta}, ${gamma} (dense)`,
    aptx({ alpha, beta, gamma }),
    aptxRef(alpha, beta, gamma),
    aptxPoints(alpha, beta),
    [-20 / beta, 20 / beta],
  ),
  count: 1_000_000,
}));

export const swishRows: Row[] = [-2.5, -1, 0, 1e-3, 0.5, 1, 2, 10, 1e30].map((beta) => {
  const b = f32(beta);
  const reach = b === 0 ? 30 : Math.min(30 / Math.abs(b), 3e38);
  // the zero of the slope, s(z)(1 + z s(-z)) = 0 at z = -1.2785, and the sigmoid's saturation
  const kinks = b === 0 ? [] : [-1.278464542761074 / b, 174 / b, -174 / b, 87 / b, -87 / b];
  return prow(`swish beta ${beta}`, swish({ beta }), swishRef(beta), kinks, [-reach, reach]);
});

export const hardGateRows: Row[] = [
  [3, 6],
  [0.3, 0.7],
  [-1, 2],
  [-2.5, 0.5],
  [1.3, 0.7],
  [0, 1],
  [2, 0.25],
  [0, 1e-40],
  [1e-39, 1e-30],
  [0, 3e38],
  [-5, 1e-3],
].map(([shift, cap]) => {
  const s = f32(shift);
  const c = f32(cap);
  const reach = Math.max(8, 4 * Math.abs(s), 4 * Math.min(c, 1e30));
  return prow(
    `hardGate ${shift}, ${cap}`,
    hardGate({ shift, cap }),
    hardGateRef(shift, cap),
    [-s, c - s, -s / 2],
    [-reach, reach],
  );
});

// Blends whose two sides have the same sign everywhere and |f| <= |x| (a blend rounds each side
// to float, so it is exact only where the sides neither cancel nor overflow), and at t = 0 and
// t = 1 sides that would.
const aptxP = aptx({ alpha: 0.7, beta: 1.3, gamma: 0.4 });
const aptxPRef = aptxRef(0.7, 1.3, 0.4);
export const blendRows: Row[] = [0, 0.1, 0.5, 0.9, 1].flatMap((t) => [
  prow(`blend mish hardMish ${t}`, blend(mish, hardMish, t), blendRef(mishRef(), hardGateRef(3, 5), t), [-3, 2]),
  prow(
    `blend aptx(0.7, 1.3, 0.4) aptx(0.7, 1.3, 0.5) ${t}`,
    blend(aptxP, aptx({ alpha: 0.7, beta: 1.3, gamma: 0.5 }), t),
    blendRef(aptxPRef, aptxRef(0.7, 1.3, 0.5), t),
    aptxPoints(0.7, 1.3),
  ),
  prow(
    `blend relu aptx(1.5, 0.5, 0.3) ${t}`,
    blend(relu, aptx({ alpha: 1.5, beta: 0.5, gamma: 0.3 }), t),
    blendRef(reluRef, aptxRef(1.5, 0.5, 0.3), t),
  ),
  ...(t === 0 || t === 1
    ? [
        prow(
          `blend aptx(0.7, 1.3, 0.4) swish(0) ${t}`,
          blend(aptxP, swish({ beta: 0 }), t),
          blendRef(aptxPRef, swishRef(0), t),
          aptxPoints(0.7, 1.3),
        ),
        prow(
          `blend relu aptx(-1, 1, 0.5) ${t}`,
          blend(relu, aptx({ alpha: -1 }), t),
          blendRef(reluRef, aptxRef(-1, 1, 0.5), t),
        ),
      ]
    : []),
]);

export const parameterRows: Row[] = [
  ...aptxIssueRows,
  ...aptxRows,
  ...aptxLargeGammaRows,
  ...swishRows,
  ...hardGateRows,
  ...blendRows,
];
