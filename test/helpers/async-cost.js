// async mish at 2^20 and 2^24: fresh result, out: x, out: other; best of reps
const ak = require(process.argv[2] || '/work/wt-safe/dist');
(async () => {
  for (const lg of [20, 24]) {
    const n = 1 << lg;
    const x = Float32Array.from({ length: n }, (_, i) => ((i % 20001) - 10000) / 1000);
    const o = new Float32Array(n);
    const reps = lg === 20 ? 41 : 9;
    const row = [];
    for (const [label, fn] of [
      ['fresh', () => ak.mish.forwardAsync(x)],
      ['out', () => ak.mish.forwardAsync(x, { out: o })],
      ['sync', () => ak.mish.forward(x, { out: o })],
    ]) {
      let best = Infinity;
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
