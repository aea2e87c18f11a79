// Seeded test data shared by the concurrency, worker and fuzz tests.
import v8 from 'node:v8';
import vm from 'node:vm';

import { uniform } from '../../lib/random';

// The library's seeded generator: the same seed gives the same sequence.
export const random = uniform;

// n floats: mostly in [-12, 12], with every special value sprinkled in.
export function floats(n: number, seed = 1): Float32Array {
  const next = random(seed);
  const specials = [0, -0, Number.NaN, Infinity, -Infinity, 1e-40, -1e-40, 3e38, -3e38, 88, -88];
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = next() < 0.02 ? specials[i % specials.length] : next() * 24 - 12;
  return x;
}

// True when a and b hold the same bits (NaN payloads included).
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// The garbage collector, without --expose-gc on the command line.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
export function collectGarbage(): void {
  gc();
}
