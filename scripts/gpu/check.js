#!/usr/bin/env node
// The device stages of scripts/gpu-check.sh, run from gpu-bundle/. Each writes its results into
// --out DIR as it goes, so that a failure or a time-out keeps what was done:
//   accuracy   every float32 input (2^32) of every row of test/table.ts and a nested blend,
//              forward and backward (dy = 1), through the functions the kernels run (single op,
//              two-op blend, interpreter), against a double reference on the device:
//              accuracy.json after every pass; exits 1 if any breaks the docs/targets.md bound
//   timings    every bench case (bench/cases.ts) forward, backward (paramGrad where it has one)
//              and a device-to-device copy at --sizes (default 24,26,28), cudaTimeKernel as in
//              `npm run bench`: timings.json after every size
//   report     timings.json with torch.json (scripts/gpu/torch_peers.py) beside it, accuracy.json,
//              tests.json, nvidia-smi.txt and stages.tsv, whichever exist: gpu-check.json (the
//              bench's results schema) and gpu-check.md
//   node scripts/gpu/check.js accuracy|timings|report --out DIR [--sizes 24,26,28] [--device 0]

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

function parse(argv) {
  const o = { stage: argv[0], out: null, sizes: [24, 26, 28], device: 0 };
  for (let i = 1; i < argv.length; i++) {
    const v = argv[++i];
    if (argv[i - 1] === '--out') o.out = v;
    else if (argv[i - 1] === '--sizes')
      o.sizes = String(v)
        .split(',')
        .map((s) => Number(s.replace(/^2\^/, '')));
    else if (argv[i - 1] === '--device') o.device = Number(v);
    else throw new RangeError(`check.js: unknown option ${argv[i - 1]}`);
  }
  if (!['accuracy', 'timings', 'report'].includes(o.stage))
    throw new RangeError(`check.js: expected accuracy, timings or report but received ${o.stage}`);
  if (!o.out) throw new RangeError('check.js: expected --out DIR');
  if (!o.sizes.every((p) => Number.isInteger(p) && p >= 10 && p <= 30))
    throw new RangeError('check.js: expected --sizes as powers of two in [10, 30], e.g. 24,26,28');
  fs.mkdirSync(o.out, { recursive: true });
  return o;
}

const write = (file, doc) => fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined);

function gpu(device) {
  const ak = require(path.join(root, 'lib'));
  const status = ak.cuda.status();
  if (!status.available) {
    console.error(`gpu-check: CUDA is not available here: ${status.reason}`);
    process.exit(3);
  }
  return { ak, native: require(path.join(root, 'lib', 'native')).native(), info: status.devices[device] };
}

// Which kernel a program runs (cuda/device_ops.cuh dispatch): code is 4 doubles a node, pre-order.
function kernelOf(code) {
  if (code.length === 4) return 'single op';
  if (code.length === 12 && code[4] !== 100 && code[8] !== 100) return 'two-op blend';
  return 'interpreter';
}

function accuracy(o) {
  const { ak, native, info } = gpu(o.device);
  const { rows, parameterRows } = require(path.join(root, 'test', 'table'));
  const nested = ak.blend(ak.blend(ak.mish, ak.relu, 0.5), ak.hardMish, 0.3);
  // the defaults first, then the table's parameter sets: together they stand for the 10^7-input
  // sweeps of test/cuda-accuracy.test.ts, which would check on this machine's CPU.
  const all = [...rows, { name: 'blend (blend mish relu 0.5) hardMish 0.3', fn: nested, maxUlp: 4 }, ...parameterRows];
  const doc = { date: new Date().toISOString(), device: info, finished: false, rows: [] };
  const file = path.join(o.out, 'accuracy.json');
  console.log(`exhaustive accuracy on ${info.name} (sm ${info.computeCapability}): 2^32 inputs a pass`);
  let broken = 0;
  for (const { name, fn, maxUlp: forwardUlp, backwardUlp } of all)
    for (const pass of ['forward', 'backward']) {
      // test/table.ts's bound of this pass (backwardUlp: 4 but where an excess is documented)
      const maxUlp = pass === 'backward' ? (backwardUlp ?? forwardUlp) : forwardUlp;
      const start = Date.now();
      const r = native.cudaCheckEveryInput(fn.code, pass, maxUlp, o.device);
      const ok = r.over === 0;
      if (!ok) broken++;
      const seconds = (Date.now() - start) / 1e3;
      const kernel = kernelOf(fn.code);
      doc.rows.push({ name, pass, kernel, maxUlp, worstUlp: r.worst, worstX: r.worstX, over: r.over, ok, seconds });
      write(file, doc);
      console.log(
        `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(42)} ${pass.padEnd(8)} ${kernel.padEnd(12)} worst ${r.worst.toFixed(3)} ulp at x = ${r.worstX}` +
          `${ok ? '' : `, ${r.over} inputs over ${maxUlp} ulp`} (${seconds.toFixed(1)} s)`,
      );
    }
  doc.finished = true;
  write(file, doc);
  return broken ? 1 : 0;
}

