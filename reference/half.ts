// The half-precision formats in plain TypeScript, apart from the addon's conversions (cpp/half.h),
// for the tests and the bench:
// decoding bits, rounding a double once to a format (ties to even), how close a value lies to a
// rounding boundary, and exact rationals (BigInt) to settle the values that lie on one.
export type Fmt = 'bfloat16' | 'float16';

interface Format {
  digits: number; // significant bits
  emin: number; // exponent of the smallest normal
  max: number; // largest finite
  inf: number;
  nan: number; // the canonical NaN (docs/targets.md)
}
export const FORMATS: Record<Fmt, Format> = {
  bfloat16: { digits: 8, emin: -126, max: (2 - 2 ** -7) * 2 ** 127, inf: 0x7f80, nan: 0x7fc0 },
  float16: { digits: 11, emin: -14, max: 65504, inf: 0x7c00, nan: 0x7e00 },
};

export function decode(u: number, fmt: Fmt): number {
  const sign = u & 0x8000 ? -1 : 1;
  const [eBits, mBits] = fmt === 'bfloat16' ? [8, 7] : [5, 10];
  const bias = (1 << (eBits - 1)) - 1;
  const e = (u >> mBits) & ((1 << eBits) - 1);
  const m = u & ((1 << mBits) - 1);
  if (e === (1 << eBits) - 1) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  if (e === 0) return sign * m * 2 ** (1 - bias - mBits);
  return sign * (1 + m / 2 ** mBits) * 2 ** (e - bias);
}

// The bits of v, a value of the format (or ±Infinity).
function encode(v: number, fmt: Fmt): number {
  const f = FORMATS[fmt];
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Number.POSITIVE_INFINITY) return sign | f.inf;
  const mBits = f.digits - 1;
  if (a < 2 ** f.emin) return sign | (a / 2 ** (f.emin - mBits));
  const e = exponent(a);
  return sign | ((e - f.emin + 1) << mBits) | (a / 2 ** (e - mBits) - 2 ** mBits);
}

// floor(log2 a) for a finite a > 0.
function exponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

export interface Rounded {
  bits: number;
  // |v - the nearest rounding boundary| / |v| (Infinity where there is none: 0, Inf, NaN)
  distance: number;
  // the boundary (a half-way point) next to v, and the two values beside it
  mid: number;
  lower: number;
  upper: number;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// The bits of v rounded to the format from its double bits, for a normal result not within
// 2^-20 of a boundary; -1 for every other value (round decides those).
export function roundQuick(v: number, fmt: Fmt): number {
  F64[0] = v;
  const hi = U32[LITTLE ? 1 : 0];
  const f = FORMATS[fmt];
  const mBits = f.digits - 1;
  const e = ((hi >>> 20) & 0x7ff) - 1023;
  if (e < f.emin || e > 1 - f.emin) return -1;
  const shift = 20 - mBits; // hi's mantissa bits below the kept ones
  const rest = hi & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest === half || rest === half - 1) return -1;
  let m = ((hi & 0xfffff) >>> shift) + (rest > half ? 1 : 0);
  let biased = e - f.emin + 1;
  if (m === 1 << mBits) {
    m = 0;
    biased++;
  }
  if (biased >= (2 << (f.digits === 8 ? 7 : 4)) - 1) return -1; // overflow
  return (hi & 0x80000000 ? 0x8000 : 0) | (biased << mBits) | m;
}

export function round(v: number, fmt: Fmt): Rounded {
  const f = FORMATS[fmt];
  const none = { distance: Number.POSITIVE_INFINITY, mid: 0, lower: 0, upper: 0 };
  if (Number.isNaN(v)) return { bits: f.nan, ...none };
  const a = Math.abs(v);
  if (a === 0 || a === Number.POSITIVE_INFINITY) return { bits: encode(v, fmt), ...none };
  const q = 2 ** (Math.max(exponent(a), f.emin) - (f.digits - 1)); // one unit at a
  const n = a / q;
  const fl = Math.floor(n);
  const rest = n - fl;
  const up = rest > 0.5 || (rest === 0.5 && fl % 2 === 1);
  const r = (up ? fl + 1 : fl) * q;
  const sign = v < 0 ? -1 : 1;
  return {
    bits: encode(sign * (r > f.max ? Number.POSITIVE_INFINITY : r), fmt),
    distance: (Math.abs(rest - 0.5) * q) / a,
    mid: sign * (fl + 0.5) * q,
    lower: sign * fl * q,
    upper: sign * (fl + 1) * q,
  };
}

// ---- exact rationals ----

export interface Q {
  n: bigint;
  d: bigint; // > 0
}

export function q(v: number): Q {
  if (v === 0) return { n: 0n, d: 1n };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (e) m |= 1n << 52n;
  const shift = (e ? e : 1) - 1075; // v = m 2^shift
  const n = v < 0 ? -m : m;
  return shift >= 0 ? { n: n << BigInt(shift), d: 1n } : { n, d: 1n << BigInt(-shift) };
}
export const add = (a: Q, b: Q): Q => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
export const sub = (a: Q, b: Q): Q => ({ n: a.n * b.d - b.n * a.d, d: a.d * b.d });
export const mul = (a: Q, b: Q): Q => ({ n: a.n * b.n, d: a.d * b.d });
export const div = (a: Q, b: Q): Q => (b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n });
export const cmp = (a: Q, b: Q): number => {
  const x = a.n * b.d - b.n * a.d;
  return x > 0n ? 1 : x < 0n ? -1 : 0;
};

// An exact value e rounded to the format, given its double approximation's rounding r (which
// names the boundary next to it): to the side of the boundary that e is on, ties to even.
export function roundExact(e: Q, r: Rounded, fmt: Fmt): number {
  const c = cmp(e, q(r.mid)) * (r.mid < 0 ? -1 : 1); // > 0: beyond the boundary in magnitude
  const pick = c > 0 ? r.upper : c < 0 ? r.lower : (encode(r.lower, fmt) & 1) === 0 ? r.lower : r.upper;
  return encode(Math.abs(pick) > FORMATS[fmt].max ? Math.sign(pick) * Number.POSITIVE_INFINITY : pick, fmt);
}

// A value beside the boundary r.mid: beyond it in the direction `side` (the sign of exact - mid),
// or on it (0: ties to even).
export function roundSide(r: Rounded, side: number, fmt: Fmt): number {
  const mid = q(r.mid);
  const e = side === 0 ? mid : add(mid, q(side * Math.abs(r.upper - r.lower) * 0.25));
  return roundExact(e, r, fmt);
}
