#!/usr/bin/env node
// Host speed figures for docs/threads.md: 2^24-element mish forward on 1 thread and on every thread, and
// how long an async call of that size blocks the event loop (the synchronous part of the call,
// and the longest gap between ticks of a 1 ms interval while it runs).
//   node scripts/measure-async.js    (after npm run build)
const ak = require('../dist');

const n = 1 << 24;
const x = Float32Array.from({ length: n }, (_, i) => ((i % 20001) - 10000) / 1000);
const out = new Float32Array(n);

function best(reps, fn) {
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const all = ak.cpu.threads();
ak.cpu.setThreads(1);
const one = best(5, () => ak.mish.forward(x, { out }));
ak.cpu.setThreads(all);
const many = best(5, () => ak.mish.forward(x, { out }));
console.log(`isa ${ak.cpu.isa()}, mish forward of 2^24 elements, fastest of 5:`);
console.log(`  1 thread   ${one.toFixed(1)} ms`);
console.log(`  ${all} threads  ${many.toFixed(1)} ms  (${(one / many).toFixed(2)}x)`);

(async () => {
  for (const threads of [1, all]) {
    ak.cpu.setThreads(threads);
    let last = performance.now();
    let gap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      ticks++;
    }, 1);
    await new Promise((r) => setTimeout(r, 20)); // the interval is running
    gap = 0;
    last = performance.now();
    const t0 = performance.now();
    const pending = ak.mish.forwardAsync(x, { out });
    const syncPart = performance.now() - t0;
    ticks = 0;
    await pending;
    const total = performance.now() - t0;
    clearInterval(timer);
    console.log(
      `async, ${threads} thread(s): ${total.toFixed(1)} ms in all; the call itself blocked ` +
        `${syncPart.toFixed(3)} ms; ${ticks} ticks of the 1 ms interval meanwhile, longest gap ${gap.toFixed(2)} ms`,
    );
  }
})();
