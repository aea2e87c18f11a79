// A peer's accuracy: its output on a sweep against the double reference, in ulp as docs/targets.md
// counts them (forwardError, backwardError of reference/reference.ts). Pure.
import { backwardError, forwardError, type Reference } from '../reference/reference';
import { type Dtype, halfError, isHalf } from './half';

export interface Accuracy {
  /** The worst finite error in ulp (backward: beyond the 2^-24 |dy| allowance), and where. */
  maxUlp: number;
  at: number;
  /** The same for |x| <= 30 only (the dense part of the sweep). */
  maxUlp30: number;
  /** Inputs whose result is a wrong special value: NaN, Inf or 0 where none is due, or the reverse. */
  wrong: number;
  /** The first of those, e.g. "mish(-Infinity) = NaN, want -0". */
  example: string | null;
  inputs: number;
}

const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** `dtype`: a 16-bit op's error in ulps of its format (x, dy and got are values of it). */
export function accuracyOf(
  activation: string,
  pass: 'forward' | 'backward',
  x: Float32Array,
  dy: Float32Array,
  got: Float32Array,
  ref: Reference,
  dtype: Dtype = 'float32',
): Accuracy {
  const acc: Accuracy = { maxUlp: 0, at: Number.NaN, maxUlp30: 0, wrong: 0, example: null, inputs: x.length };
  for (let i = 0; i < x.length; i++) {
    const want = pass === 'forward' ? ref.f(x[i]) : ref.df(x[i]) * dy[i];
    // 16-bit results (x and got values of the format): ulps of that format
    const e = isHalf(dtype)
      ? halfError(got[i], want, dtype, pass === 'forward' ? 0 : dy[i])
      : pass === 'forward'
        ? forwardError(got[i], want)
        : backwardError(got[i], want, dy[i]);
    // a nonzero gradient where it is 0 (beyond the dy allowance) has no ulp: it is a wrong value
    if (e === Number.POSITIVE_INFINITY || Number.isNaN(e) || (want === 0 && e > 0)) {
      if (acc.wrong++ === 0)
        acc.example =
          pass === 'forward'
            ? `${activation}(${show(x[i])}) = ${show(got[i])}, want ${show(Math.fround(want))}`
            : `${activation}'(${show(x[i])}) * ${show(dy[i])} = ${show(got[i])}, want ${show(Math.fround(want))}`;
    } else {
      if (e > acc.maxUlp || Number.isNaN(acc.at)) {
        acc.maxUlp = e;
        acc.at = x[i];
      }
      if (e > acc.maxUlp30 && Math.abs(x[i]) <= 30) acc.maxUlp30 = e;
    }
  }
  return acc;
}

/** "2.4", "98303", "1.7e+7". */
export const ulpNumber = (u: number): string => (u < 10 ? u.toFixed(1) : u < 1e5 ? u.toFixed(0) : u.toExponential(1));

/**
 * "4.4 ulp" (in [-30, 30] and everywhere), "4.4 / 1.7e+7 ulp" (in [-30, 30] / everywhere), and
 * ", wrong specials" when some result is a wrong NaN, Inf or 0 (see accuracyOf).
 */
export function describeUlp(a: Pick<Accuracy, 'maxUlp' | 'maxUlp30' | 'wrong'>): string {
  const inner = ulpNumber(a.maxUlp30);
  const all = ulpNumber(a.maxUlp);
  return `${inner === all ? inner : `${inner} / ${all}`} ulp${a.wrong > 0 ? ', wrong specials' : ''}`;
}
