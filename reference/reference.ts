// Double-precision references for every activation (README: Functions), in forms that stay accurate in
// double where the float kernels are tested: no cancellation in the tails.
export type Fn = (x: number) => number;

export const f32 = Math.fround;
const sig = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
// d/dx [x s(c x)] = s(z)(1 + z s(-z)), z = c x
const swishSlope = (z: number): number => sig(z) * (1 + z * sig(-z));

export interface Reference {
  f: Fn;
  df: Fn;
}

export function mishRef(): Reference {
  return {
    f: (x) => {
      if (x === -Infinity) return -0;
      if (x > 40) return x; // tanh(softplus 40) = 1 - 2e-35
      return x * Math.tanh(Math.log1p(Math.exp(x)));
    },
    df: (x) => {
      if (x === -Infinity) return 0;
      if (x > 40) return 1;
      const e = Math.exp(x);
      const n = e * (e + 2);
      return n / (n + 2) + (x * 4 * (1 + e) * (1 + e) * sig(x)) / ((n + 2) * (n + 2));
    },
  };
}

export function swishRef(beta: number): Reference {
  const b = f32(beta);
  // the limits at ±Inf: x where b x > 0, a zero of the sign of x where b x < 0, x / 2 for b = 0
  const limit = (x: number): number => (b === 0 ? x : b * x > 0 ? x : Math.sign(x) * 0);
  return {
    f: (x) => (Number.isFinite(x) ? x * sig(b * x) : Number.isNaN(x) ? x : limit(x)),
    df: (x) => (Number.isNaN(x) ? x : Number.isFinite(x) ? swishSlope(b * x) : b === 0 ? 0.5 : b * x > 0 ? 1 : 0),
  };
}

export function hardGateRef(shift: number, cap: number): Reference {
  const s = f32(shift);
  const c = f32(cap);
  return {
    f: (x) => {
      if (x + s <= 0) return x < 0 || Object.is(x, -0) ? -0 : 0; // x * 0: the sign of x
      if (x + s >= c) return x;
      return (x * (x + s)) / c;
    },
    df: (x) => (Number.isNaN(x) ? Number.NaN : x + s <= 0 ? 0 : x + s >= c ? 1 : (2 * x + s) / c),
  };
}

export const reluRef: Reference = {
  f: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  df: (x) => (x > 0 ? 1 : Number.isNaN(x) ? x : 0),
};

export const approxMishRef: Reference = {
  f: (x) => (x === -Infinity ? -0 : x === Infinity ? x : x * sig(x <= 0 ? x : 2 * x)),
  df: (x) => (x === -Infinity ? 0 : x === Infinity ? 1 : swishSlope(x <= 0 ? x : 2 * x)),
};

export const linearSwishRef: Reference = {
  f: (x) => (x > 0 ? x : x === -Infinity ? -0 : 2 * x * sig(1.25 * x)),
  df: (x) => (x > 0 ? 1 : x === -Infinity ? 0 : Number.isNaN(x) ? x : 2 * swishSlope(1.25 * x)),
};

// alpha + tanh(u) without cancellation, for float32 alpha, in double. For |alpha| < 1, around
// the root u0 = atanh(-alpha): tanh(u) - tanh(u0) = (1 - alpha^2) t / (1 - alpha t) with
// t = tanh(u - u0) (1 - alpha t >= 1 - |alpha|: no cancellation beyond 1/(1 - |alpha|)); for
// alpha >= 1 the sum (alpha - 1) + 2 s(2u) and for alpha <= -1 (alpha + 1) - 2 s(-2u) have terms
// of one sign.
export function aptxSum(alpha: number): (u: number) => number {
  const a = f32(alpha);
  if (Math.abs(a) < 1) {
    const u0 = Math.atanh(-a);
    const c = 1 - a * a; // exact: a^2 has 48 bits
    return (u) => {
      const t = Math.tanh(u - u0);
      return (c * t) / (1 - a * t);
    };
  }
  if (a === -1) return (u) => -2 * sig(-2 * u); // 0 - (an underflow) must stay negative
  return a >= 1 ? (u) => a - 1 + 2 * sig(2 * u) : (u) => a + 1 - 2 * sig(-2 * u);
}

