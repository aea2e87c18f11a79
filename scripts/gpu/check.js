#!/usr/bin/env node
// The device half of scripts/gpu-check.sh, run from gpu-bundle/: the exhaustive accuracy check
// (all 2^32 float32 inputs of every row of test/table.ts, forward and backward with dy = 1,
// against a double reference on the device) and a quick GPU benchmark (cudaTimeKernel: every
// activation against relu and a device-to-device copy). Writes JSON and Markdown to
// bench/results/. Exits 1 if any function breaks the DESIGN §4 bound.

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const ak = require(path.join(root, 'lib'));
const { native } = require(path.join(root, 'lib', 'native'));
const { rows } = require(path.join(root, 'test', 'table'));

const device = 0;
const status = ak.cuda.status();
if (!status.available) {
  console.error(`gpu-check: CUDA is not available: ${status.reason}`);
  process.exit(3);
}
const gpu = status.devices[device];
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const results = { date: new Date().toISOString(), device: gpu, accuracy: [], bench: [] };

console.log(`== exhaustive accuracy on ${gpu.name} (sm ${gpu.computeCapability}): 2^32 inputs a pass`);
let broken = 0;
for (const { name, fn, maxUlp } of rows) {
  for (const pass of ['forward', 'backward']) {
    const start = Date.now();
    const r = native().cudaCheckEveryInput(fn.code, pass, maxUlp, device);
    const ok = r.over === 0;
    if (!ok) broken++;
    results.accuracy.push({ name, pass, maxUlp, worstUlp: r.worst, worstX: r.worstX, over: r.over, ok });
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(26)} ${pass.padEnd(8)} worst ${r.worst.toFixed(3)} ulp at x = ${r.worstX}` +
        `${ok ? '' : `, ${r.over} inputs over ${maxUlp} ulp`} (${Date.now() - start} ms)`,
    );
  }
}

const quick = !process.argv.includes('--full');
const sizes = quick ? [2 ** 26] : [2 ** 24, 2 ** 26, 2 ** 28];
const iterations = quick ? 20 : 100;
const functions = [
  ['relu', ak.relu],
  ['mish', ak.mish],
  ['swish', ak.swish],
  ['hardSwish', ak.hardSwish],
  ['hardMish', ak.hardMish],
  ['hMish', ak.hMish],
  ['approxMish', ak.approxMish],
  ['linearSwish', ak.linearSwish],
  ['aptx', ak.aptx],
  ['blend(mish, relu, 0.5)', ak.blend(ak.mish, ak.relu, 0.5)],
  ['gelu', ak.gelu],
  ['geluTanh', ak.geluTanh],
  ['sigmoid', ak.sigmoid],
  ['tanh', ak.tanh],
  ['softplus', ak.softplus],
  ['elu', ak.elu],
  ['selu', ak.selu],
  ['leakyRelu', ak.leakyRelu],
];
console.log(`== GPU benchmark (${quick ? 'quick' : 'full'}): ms per call, ${iterations} calls after a warm-up`);
for (const n of sizes) {
  const copy = native().cudaTimeKernel('copy', ak.relu.code, n, iterations, device);
  const copyBandwidth = (8 * n) / copy / 1e6; // GB/s: read n floats, write n floats
  console.log(`n = 2^${Math.log2(n)}: copy ${copy.toFixed(4)} ms (${copyBandwidth.toFixed(0)} GB/s)`);
  const reluMs = {};
  for (const pass of ['forward', 'backward']) {
    reluMs[pass] = native().cudaTimeKernel(pass, ak.relu.code, n, iterations, device);
  }
  for (const [name, fn] of functions) {
    for (const pass of ['forward', 'backward']) {
      const ms = name === 'relu' ? reluMs[pass] : native().cudaTimeKernel(pass, fn.code, n, iterations, device);
      const bytes = (pass === 'forward' ? 8 : 12) * n;
      const bandwidth = bytes / ms / 1e6;
      const row = {
        n,
        name,
        pass,
        ms,
        gbPerS: bandwidth,
        vsRelu: ms / reluMs[pass],
        ofCopyBandwidth: bandwidth / copyBandwidth,
      };
      results.bench.push(row);
      console.log(
        `  ${name.padEnd(24)} ${pass.padEnd(8)} ${ms.toFixed(4)} ms  ${bandwidth.toFixed(0).padStart(5)} GB/s  ` +
          `${row.vsRelu.toFixed(3)}x relu  ${(100 * row.ofCopyBandwidth).toFixed(1)}% of copy`,
      );
    }
  }
  results.bench.push({ n, name: 'copy', pass: 'copy', ms: copy, gbPerS: copyBandwidth });
}
for (const pass of ['paramGrad']) {
  const n = sizes[0];
  const ms = native().cudaTimeKernel(pass, ak.aptx.code, n, iterations, device);
  results.bench.push({ n, name: 'aptx', pass, ms, gbPerS: (8 * n) / ms / 1e6 });
  console.log(`  aptx paramGrad n = 2^${Math.log2(n)}: ${ms.toFixed(4)} ms`);
}

const dir = path.join(root, 'bench', 'results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `gpu-check-${stamp}`);
fs.writeFileSync(`${file}.json`, `${JSON.stringify(results, null, 2)}\n`);
const md = [
  `# gpu-check ${results.date}`,
  '',
  `${gpu.name}, compute capability ${gpu.computeCapability}, ${(gpu.totalMemory / 2 ** 30).toFixed(0)} GiB`,
  '',
  '## Exhaustive accuracy (2^32 inputs, dy = 1)',
  '',
  '| function | pass | worst ulp | at x | inputs over bound |',
  '| --- | --- | --- | --- | --- |',
  ...results.accuracy.map((a) => `| ${a.name} | ${a.pass} | ${a.worstUlp.toFixed(3)} | ${a.worstX} | ${a.over} |`),
  '',
  '## Benchmark',
  '',
  '| n | function | pass | ms | GB/s | vs relu | of copy bandwidth |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...results.bench.map(
    (b) =>
      `| 2^${Math.log2(b.n)} | ${b.name} | ${b.pass} | ${b.ms.toFixed(4)} | ${b.gbPerS.toFixed(0)} | ` +
      `${b.vsRelu ? b.vsRelu.toFixed(3) : ''} | ${b.ofCopyBandwidth ? `${(100 * b.ofCopyBandwidth).toFixed(1)}%` : ''} |`,
  ),
  '',
];
fs.writeFileSync(`${file}.md`, md.join('\n'));
console.log(`gpu-check: results in bench/results/${path.basename(file)}.{json,md}`);
process.exit(broken ? 1 : 0);
