// The element types the bench times: float32 (Float32Array) and the two 16-bit formats, whose
// arrays are Uint16Array of raw bits (the library's toHalf and fromHalf convert them), and the
// error of a half result in ulps of its format, from the plain rounding of reference/half.ts.
// Pure.
import { decode, FORMATS, round } from '../reference/half';

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
  const rounded = round(r, dtype);
  const rh = decode(rounded.bits, dtype);
  if (!Number.isFinite(rh) || !Number.isFinite(y)) return y === rh ? 0 : Number.POSITIVE_INFINITY;
  const excess = Math.abs(y - r) - 2 ** -24 * Math.abs(dy);
  if (excess <= 0) return 0;
  const minNormal = 2 ** FORMATS[dtype].emin;
  if (Math.abs(r) < minNormal) return excess <= minNormal ? 0 : Number.POSITIVE_INFINITY;
  return excess / Math.abs(rounded.upper - rounded.lower); // one unit of the format at r
}
