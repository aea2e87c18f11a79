// DESIGN §4 on the device: 10^7 inputs per function (every exponent, a dense sweep, every
// special value), forward and backward, against the double references of test/reference.ts.
// Runs only where cuda.available(); scripts/gpu-check.sh adds the exhaustive 2^32-input check.
import { describe, expect, it } from 'vitest';
import { cuda, GpuArray } from '../lib';
import { backwardError, forwardError, sweep } from './reference';
import { rows } from './table';

const COUNT = 10_000_000;

describe.skipIf(!cuda.available())('accuracy on cuda', () => {
  for (const { name, fn, ref, range, kinks, maxUlp } of rows) {
    let cached: Float32Array | undefined;
    const inputs = () => {
      cached ??= sweep(COUNT, range, kinks); // built when a test runs, not when it is skipped
      return cached;
    };
    it(`${name} forward within ${maxUlp} ulp`, async () => {
      const x = inputs();
      const gx = GpuArray.from(x);
      const y = await fn.forward(gx).toFloat32Array();
      gx.dispose();
      let worst = 0;
      let at = 0;
      for (let i = 0; i < x.length; i++) {
        const e = forwardError(y[i], ref.f(x[i]));
        if (e > worst || Number.isNaN(e)) {
          worst = e;
          at = i;
        }
      }
      expect(worst, `worst at x = ${x[at]}: got ${y[at]}, want ${ref.f(x[at])}`).toBeLessThanOrEqual(maxUlp);
    });
    it(`${name} backward within ${maxUlp} ulp + 2^-24 |dy|`, async () => {
      const x = inputs();
      const dy = new Float32Array(x.length).fill(1);
      for (let i = 0; i < dy.length; i += 3) dy[i] = ((i * 7919) % 2001) / 1000 - 1;
      const gx = GpuArray.from(x);
      const gdy = GpuArray.from(dy);
      const g = await fn.backward(gx, gdy).toFloat32Array();
      gx.dispose();
      gdy.dispose();
      let worst = 0;
      let at = 0;
      for (let i = 0; i < x.length; i++) {
        const e = backwardError(g[i], ref.df(x[i]) * dy[i], dy[i]);
        if (e > worst || Number.isNaN(e)) {
          worst = e;
          at = i;
        }
      }
      expect(
        worst,
        `worst at x = ${x[at]}, dy = ${dy[at]}: got ${g[at]}, want ${ref.df(x[at]) * dy[at]}`,
      ).toBeLessThanOrEqual(maxUlp);
    });
  }
});