// Double-double arithmetic (hi + lo), for f'/gamma of aptx next to its zeros (aptxSlopeDD).
type DD = [number, number];
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}
function split(a: number): DD {
  const c = 134217729 * a; // 2^27 + 1 (Veltkamp): hi has 26 bits, lo the rest
  const hi = c - (c - a);
  return [hi, a - hi];
}
function twoProduct(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(a: DD, b: DD): DD {
  let s = twoSum(a[0], b[0]);
  const t = twoSum(a[1], b[1]);
  s = quickTwoSum(s[0], s[1] + t[0]);
  return quickTwoSum(s[0], s[1] + t[1]);
}
function ddMul(a: DD, b: DD): DD {
  const p = twoProduct(a[0], b[0]);
  return quickTwoSum(p[0], p[1] + (a[0] * b[1] + a[1] * b[0]));
}
function ddDiv(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  let r = ddAdd(a, ddMul([-q1, 0], b));
  const q2 = r[0] / b[0];
  r = ddAdd(r, ddMul([-q2, 0], b));
  return ddAdd(quickTwoSum(q1, q2), [r[0] / b[0], 0]);
}
// e^y for y <= 0: y = k ln2 + r, |r| <= ln2/2, e^r by its Taylor series to r^27.
function ddExpNeg(y: number): DD {
  if (y < -745) return [0, 0];
  const k = Math.round(y / Math.LN2);
  const r = ddAdd([y, 0], ddMul([-k, 0], [Math.LN2, 2.3190468138462996e-17]));
  let s: DD = [1, 0];
  for (let n = 27; n >= 1; n--) s = ddAdd([1, 0], ddMul(s, ddDiv(r, [n, 0])));
  return [s[0] * 2 ** k, s[1] * 2 ** k];
}
// alpha + tanh u + u sech^2 u in double-double for a float alpha and a double u: with e = e^-2|u|
// and q = e / (1 + e), (alpha -+ 1) +- 2q + 4u q / (1 + e) (alpha -+ 1 is exact).
export function aptxSlopeDD(alpha: number, u: number): number {
  const e = ddExpNeg(-2 * Math.abs(u));
  const ope = ddAdd([1, 0], e);
  const q = ddDiv(e, ope);
  const side = u < 0 ? 1 : -1;
  const sum = ddAdd(ddAdd([alpha - side, 0], ddMul([2 * side, 0], q)), ddMul([4 * u, 0], ddDiv(q, ope)));
  return sum[0] + sum[1];
}

// aptx(x) = gamma x (alpha + tanh(beta x)), exact in double near its roots (aptxSum); f' =
// gamma [(alpha + tanh u) + u sech^2 u], u = beta x (exact in double), in double-double next to
// its zeros, where the nearest float may sit 2^-40 from a zero and gamma be any float.
export function aptxRef(alpha: number, beta: number, gamma: number): Reference {
  const a = f32(alpha);
  const b = f32(beta);
  const g = f32(gamma);
  const sum = aptxSum(a);
  // tanh(beta x) at x = ±Inf
  const tail = (x: number): number => (b === 0 ? 0 : Math.sign(b) * Math.sign(x));
  return {
    f: (x) => {
      if (Number.isNaN(x)) return x;
      if (b === 0 && Number.isFinite(x)) return g * a * x; // a line
      if (x === 0) return g * x * (a !== 0 ? a : b * x); // the sign of the exact zero
      if (Number.isFinite(x)) return g * x * sum(b * x);
      const c = a + tail(x);
      // the limit: gamma c x, or a zero whose sign is that of gamma x (alpha + tanh) near it
      return c !== 0 && g !== 0 ? g * c * x : g * Math.sign(x) * (c !== 0 ? c : a) * 0;
    },
    df: (x) => {
      if (Number.isNaN(x)) return x;
      if (!Number.isFinite(x)) return g * (a + tail(x));
      const u = b * x;
      const h = sum(u) + 4 * u * sig(2 * u) * sig(-2 * u);
      // the zeros of f' lie within |u| < 20; beyond, h is an exponential tail without
      // cancellation, which double keeps down to its subnormals (and double-double would not)
      return g * (Math.abs(h) < 2 ** -10 && Math.abs(u) < 32 ? aptxSlopeDD(a, u) : h);
    },
  };
}

// d/dgamma of aptx per element: x (alpha + tanh(beta x)).
export function aptxCore(alpha: number, beta: number): Fn {
  const b = f32(beta);
  const sum = aptxSum(alpha);
  return (x) => x * sum(b * x);
}

// erfc(a) to about 1e-14 relative for every double a: the all-positive series of
// erf(a) e^(a^2) below a = 2 (erfc(2) = 0.0047, so 1 - erf loses at most 3 digits of 16), and the
// continued fraction erfc(a) = e^(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))) above.
export function erfc(a: number): number {
  if (Number.isNaN(a)) return a;
  if (a < 0) return 2 - erfc(-a);
  if (a === Infinity) return 0;
  if (a < 2) {
    const a2 = 2 * a * a;
    let term = 1;
    let sum = 1;
    for (let n = 1; term > 1e-18 * sum; n++) {
      term *= a2 / (2 * n + 1);
      sum += term;
    }
    return 1 - ((2 * a) / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  }
  let t = a;
  for (let n = 120; n >= 1; n--) t = a + n / 2 / t;
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / t;
}

// Phi(-t) = erfc(t / sqrt 2) / 2, the normal tail, relative accurate for every t.
const normalTail = (t: number): number => erfc(t * Math.SQRT1_2) / 2;
const INV_SQRT_2PI = 0.3989422804014327;

export const geluRef: Reference = {
  f: (x) => (x === -Infinity ? -0 : x < 0 ? x * normalTail(-x) : x === Infinity ? x : x * (1 - normalTail(x))),
  df: (x) => {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? x : x > 0 ? 1 : 0;
    const phi = x < 0 ? normalTail(-x) : 1 - normalTail(x);
    return phi + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  },
};

const GELU_C = 1.5957691216057308; // 2 sqrt(2/pi)
export const geluTanhRef: Reference = {
  f: (x) => (Number.isFinite(x) ? x * sig(GELU_C * (x + 0.044715 * x * x * x)) : x > 0 ? x : x < 0 ? -0 : x),
  df: (x) => {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? x : x > 0 ? 1 : 0;
    const z = GELU_C * (x + 0.044715 * x * x * x);
    const w = GELU_C * x * (1 + 3 * 0.044715 * x * x); // x z'
    return sig(z) * (1 + w * sig(-z));
  },
};

export const sigmoidRef: Reference = {
  f: (x) => (Number.isNaN(x) ? x : sig(x)),
  df: (x) => (Number.isNaN(x) ? x : sig(x) * sig(-x)),
};

export const tanhRef: Reference = {
  f: Math.tanh,
  df: (x) => (Number.isNaN(x) ? x : 4 * sig(2 * x) * sig(-2 * x)),
};

// log(1 + e^(b x))/b = [max(z, 0) + log1p(e^-|z|)]/b, z = b x
export function softplusRef(beta: number): Reference {
  const b = f32(beta);
  return {
    f: (x) => {
      const z = b * x;
      if (Number.isNaN(z)) return z;
      if (!Number.isFinite(z)) return z > 0 ? x : b > 0 ? 0 : -0;
      const l = Math.log1p(Math.exp(-Math.abs(z))) / b;
      return z > 0 ? x + l : l;
    },
    df: (x) => (Number.isNaN(x) ? x : sig(b * x)),
  };
}

// lambda elu(x, alpha); elu'(0) = alpha. elu's alpha is a parameter (rounded to float32 as the
// kernel holds it), selu's alpha and lambda are constants (exact).
const scaledEluRef = (alpha: number, lambda: number): Reference => ({
  f: (x) => (x > 0 ? lambda * x : Number.isNaN(x) ? x : lambda * alpha * Math.expm1(x)),
  df: (x) => (x > 0 ? lambda : Number.isNaN(x) ? x : lambda * alpha * Math.exp(x)),
});
export const eluRef = (alpha: number): Reference => scaledEluRef(f32(alpha), 1);
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_LAMBDA = 1.0507009873554805;
export const seluRef = scaledEluRef(SELU_ALPHA, SELU_LAMBDA);

export function leakyReluRef(slope: number): Reference {
  const s = f32(slope);
  return {
    f: (x) => (x > 0 ? x : x === -Infinity && s === 0 ? (Object.is(s, -0) ? 0 : -0) : s * x),
    df: (x) => (x > 0 ? 1 : Number.isNaN(x) ? x : s),
  };
}

// PyTorch's gradients at the kinks: 0 at 0 and 6 (relu6), at -3 and 3 (hardSigmoid).
export const relu6Ref: Reference = {
  f: (x) => (Number.isNaN(x) ? x : Math.min(Math.max(x, 0), 6)),
  df: (x) => (Number.isNaN(x) ? x : x > 0 && x < 6 ? 1 : 0),
};

export const hardSigmoidRef: Reference = {
  f: (x) => (Number.isNaN(x) ? x : x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6),
  df: (x) => (Number.isNaN(x) ? x : x > -3 && x < 3 ? 1 / 6 : 0),
};

export function blendRef(a: Reference, b: Reference, t: number): Reference {
  const tt = f32(t);
  // t = 0 and t = 1 are one side exactly: 0 * Inf must not make a NaN. Two zeros (results that
  // underflowed) blend to -0 if either is -0, as cpp/math.h blend_of does.
  const mix = (p: number, q: number): number => {
    if (tt === 0) return p;
    if (tt === 1) return q;
    if (p === 0 && q === 0) return Object.is(p, -0) || Object.is(q, -0) ? -0 : 0;
    return (1 - tt) * p + tt * q;
  };
  return {
    f: (x) => mix(a.f(x), b.f(x)),
    df: (x) => mix(a.df(x), b.df(x)),
  };
}

// Units in the last place of the float32 nearest to r (normal range).
export function ulp32(r: number): number {
  const a = Math.abs(r);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  return 2 ** (e - 23);
}

const MIN_NORMAL = 2 ** -126;

// Error of y against a forward reference r, in ulps of r; 0 for an allowed subnormal result,
// Infinity for a wrong special value.
// A zero result must have the sign of the exact result (README: Functions; mish(-0) = -0, a negative
// result that underflows is -0).
export function forwardError(y: number, r: number): number {
  if (Number.isNaN(r) || Number.isNaN(y)) return Number.isNaN(r) && Number.isNaN(y) ? 0 : Number.POSITIVE_INFINITY;
  if (y === 0 && (r < 0 || Object.is(r, -0)) !== Object.is(y, -0)) return Number.POSITIVE_INFINITY;
  const rf = f32(r);
  if (!Number.isFinite(rf) || !Number.isFinite(y)) return y === rf ? 0 : Number.POSITIVE_INFINITY;
  if (Math.abs(r) < MIN_NORMAL) return Math.abs(y - r) <= MIN_NORMAL ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(y - r) / ulp32(r);
}

// Error of a gradient g against r for upstream dy: ulps of r beyond the 2^-24 |dy| allowance.
export function backwardError(g: number, r: number, dy: number): number {
  if (Number.isNaN(r) || Number.isNaN(g)) return Number.isNaN(r) && Number.isNaN(g) ? 0 : Number.POSITIVE_INFINITY;
  const rf = f32(r);
  if (!Number.isFinite(rf) || !Number.isFinite(g)) return g === rf ? 0 : Number.POSITIVE_INFINITY;
  const excess = Math.abs(g - r) - 2 ** -24 * Math.abs(dy);
  return excess <= 0 ? 0 : excess / ulp32(r);
}

// Every special value, plus the neighbours of the given kinks.
export function specials(kinks: number[] = []): number[] {
  const s = [0, -0, 2 ** -149, -(2 ** -149), 2 ** -127, -(2 ** -127), MIN_NORMAL, -MIN_NORMAL];
  s.push(3.4028234663852886e38, -3.4028234663852886e38, Infinity, -Infinity, Number.NaN);
  s.push(1, -1, 20, -20, 88, -88, 100, -100, 174, -174, 200, -200);
  for (const k of [0, ...kinks]) {
    const v = new Float32Array([k]);
    const u = new Uint32Array(v.buffer);
    const bits = u[0];
    for (const d of [-2, -1, 1, 2]) {
      u[0] = bits + d;
      s.push(v[0]);
      u[0] = bits;
    }
    s.push(k);
  }
  return s.filter((x) => !Number.isNaN(f32(x)) || Number.isNaN(x));
}

// The float32 values next to p: `n` consecutive ones on each side, then p (1 ± 2^-k) out to
// 2^-1, so that a neighbourhood is dense at every scale.
export function around(p: number, n = 256): number[] {
  const v = new Float32Array([p]);
  const u = new Uint32Array(v.buffer);
  const bits = u[0];
  const out: number[] = [];
  for (let d = -n; d <= n; d++) {
    u[0] = (bits + d) >>> 0;
    out.push(v[0]);
  }
  for (let k = 1; k <= 23; k++) out.push(f32(p * (1 + 2 ** -k)), f32(p * (1 - 2 ** -k)));
  return out.filter((x) => !Number.isNaN(x) || Number.isNaN(p));
}

// At least `count` float32 inputs: every exponent (a stride through the bit patterns), a dense
// sweep of [lo, hi], the specials, and the neighbourhood of every kink (around).
export function sweep(count: number, range: [number, number], kinks: number[] = []): Float32Array {
  const half = count >> 1;
  const sp = specials(kinks);
  const near = kinks.flatMap((k) => around(k));
  const out = new Float32Array(2 * half + sp.length + near.length);
  const bits = new Uint32Array(out.buffer);
  const stride = Math.floor(2 ** 32 / half);
  for (let i = 0; i < half; i++) bits[i] = (i * stride + 12345) >>> 0;
  const [lo, hi] = range;
  for (let i = 0; i < half; i++) out[half + i] = lo + ((hi - lo) * i) / half;
  out.set(sp, 2 * half);
  out.set(near, 2 * half + sp.length);
  return out;
}

// The worst input of a pass against its reference: forward (dy undefined, err = forwardError)
// or backward (want(x) * dy, err = backwardError).
export interface Worst {
  error: number;
  x: number;
  dy: number;
  got: number;
  want: number;
}

export function worstOf(x: Float32Array, got: Float32Array, want: Fn, dy?: Float32Array): Worst {
  const w: Worst = { error: 0, x: 0, dy: 1, got: 0, want: 0 };
  for (let i = 0; i < x.length; i++) {
    const d = dy ? dy[i] : 1;
    const r = dy ? want(x[i]) * d : want(x[i]);
    const e = dy ? backwardError(got[i], r, d) : forwardError(got[i], r);
    if (e > w.error || Number.isNaN(e)) Object.assign(w, { error: e, x: x[i], dy: d, got: got[i], want: r });
  }
  return w;
}

export const describeWorst = (w: Worst): string => `worst at x = ${w.x}, dy = ${w.dy}: got ${w.got}, want ${w.want}`;

// Upstream gradients for the backward checks: 1, with every third one in [-1, 1].
export function testDy(n: number): Float32Array {
  const dy = new Float32Array(n).fill(1);
  for (let i = 0; i < n; i += 3) dy[i] = ((i * 7919) % 2001) / 1000 - 1;
  return dy;
}
