// Double-precision references for the functions every peer has and this library gains with
// issue 15 (DESIGN §1, second table): gelu, geluTanh, sigmoid, tanh, softplus, elu, selu and
// leakyRelu with their default parameters. test/reference.ts has the others; once the library
// has these functions, their tests' references take precedence (bench/cases.ts).
import { f32, type Reference } from '../test/reference';

const sig = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const phi = (x: number): number => Math.exp(-(x * x) / 2) / SQRT_2PI;

/**
 * The standard normal CDF Φ(x), to about 1e-14 relative: the Taylor series of Φ about 0 for
 * |x| < 3, and below -3 the continued fraction of Mills' ratio, Φ(-t) = φ(t) / (t + 1/(t + 2/(t +
 * 3/(t + ...)))), which keeps the tail relative (Φ(-30) ~ 5e-198); Φ(x) = 1 - Φ(-x) above 3.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x >= 3) return 1 - normalCdf(-x);
  if (x <= -3) {
    if (x === -Infinity) return 0;
    const t = -x;
    let f = t;
    for (let k = 300; k >= 1; k--) f = t + k / f;
    return phi(t) / f;
  }
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -(x * x) / 2 / n;
    const c = term / (2 * n + 1);
    sum += c;
    if (Math.abs(c) < 1e-18 * Math.abs(sum)) break;
  }
  return 0.5 + sum / SQRT_2PI;
}

const GELU_C = 2 * Math.sqrt(2 / Math.PI); // geluTanh: x s(C (x + 0.044715 x^3))
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const elu = (alpha: number, scale: number): Reference => ({
  f: (x) => scale * (x > 0 ? x : alpha * Math.expm1(x)),
  df: (x) => scale * (x > 0 ? 1 : alpha * Math.exp(x)),
});

export const moreRefs: Record<string, Reference> = {
  gelu: {
    f: (x) => (x === -Infinity ? -0 : x * normalCdf(x)),
    df: (x) => (Number.isNaN(x) ? x : Number.isFinite(x) ? normalCdf(x) + x * phi(x) : x > 0 ? 1 : 0),
  },
  geluTanh: {
    f: (x) => (x === -Infinity ? -0 : x * sig(GELU_C * (x + 0.044715 * x * x * x))),
    df: (x) => {
      if (!Number.isFinite(x)) return Number.isNaN(x) ? x : x > 0 ? 1 : 0;
      const z = GELU_C * (x + 0.044715 * x * x * x);
      const s = sig(z);
      const slope = x * s * sig(-z) * GELU_C * (1 + 3 * 0.044715 * x * x);
      return s + (Number.isNaN(slope) ? 0 : slope); // 0 * Inf far out, where s(-z) = 0
    },
  },
  sigmoid: { f: sig, df: (x) => sig(x) * sig(-x) },
  tanh: { f: Math.tanh, df: (x) => 4 * sig(2 * x) * sig(-2 * x) }, // 1 - tanh^2 without cancellation
  softplus: {
    f: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
    df: sig,
  },
  elu: elu(1, 1),
  selu: elu(SELU_ALPHA, SELU_SCALE),
  leakyRelu: {
    f: (x) => (x > 0 ? x : f32(0.01) * x),
    df: (x) => (x > 0 ? 1 : Number.isNaN(x) ? x : f32(0.01)),
  },
};
