// Async mish forward at 2^20 and 2^24, fastest of 41 / 9 runs: a new result (fresh), into a
// caller's out (out), both arrays over SharedArrayBuffers (shared), and the sync call.
//   node test/helpers/async-cost.js [path of the package, default ./dist]
// docs/threads.md gives its figures (what the async calls' copies cost).
const path = require('node:path');
const ak = require(path.resolve(process.argv[2] || path.join(__dirname, '..', '..', 'dist')));

(async () => {
  for (const lg of [20, 24]) {
    const n = 1 << lg;
    const x = Float32Array.from({ length: n }, (_, i) => ((i % 20001) - 10000) / 1000);
    const o = new Float32Array(n);
    const sx = new Float32Array(new SharedArrayBuffer(4 * n));
    sx.set(x);
    const so = new Float32Array(new SharedArrayBuffer(4 * n));
    const reps = lg === 20 ? 41 : 9;
    const row = [];
    for (const [label, fn] of [
      ['fresh', () => ak.mish.forwardAsync(x)],
      ['out', () => ak.mish.forwardAsync(x, { out: o })],
      ['shared', () => ak.mish.forwardAsync(sx, { out: so })],
      ['sync', () => ak.mish.forward(x, { out: o })],
    ]) {
      let best = Number.POSITIVE_INFINITY;
      for (let r = 0; r < reps; r++) {
        const t = performance.now();
        await fn();
        best = Math.min(best, performance.now() - t);
      }
      row.push(`${label} ${best.toFixed(2)} ms`);
    }
    console.log(`2^${lg} (${ak.cpu.isa()}, ${ak.cpu.threads()} threads): ${row.join(', ')}`);
  }
})();
