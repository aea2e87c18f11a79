// Half precision: the dtype of a call, and the conversions between float32 and the two
// half-precision formats (the addon's, vectorized: cpp/half.h says the rounding).
import { native } from './native';
import { type ArrayKind, checkArray, checkOneOf, type HostArray, isArrayKind } from './validate';

/**
 * The element type of a call: 'float32' (Float32Array, the default), or half precision as raw
 * bits in a Uint16Array: 'bfloat16' (the top 16 bits of a float32) or 'float16' (IEEE binary16;
 * a Float16Array, where the runtime has one, is float16 without a dtype).
 */
export type Dtype = 'float32' | 'bfloat16' | 'float16';
/** The half-precision dtypes. */
export type HalfDtype = 'bfloat16' | 'float16';

const DTYPES: readonly Dtype[] = ['float32', 'bfloat16', 'float16'];
const HALF: readonly HalfDtype[] = ['bfloat16', 'float16'];
const ALIASES: Readonly<Record<string, Dtype>> = {
  bf16: 'bfloat16',
  fp16: 'float16',
  f16: 'float16',
  half: 'float16',
  binary16: 'float16',
  fp32: 'float32',
  f32: 'float32',
  float: 'float32',
};

export function checkDtype(value: unknown, name = 'dtype'): Dtype {
  return checkOneOf(value, name, DTYPES, ALIASES);
}

export function checkHalfDtype(value: unknown, name = 'dtype'): HalfDtype {
  return checkOneOf(value, name, HALF, ALIASES as Readonly<Record<string, HalfDtype>>);
}

// What a message adds where a Uint16Array came without a dtype.
export const HALF_HINT = ": for half-precision bits pass { dtype: 'bfloat16' } or { dtype: 'float16' }";

/** The addon's code of a half-precision format (cpp/half.h, Half). */
export function halfCode(dtype: HalfDtype): 0 | 1 {
  return dtype === 'bfloat16' ? 0 : 1;
}

export function isFloat16Array(value: unknown): boolean {
  return isArrayKind(value, 'Float16Array');
}

// The runtime's Float16Array, where it has one (Node 24 and later).
type TypedArrayClass = new (length: number) => HostArray;
export function float16Array(): TypedArrayClass | undefined {
  return (globalThis as { Float16Array?: TypedArrayClass }).Float16Array;
}

/**
 * float32 values rounded to a half-precision format, to nearest (ties to even), subnormals and
 * overflow included (float16: |x| >= 65520 gives Infinity); every NaN becomes the format's one
 * quiet NaN (bfloat16 0x7fc0, float16 0x7e00). The bits, for `forward(bits, { dtype })`.
 * @example const bits = toHalf(new Float32Array([1, 0.1]), 'bfloat16') // Uint16Array [0x3f80, 0x3dcd]
 */
export function toHalf(x: Float32Array, dtype: HalfDtype): Uint16Array<ArrayBuffer> {
  const f = checkArray(x, 'x', 'Float32Array');
  const code = halfCode(checkHalfDtype(dtype));
  const bits = new Uint16Array(f.length);
  if (f.length) native().convert(code, f, bits);
  return bits;
}

/**
 * Half-precision bits as float32 values: exact (every bfloat16 and float16 value is a float32).
 * @example fromHalf(mish.forward(bits, { dtype: 'bfloat16' }), 'bfloat16')
 */
export function fromHalf(bits: Uint16Array, dtype: HalfDtype): Float32Array<ArrayBuffer> {
  const u = checkArray(bits, 'bits', 'Uint16Array');
  const code = halfCode(checkHalfDtype(dtype));
  const x = new Float32Array(u.length);
  if (u.length) native().convert(code, u, x);
  return x;
}

// A call's element type: the dtype, the kind of array it takes, and how messages name it.
export interface Elements {
  dtype: Dtype;
  kind: ArrayKind;
  code: 0 | 1 | undefined; // the addon's half-precision format
  label(name: string): string;
  hint: string;
  make(length: number): HostArray;
}
export const FLOAT32: Elements = {
  dtype: 'float32',
  kind: 'Float32Array',
  code: undefined,
  label: (name) => name,
  hint: '',
  make: (length) => new Float32Array(length),
};

// From the dtype option and x: no dtype is float32, or float16 for a Float16Array.
export function elements(dtype: Dtype | undefined, x: unknown): Elements {
  if (dtype === undefined && !isFloat16Array(x))
    return {
      ...FLOAT32,
      hint: ArrayBuffer.isView(x) && x instanceof Uint16Array ? HALF_HINT : '',
    };
  if (dtype === 'float32') return { ...FLOAT32, label: (name) => `${name} (dtype float32)` };
  const d = dtype ?? 'float16';
  const kind: ArrayKind = d === 'float16' && isFloat16Array(x) ? 'Float16Array' : 'Uint16Array';
  const F16 = float16Array();
  return {
    dtype: d,
    kind,
    code: halfCode(d),
    label: (name) => `${name} (dtype ${d})`,
    hint: '',
    make: (length) => (kind === 'Float16Array' && F16 ? new F16(length) : new Uint16Array(length)),
  };
}

// The Uint16Array the addon takes for a Float16Array.
export function bits(a: HostArray): HostArray {
  if (!isFloat16Array(a)) return a;
  const v = a as ArrayBufferView & { length: number };
  return new Uint16Array(v.buffer, v.byteOffset, v.length);
}
