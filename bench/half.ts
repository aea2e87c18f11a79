// The element types the bench times: float32 (Float32Array) and the two 16-bit formats, whose
// arrays are Uint16Array of raw bits. The conversions the bench needs to make its half inputs
// and read half results (untimed), and the error of a half result in ulps of its format. Pure.

export type Dtype = 'float32' | 'bfloat16' | 'float16';
export type HalfDtype = Exclude<Dtype, 'float32'>;
export const DTYPES: readonly Dtype[] = ['float32', 'bfloat16', 'float16'];
export const isHalf = (d: Dtype): d is HalfDtype => d !== 'float32';

/** A row's element type: rows and peers without one are float32 (every run before the half axis). */
export const dtypeOf = (r: { dtype?: Dtype }): Dtype => r.dtype ?? 'float32';

/** Short names for labels: f32, bf16, f16. */
export const DTYPE_SHORT: Record<Dtype, string> = { float32: 'f32', bfloat16: 'bf16', float16: 'f16' };

/** Bytes of one element. */
export const bytesOf = (d: Dtype): number => (d === 'float32' ? 4 : 2);

interface Format {
  /** explicit mantissa bits */
  mant: number;
  /** the exponent of the smallest normal */
  minExp: number;
  /** the largest finite value */
  max: number;
}

export const FORMATS: Record<HalfDtype, Format> = {
  bfloat16: { mant: 7, minExp: -126, max: (2 - 2 ** -7) * 2 ** 127 },
  float16: { mant: 10, minExp: -14, max: 65504 },
};

// Round half to even, of a double whose fraction is exact (a power-of-two scaling of a float).
function rne(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** The unit in the last place of |v| in a format (the subnormal spacing below its smallest normal). */
export function halfUlp(v: number, dtype: HalfDtype): number {
  const { mant, minExp } = FORMATS[dtype];
  const a = Math.abs(v);
  if (!(a >= 2 ** minExp)) return 2 ** (minExp - mant);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  return 2 ** (e - mant);
}

/** v rounded to the nearest value of the format (ties to even), as a number; ±Inf past its range. */
export function roundTo(v: number, dtype: HalfDtype): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const u = halfUlp(v, dtype);
  const r = rne(Math.abs(v) / u) * u;
  const { max } = FORMATS[dtype];
  return (v < 0 ? -1 : 1) * (r > max ? Number.POSITIVE_INFINITY : r);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bfloat16 bits of a float32: its top 16 bits, rounded to nearest even; a NaN stays a (quiet) NaN. */
export function bf16Bits(v: number): number {
  f32[0] = v;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return (b >>> 16) | 0x40;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The float16 bits of a number, rounded to nearest even; past 65504 (and its half ulp) ±Inf. */
export function f16Bits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(roundTo(v, 'float16'));
  if (a === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | (a / 2 ** -24); // subnormal: a multiple of 2^-24
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  return sign | ((e + 15) << 10) | (a / 2 ** (e - 10) - 1024);
}

// Every float16 value by its bits: decoding is a table look-up.
let f16Table: Float32Array | undefined;
function f16Values(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >>> 10) & 0x1f;
      const m = h & 0x3ff;
      f16Table[h] =
        e === 31
          ? m
            ? Number.NaN
            : s * Number.POSITIVE_INFINITY
          : s * (e ? (1024 + m) * 2 ** (e - 25) : m * 2 ** -24);
    }
  }
  return f16Table;
}

/** The value of one element's bits. */
export function halfValue(bits: number, dtype: HalfDtype): number {
  if (dtype === 'float16') return f16Values()[bits & 0xffff];
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** float32 values to the bits of a 16-bit format (each rounded to nearest even). */
export function toHalf(v: Float32Array, dtype: HalfDtype): Uint16Array {
  const out = new Uint16Array(v.length);
  const bits = dtype === 'bfloat16' ? bf16Bits : f16Bits;
  for (let i = 0; i < v.length; i++) out[i] = bits(v[i]);
  return out;
}

/** The bits of a 16-bit format to float32 values (exact: both formats are subsets of float32). */
export function fromHalf(h: Uint16Array, dtype: HalfDtype): Float32Array {
  const out = new Float32Array(h.length);
  if (dtype === 'float16') {
    const table = f16Values();
    for (let i = 0; i < h.length; i++) out[i] = table[h[i]];
  } else new Uint32Array(out.buffer).set(Uint32Array.from(h, (b) => b << 16));
  return out;
}

/** Every value of a 16-bit format, by its bits 0..65535: the exhaustive input of the half checks. */
export const everyHalf = (): Uint16Array => Uint16Array.from({ length: 65536 }, (_, i) => i);

/**
 * The error of a half result y against the exact r, in ulps of r in the format; backward passes
 * its float32 allowance of 2^-24 |dy|. Below the format's smallest normal an error up to that
 * normal is 0 (as docs/targets.md allows float32 subnormals); a wrong NaN, Inf or sign of zero
 * is Infinity.
 */
export function halfError(y: number, r: number, dtype: HalfDtype, dy = 0): number {
  if (Number.isNaN(r) || Number.isNaN(y)) return Number.isNaN(r) && Number.isNaN(y) ? 0 : Number.POSITIVE_INFINITY;
  const rh = roundTo(r, dtype);
  if (!Number.isFinite(rh) || !Number.isFinite(y)) return y === rh ? 0 : Number.POSITIVE_INFINITY;
  const excess = Math.abs(y - r) - 2 ** -24 * Math.abs(dy);
  if (excess <= 0) return 0;
  const minNormal = 2 ** FORMATS[dtype].minExp;
  if (Math.abs(r) < minNormal) return excess <= minNormal ? 0 : Number.POSITIVE_INFINITY;
  return excess / halfUlp(r, dtype);
}
