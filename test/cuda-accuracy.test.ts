// The accuracy contract of docs/targets.md on the device: 10^7 inputs per function (every exponent, a dense sweep, every
// special value), forward and backward, against the double references of reference/reference.ts.
// Runs only where cuda.available(); scripts/gpu-check.sh adds the exhaustive 2^32-input check.
import { describe, expect, it } from 'vitest';
import { cuda, GpuArray } from '../lib';
import { describeWorst, sweep, testDy, worstOf } from '../reference/reference';
import { skipped } from './helpers/skip';
import { parameterRows, rows } from './table';

const COUNT = 10_000_000;

describe.skipIf(!cuda.available())(`accuracy on cuda${skipped(!cuda.available(), 'no GPU')}`, () => {
  // the defaults with 10^7 inputs, every parameter set of the table with its own count
  const all = [...rows.map((r) => ({ ...r, count: COUNT })), ...parameterRows];
  for (const r of all) {
    const { name, fn, ref, range, kinks, maxUlp, count } = r;
    let cached: Float32Array | undefined;
    const inputs = () => {
      cached ??= sweep(count, range, kinks); // built when a test runs, not when it is skipped
      return cached;
    };
    it(`${name} forward within ${maxUlp} ulp`, async () => {
      const x = inputs();
      const gx = GpuArray.from(x);
      const y = await fn.forward(gx).toFloat32Array();
      gx.dispose();
      const w = worstOf(x, y, ref.f);
      expect(w.error, describeWorst(w)).toBeLessThanOrEqual(maxUlp);
    });
    it(`${name} backward within ${maxUlp} ulp + 2^-24 |dy|`, async () => {
      const x = inputs();
      const dy = testDy(x.length);
      const gx = GpuArray.from(x);
      const gdy = GpuArray.from(dy);
      const g = await fn.backward(gx, gdy).toFloat32Array();
      gx.dispose();
      gdy.dispose();
      const w = worstOf(x, g, ref.df, dy);
      expect(w.error, describeWorst(w)).toBeLessThanOrEqual(maxUlp);
    });
  }
});