function timings(o) {
  const { native, info } = gpu(o.device);
  const { cases } = require(path.join(root, 'bench', 'cases'));
  const { cacheResident, deriveRows } = require(path.join(root, 'bench', 'results'));
  const file = path.join(o.out, 'timings.json');
  const measured = [];
  const doc = { date: new Date().toISOString(), device: info, finished: false, rows: [] };
  // The bench's kernelMs: a probe, then about 50 ms of back-to-back launches, median of three.
  const kernelMs = (pass, code, n) => {
    const probe = native.cudaTimeKernel(pass, code, n, 3, o.device);
    const iterations = Math.min(2000, Math.max(5, Math.ceil(50 / probe)));
    return [0, 1, 2].map(() => native.cudaTimeKernel(pass, code, n, iterations, o.device)).sort((a, b) => a - b)[1];
  };
  const all = cases();
  const relu = all.find((c) => c.name === 'relu');
  for (const p of o.sizes) {
    const n = 2 ** p;
    const at = (pass) => ({
      backend: 'cuda',
      threads: 1,
      n,
      ...(cacheResident(pass, n, info.l2CacheSize) ? { cacheResident: true } : {}),
    });
    measured.push({ ...at('forward'), activation: 'copy', pass: 'forward', ms: kernelMs('copy', relu.fn.code, n) });
    for (const c of all)
      for (const pass of c.paramRef ? ['forward', 'backward', 'paramGrad'] : ['forward', 'backward']) {
        const ms = kernelMs(pass, c.fn.code, n);
        measured.push({ ...at(pass), activation: c.name, pass, ms });
        console.log(`  ${c.name.padEnd(26)} ${pass.padEnd(9)} 2^${p}: ${ms.toFixed(4)} ms`);
      }
    doc.rows = deriveRows(measured);
    write(file, doc);
  }
  doc.finished = true;
  write(file, doc);
  return 0;
}

// The GPU's name and driver from nvidia-smi.txt's CSV query (show_smi in scripts/gpu-check.sh).
function smiOf(file) {
  if (!fs.existsSync(file)) return {};
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const head = lines.findIndex((l) => l.startsWith('name, driver_version'));
  if (head < 0 || !lines[head + 1]) return {};
  const [gpu, driver, memory, smClock, memClock] = lines[head + 1].split(',').map((v) => v.trim());
  return { gpu, driver, memory, smClock, memClock };
}

function report(o) {
  const { checkedPeers, comparison, markdown, torchVerdict } = require('./report');
  const { verdicts, BYTES_NOTE } = require(path.join(root, 'bench', 'results'));
  const { cases } = require(path.join(root, 'bench', 'cases'));
  const timed = read(path.join(o.out, 'timings.json'));
  const acc = read(path.join(o.out, 'accuracy.json'));
  const tests = read(path.join(o.out, 'tests.json'));
  const stagesFile = path.join(o.out, 'stages.tsv');
  const stages = fs.existsSync(stagesFile)
    ? fs
        .readFileSync(stagesFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name, status, seconds] = line.split('\t');
          return { name, status, seconds: Number(seconds) };
        })
    : [];
  const all = cases();
  const refOf = (name) => all.find((c) => c.name === name)?.ref;
  const { peers, notes } = checkedPeers(read(path.join(o.out, 'torch.json')), refOf);
  const rows = timed?.rows ?? [];
  const device = timed?.device ?? acc?.device ?? {};
  const smi = smiOf(path.join(o.out, 'nvidia-smi.txt'));
  if (timed && !timed.finished) notes.push('the timings stage did not finish: the sizes it did are here');
  if (acc && !acc.finished) notes.push('the accuracy stage did not finish: the passes it did are here');
  if (!timed) notes.push('no timings: the timings stage did not run or wrote nothing');
  notes.push(
    'ours: the addon cudaTimeKernel, CUDA events around back-to-back launches on buffers it fills itself, as npm run bench; copy is cudaMemcpyAsync device to device',
  );
  const compared = comparison(rows, peers);
  const os = require('node:os');
  // The bench's results schema (bench/results.ts Results): rows with backend 'cuda', vsRelu and
  // vsCopy, PyTorch in peers, so that npm run bench:chart draws it; the GPU check's own parts
  // (stages, tests, the exhaustive table, ours beside torch) beside them.
  const doc = {
    kind: 'gpu-check',
    machine: {
      cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
      isa: 'cuda',
      threads: 1,
      gpu: device.name ?? smi.gpu ?? null,
      driver: smi.driver ?? null,
      computeCapability: device.computeCapability ?? null,
      totalMemory: device.totalMemory ?? null,
      l2CacheSize: device.l2CacheSize ?? null,
      node: process.version,
    },
    date: new Date().toISOString(),
    mode: 'gpu-check',
    bytes: BYTES_NOTE,
    stages,
    tests: tests
      ? { passed: tests.passed, failed: tests.failed, skipped: tests.skipped, finished: tests.finished }
      : null,
    deviceAccuracy: acc?.rows ?? [],
    rows,
    peers,
    comparison: compared,
    verdicts: [...verdicts(rows, []).filter((v) => v.target.startsWith('GPU')), torchVerdict(compared)],
    notes,
  };
  write(path.join(o.out, 'gpu-check.json'), doc);
  fs.writeFileSync(path.join(o.out, 'gpu-check.md'), markdown(doc));
  console.log(`gpu-check: ${path.join(o.out, 'gpu-check.json')} and .md`);
  for (const v of doc.verdicts)
    console.log(`  ${v.met === null ? 'not measured' : v.met ? 'met' : 'NOT MET'}: ${v.target} (${v.measured})`);
  return 0;
}

try {
  const o = parse(process.argv.slice(2));
  process.exitCode = { accuracy, timings, report }[o.stage](o);
} catch (e) {
  console.error(e?.stack ?? e);
  process.exitCode = 1;
}
