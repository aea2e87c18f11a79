// A million calls leave the RSS flat (docs/targets.md, Bad input: nothing leaks), sync and async, through
// every kind of call and the refused ones too.
import { expect, it } from 'vitest';
import { aptx, blend, hardMish, mish } from '../lib';
import { collectGarbage, floats } from './helpers/data';

it('10^6 calls leave the RSS flat', async () => {
  const x = floats(64, 9);
  const dy = floats(64, 10);
  const out = new Float32Array(64);
  const b = blend(mish, hardMish, 0.5);
  const round = async (calls: number) => {
    for (let i = 0; i < calls; i += 10) {
      mish.forward(x, { out });
      mish.forward(x); // a new array each time
      b.backward(x, dy, { out });
      aptx.paramGrad(x, dy);
      aptx({ beta: 1 + (i % 7) }).forward(x, { out });
      try {
        mish.forward(x, { out: new Float32Array(3) }); // refused: length mismatch
      } catch {}
      try {
        aptx.paramGrad(x, new Float32Array(1));
      } catch {}
      await Promise.all([mish.forwardAsync(x, { out }), b.backwardAsync(x, dy), aptx.paramGradAsync(x, dy)]);
    }
  };
  await round(100_000); // warm up
  collectGarbage();
  const before = process.memoryUsage().rss;
  await round(1_000_000);
  collectGarbage();
  const growth = process.memoryUsage().rss - before;
  // A leak of even 16 bytes a call would be 16 MB.
  expect(growth).toBeLessThan(16 * 2 ** 20);
});
