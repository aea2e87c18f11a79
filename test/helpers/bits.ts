// Float32 results compared bit for bit: the inputs that reach every part of a formula, and the
// first difference, for the tests that hold two implementations to the same bits.
import { sweep } from '../../reference/reference';

/**
 * Random bit patterns (every exponent, subnormals, Inf, NaN), the dense sweep of the table, and
 * the special values: ±0, ±Inf, NaN, the largest float, and every power of two with its
 * neighbours, subnormal to huge, of both signs.
 */
export function bitInputs(): Float32Array {
  const random = new Uint32Array(1 << 17);
  let s = 12345;
  for (let i = 0; i < random.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    random[i] = s;
  }
  const dense = sweep(1 << 17, [-100, 100]);
  const special = [0, Number.POSITIVE_INFINITY, Number.NaN, 3.4028234663852886e38];
  for (let e = -149; e <= 127; e++) special.push(2 ** e * (1 - 2 ** -24), 2 ** e, 2 ** e * (1 + 2 ** -23));
  const specials = Float32Array.from([...special, ...special.map((v) => -v)]);
  const x = new Float32Array(random.length + dense.length + specials.length);
  x.set(new Float32Array(random.buffer));
  x.set(dense, random.length);
  x.set(specials, random.length + dense.length);
  return x;
}

/** Bits, with every NaN as one pattern (a NaN's payload may differ by path). */
export function bits(a: Float32Array): Uint32Array {
  const b = new Uint32Array(a.length);
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < a.length; i++) b[i] = Number.isNaN(a[i]) ? 0x7fc00000 : u[i];
  return b;
}

export function firstDifference(a: Uint32Array, b: Uint32Array, x: Float32Array): string {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i])
      return `first at x = ${x[i]}: ${new Float32Array(a.buffer)[i]} vs ${new Float32Array(b.buffer)[i]}`;
  return 'none';
}
