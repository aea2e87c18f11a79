#!/usr/bin/env node
// Where splitting a host call over threads starts to pay: times relu and mish forward with 1
// and 2 threads across sizes, with the threshold forced to 0 so that every size is split.
// kParallelThreshold in cpp/cpu/compute.h comes from the crossover this prints.
//   node scripts/measure/measure-threshold.js    (after npm run build)
const { spawnSync } = require('node:child_process');

if (process.env.ACTIVATION_KERNELS_PARALLEL_THRESHOLD === undefined) {
  const env = { ...process.env, ACTIVATION_KERNELS_PARALLEL_THRESHOLD: '0' };
  const r = spawnSync(process.execPath, [__filename], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

const ak = require('../dist');

// Fastest time of one call, in microseconds (the least disturbed by other load), over 9 rounds
// of enough repetitions to fill ~4 ms.
function time(fn, x, out) {
  fn.forward(x, { out });
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn.forward(x, { out });
    if (Number(process.hrtime.bigint() - t0) > 4e6) break;
    reps *= 2;
  }
  const samples = [];
  for (let s = 0; s < 9; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn.forward(x, { out });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / reps);
  }
  return Math.min(...samples);
}

const threads = Math.min(2, ak.cpu.threads());
console.log(`isa ${ak.cpu.isa()}, 1 vs ${threads} threads, fastest microseconds per call`);
console.log('size      relu 1T   relu 2T   ratio   mish 1T   mish 2T   ratio');
// Below 2 blocks (2 x 2^14) there is nothing to split.
for (let log = 15; log <= 20; log++) {
  for (const n of [2 ** log, 3 * 2 ** (log - 1)]) {
    if (n > 2 ** 20) continue;
    const x = Float32Array.from({ length: n }, (_, i) => ((i % 2001) - 1000) / 100);
    const out = new Float32Array(n);
    const row = [String(n).padEnd(8)];
    for (const fn of [ak.relu, ak.mish]) {
      ak.cpu.setThreads(1);
      const one = time(fn, x, out);
      ak.cpu.setThreads(threads);
      const two = time(fn, x, out);
      row.push(one.toFixed(1).padStart(9), two.toFixed(1).padStart(9), (one / two).toFixed(2).padStart(7));
    }
    console.log(row.join(' '));
  }
}
