// The GPU bundle's own machinery, checked without a GPU: the vitest stand-in (it.each,
// toBeNull, every matcher the GPU suites use: they run under it here over the fake device),
// run-tests.js failing on a test that never settles, and the report that puts PyTorch's times
// beside ours (its calls checked against the double references, with torch itself where it is
// installed). scripts/gpu-check.sh runs the rest on a GPU.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSchema } from '../bench/results';
import { cuda } from '../lib';
import { native } from '../lib/native';
import { hardGateRef, mishRef, type Reference, reluRef, swishRef } from '../reference/reference';
import { skipped } from './helpers/skip';
import { parameterRows, rows } from './table';

const root = path.join(__dirname, '..');
const requireCjs = createRequire(__filename);

// A folder laid out like gpu-bundle/ for the shim and the runner.
// files transpiled into the bundle as scripts/gpu-bundle.sh does, beside this build's addon
function transpileWithAddon(dir: string, files: string[]): void {
  const t = spawnSync(process.execPath, [path.join(root, 'scripts/gpu/transpile.js'), dir, ...files], {
    encoding: 'utf8',
  });
  expect(t.status, t.stderr).toBe(0);
  fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
  fs.copyFileSync(
    path.join(root, 'build/Release/activation_kernels.node'),
    path.join(dir, 'build/Release/activation_kernels.node'),
  );
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
}

// The library's and the bench's TypeScript, as the bundle carries them.
function libraryFiles(): string[] {
  return ['lib', 'bench'].flatMap((d) =>
    fs
      .readdirSync(path.join(root, d))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${d}/${f}`),
  );
}

function bundleLike(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ak-bundle-test-'));
  fs.mkdirSync(path.join(dir, 'node_modules', 'vitest'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'scripts', 'gpu'), { recursive: true });
  fs.copyFileSync(path.join(root, 'scripts/gpu/vitest-shim.js'), path.join(dir, 'node_modules/vitest/index.js'));
  fs.copyFileSync(path.join(root, 'scripts/gpu/run-tests.js'), path.join(dir, 'scripts/gpu/run-tests.js'));
  return dir;
}

const runTests = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['scripts/gpu/run-tests.js', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

describe('the vitest stand-in of gpu-bundle/', () => {
  it('has it.each with printf-style names, and toBeNull', async () => {
    const dir = bundleLike();
    const shim = requireCjs(path.join(dir, 'node_modules/vitest/index.js'));
    const seen: unknown[] = [];
    shim.describe('d', () => {
      shim.it.each([{ batch: 1 }, { batch: 7 }])('shape %o', (s: unknown) => seen.push(s));
      shim.it.each([
        [2, 'two'],
        [3, 'three'],
      ])('%d is %s (row %#)', (n: number, s: string) => seen.push([n, s]));
    });
    expect(shim.tests.map((t: { name: string }) => t.name)).toEqual([
      'd > shape {"batch":1}',
      'd > shape {"batch":7}',
      'd > 2 is two (row 0)',
      'd > 3 is three (row 1)',
    ]);
    for (const t of shim.tests) await t.body();
    expect(seen).toEqual([{ batch: 1 }, { batch: 7 }, [2, 'two'], [3, 'three']]);
    expect(() => shim.expect(null).toBeNull()).not.toThrow();
    expect(() => shim.expect(0).toBeNull()).toThrow('expected 0 to be null');
    expect(() => shim.expect({}).not.toBeNull()).not.toThrow();
    expect(() => shim.expect(null, 'alpha').not.toBeNull()).toThrow('alpha: expected null not to be null');
    expect(() => shim.expect.fail('dx[3] = 1, reference 2')).toThrow('dx[3] = 1, reference 2');
  });

  it('run-tests.js fails a test whose promise never settles, and says so in tests.json', () => {
    const dir = bundleLike();
    fs.writeFileSync(
      path.join(dir, 'cases.test.js'),
      `const { it, expect } = require('vitest');
it('passes', async () => expect(1).toBe(1));
it('never settles', () => new Promise(() => {}));
it('fails', () => expect(1).toBe(2));
it.skipIf(true)('is skipped', () => {});`,
    );
    const r = runTests(dir, '--timeout', '1', '--json', 'tests.json', 'cases.test.js');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('  ok    passes');
    expect(r.stdout).toContain('  FAIL  never settles\n        Error: the test did not settle within 1 s');
    expect(r.stdout).toContain('tests: 1 passed, 2 failed, 1 skipped');
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'tests.json'), 'utf8'));
    expect(json).toMatchObject({ passed: 1, failed: 2, skipped: 1, finished: true });
    expect(json.tests[1]).toMatchObject({ name: 'never settles', status: 'failed' });
    expect(runTests(dir).stderr).toContain('run-tests: expected test files');
  });

  it('runs the GPU suites (GpuArray and the APTx layer) over the fake device', () => {
    const dir = bundleLike();
    const files = [
      ...fs
        .readdirSync(path.join(root, 'lib'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `lib/${f}`),
      'test/cuda-fake.test.ts',
      'test/fake-cuda.ts',
      'test/cuda-suite.ts',
      'test/aptx-layer-gpu-suite.ts',
      'test/aptx-layer-reference.ts',
    ];
    transpileWithAddon(dir, files);
    const r = runTests(dir, 'test/cuda-fake.test.js');
    expect(r.stdout).toMatch(/tests: \d+ passed, 0 failed, \d+ skipped/);
    expect(r.stdout).toContain(
      'forward and backward match the double reference ({"batch":33,"inputs":50,"outputs":17})',
    );
    expect(r.stdout).toContain('trainAlpha: false gives a null alpha gradient');
    expect(r.status).toBe(0);
  });

  // The fake's exhaustive check is the real addon's host comparison: a CUDA build's.
  const compiled = typeof native().cudaCheckInputsOnHost === 'function';
  it.skipIf(!compiled)(
    `check.js's accuracy, timings and report stages over the fake device${skipped(!compiled, 'the addon was built without CUDA')}`,
    () => {
      const dir = bundleLike();
      const files = [
        ...libraryFiles(),
        'test/fake-cuda.ts',
        'reference/reference.ts',
        'reference/half.ts',
        'test/table.ts',
      ];
      transpileWithAddon(dir, files);
      for (const f of ['check.js', 'report.js'])
        fs.copyFileSync(path.join(root, 'scripts/gpu', f), path.join(dir, 'scripts/gpu', f));
      const out = path.join(dir, 'out');
      // check.js with the fake device installed first (argv as if run as `node check.js ...`)
      const stage = (...args: string[]) =>
        spawnSync(
          process.execPath,
          [
            '-e',
            "require('./test/fake-cuda').installFakeCuda(); process.argv.splice(1, 1, 'check.js'); require('./scripts/gpu/check.js')",
            'x',
            ...args,
            '--out',
            out,
          ],
          { cwd: dir, encoding: 'utf8', timeout: 120_000 },
        );
      const acc = stage('accuracy');
      expect(acc.status, acc.stderr).toBe(0);
      const accuracy = JSON.parse(fs.readFileSync(path.join(out, 'accuracy.json'), 'utf8'));
      expect(accuracy.finished).toBe(true);
      // test/table.ts's defaults, a nested blend, and the table's parameter sets
      expect(accuracy.rows).toHaveLength(2 * (rows.length + 1 + parameterRows.length));
      expect(new Set(accuracy.rows.map((r: { kernel: string }) => r.kernel))).toEqual(
        new Set(['single op', 'two-op blend', 'interpreter']),
      );
      expect(accuracy.rows.every((r: { ok: boolean }) => r.ok)).toBe(true);
      const tim = stage('timings', '--sizes', '20,24');
      expect(tim.status, tim.stderr).toBe(0);
      const timings = JSON.parse(fs.readFileSync(path.join(out, 'timings.json'), 'utf8'));
      expect(timings.finished).toBe(true);
      const mish = timings.rows.filter(
        (r: { activation: string; pass: string }) => r.activation === 'mish' && r.pass === 'forward',
      );
      expect(mish.map((r: { n: number; cacheResident?: boolean }) => [r.n, r.cacheResident ?? false])).toEqual([
        [2 ** 20, true], // 8 MiB of x and y in the fake's 50 MiB L2
        [2 ** 24, false],
      ]);
      fs.writeFileSync(
        path.join(out, 'torch.json'),
        JSON.stringify({
          torch: '2.11.0',
          peers: [
            {
              name: 'torch',
              version: '2.11.0',
              backend: 'cuda',
              activation: 'copy',
              pass: 'forward',
              n: 2 ** 24,
              ms: 2,
            },
          ],
        }),
      );
      fs.writeFileSync(path.join(out, 'stages.tsv'), 'tests\tpassed\t12.5\t0\n');
      const rep = stage('report');
      expect(rep.status, rep.stderr).toBe(0);
      const doc = JSON.parse(fs.readFileSync(path.join(out, 'gpu-check.json'), 'utf8'));
      expect(doc.stages).toEqual([{ name: 'tests', status: 'passed', seconds: 12.5 }]);
      expect(doc.comparison).toEqual([
        { n: 2 ** 24, activation: 'copy', pass: 'forward', ours: 1, torch: 2, ratio: 0.5 },
      ]);
      expect(doc.peers[0]).toMatchObject({ name: 'torch', backend: 'cuda', pass: 'forward' });
      expect(doc.deviceAccuracy).toHaveLength(accuracy.rows.length);
      checkSchema(doc); // npm run bench:chart draws it
      const md = fs.readFileSync(path.join(out, 'gpu-check.md'), 'utf8');
      expect(md).toContain('| 2^20 (in L2) | mish | forward |');
      expect(md).toContain('| blend (blend mish relu 0.5) hardMish 0.3 | backward | interpreter |');
      expect(md).toContain('| 2^24 | copy | forward | 1.0000 | 2.0000 | 0.500 |');
      expect(stage('bogus').stderr).toContain('check.js: expected accuracy, timings or report but received bogus');
    },
  );
});

const report = requireCjs('../scripts/gpu/report.js');
const refs: Record<string, Reference> = {
  relu: reluRef,
  mish: mishRef(),
  silu: swishRef(1),
  hardSwish: hardGateRef(3, 6),
};
const refOf = (name: string) => refs[name];
// Python without the sanitizer run's preloaded libasan (npm run test:sanitize), which is for node.
const pythonEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD'));

describe('the GPU report: PyTorch beside ours', () => {
  const x = Array.from({ length: 97 }, (_, i) => -8 + i / 6);
  const sampled = (wrongKey?: string) => {
    const values: Record<string, number[]> = {};
    for (const [name, r] of Object.entries(refs))
      for (const pass of ['forward', 'backward']) {
        const key = `${name} ${pass}`;
        values[key] = x.map((v) => (pass === 'forward' ? r.f(v) : r.df(v)) * (key === wrongKey ? 1.01 : 1));
      }
    return { x, values };
  };
  const peer = (activation: string, pass: string, n: number, ms: number) => ({
    name: 'torch',
    version: '2.11.0',
    backend: 'cuda',
    activation,
    pass,
    n,
    ms,
    how: '',
  });
  const torchDoc = (wrongKey?: string) => ({
    torch: '2.11.0',
    torchCuda: '13.0',
    device: 'NVIDIA H200',
    samples: sampled(wrongKey),
    peers: [
      peer('mish', 'forward', 2 ** 26, 1.2),
      peer('mish', 'backward', 2 ** 26, 1.5),
      peer('copy', 'forward', 2 ** 26, 1),
    ],
  });

  it("keeps torch's times only for calls that give the right values", () => {
    const ok = report.checkedPeers(torchDoc(), refOf);
    expect(ok.peers.map((p: { activation: string; pass: string }) => `${p.activation} ${p.pass}`)).toEqual([
      'mish forward',
      'mish backward',
      'copy forward',
    ]);
    const bad = report.checkedPeers(torchDoc('mish backward'), refOf);
    expect(bad.peers).toHaveLength(2);
    expect(bad.notes).toContain(
      'torch mish backward: worst relative error 1.0e-2 on [-8, 8], WRONG: its times are left out',
    );
    expect(report.checkedPeers(undefined, refOf)).toEqual({ peers: [], notes: ['PyTorch: not run'] });
    expect(report.checkedPeers({ reason: 'torch not importable: x', peers: [] }, refOf).notes).toEqual([
      'PyTorch: torch not importable: x',
    ]);
  });

  it('puts ours beside torch, judges >= 2^26, and writes the Markdown', () => {
    const row = (activation: string, pass: string, n: number, ms: number) => ({
      backend: 'cuda',
      threads: 1,
      activation,
      pass,
      n,
      ms,
    });
    const rows = [
      row('mish', 'forward', 2 ** 26, 1.0),
      row('mish', 'backward', 2 ** 26, 1.8),
      row('copy', 'forward', 2 ** 26, 0.9),
    ];
    const { peers } = report.checkedPeers(torchDoc(), refOf);
    const c = report.comparison(rows, peers);
    expect(c.map((e: { ratio: number }) => e.ratio.toFixed(3))).toEqual(['0.900', '1.200', '0.833']);
    expect(report.torchVerdict(c)).toEqual({
      target: "GPU, >= 2^26: every forward and backward no slower than PyTorch's kernel for the same function",
      met: false,
      measured: "worst mish backward at 2^26: 1.200x torch's time",
    });
    expect(report.torchVerdict([]).met).toBeNull();
    const md = report.markdown({
      date: 'd',
      machine: { gpu: 'NVIDIA H200' },
      rows,
      peers,
      stages: [{ name: 'tests', status: 'passed', seconds: 3 }],
    });
    expect(md).toContain('| n | activation | pass | ours ms | torch ms | ours/torch |');
    expect(md).toContain('| 2^26 | mish | backward | 1.8000 | 1.5000 | 1.200 |');
    expect(md).toContain('| tests | passed | 3.0 |');
  });

  // The script's own calls (F.* and torch.ops.aten.*_backward), run on the CPU where torch is
  // installed: the same values the GPU run checks before it shows a time.
  const python = ['python3', '/usr/bin/python3'].find(
    (p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8', env: pythonEnv }).status === 0,
  );
  it.skipIf(!python)("torch_peers.py's calls give the reference values (torch on the CPU)", () => {
    const r = spawnSync(
      python as string,
      ['-c', 'import json, torch, torch_peers; print(json.dumps(torch_peers.samples(torch, torch.device("cpu"))))'],
      { cwd: path.join(root, 'scripts/gpu'), encoding: 'utf8', env: pythonEnv },
    );
    expect(r.status, r.stderr).toBe(0);
    const errors = report.peerErrors(JSON.parse(r.stdout), refOf);
    expect(Object.keys(errors).sort()).toEqual(
      Object.keys(refs)
        .flatMap((k) => [`${k} backward`, `${k} forward`])
        .sort(),
    );
    for (const [key, e] of Object.entries(errors)) expect(e, key).toBeLessThanOrEqual(report.PEER_TOLERANCE);
  });

  it('torch_peers.py checks its arguments and says why it has no times', () => {
    const script = path.join(root, 'scripts/gpu/torch_peers.py');
    const py = python ?? 'python3';
    const bad = spawnSync(py, [script, '--out', 'x.json', '--sizes', '24,x'], { encoding: 'utf8', env: pythonEnv });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Expected a size like 24 or 2^24 for --sizes but received "x"');
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ak-torch-')), 'torch.json');
    const r = spawnSync(py, [script, '--out', out, '--sizes', '2^24'], { encoding: 'utf8', env: pythonEnv });
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    if (r.status === 3) {
      expect(doc.peers).toEqual([]);
      expect(doc.reason).toMatch(/^torch (not importable: |.* sees no CUDA device 0$)/);
    } else expect(r.status).toBe(0); // a machine with torch and a GPU: times
  });
});

// scripts/gpu-check.sh itself: its plan, and whole runs in a folder laid out like gpu-bundle/
// (node.xz a wrapper around this node), over the fake device and over no device at all.
describe('scripts/gpu-check.sh', () => {
  const script = path.join(root, 'scripts/gpu-check.sh');
  const bash = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
    spawnSync('bash', [script, ...args], { encoding: 'utf8', timeout: 300_000, ...opts });

  it('--plan: the stage limits add up to at most the budget, the report last with its share kept', () => {
    for (const budget of [undefined, 200, 600]) {
      const r = bash(budget === undefined ? ['--plan'] : ['--plan', '--budget', String(budget)]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const plan = JSON.parse(lines[0]);
      const sum = plan.stages.reduce((s: number, st: { limit: number }) => s + st.limit, 0);
      expect(plan.budget).toBe(budget ?? 330);
      expect(plan.sum).toBe(sum);
      expect(sum).toBeLessThanOrEqual(plan.budget);
      expect(plan.fits).toBe(true);
      expect(plan.stages.map((s: { name: string }) => s.name)).toEqual([
        'nvidia-smi',
        'node',
        'status',
        'tests',
        'accuracy',
        'timings',
        'torch',
        'report',
      ]);
      expect(plan.stages.at(-1).limit).toBe(plan.reserved.report);
      expect(plan.reserved.report).toBeGreaterThanOrEqual(5);
    }
    // the whole run, device start-up excluded, in 6 minutes
    expect(JSON.parse(bash(['--plan']).stdout).budget).toBeLessThanOrEqual(360);
    expect(bash(['--plan', '--budget', 'x']).status).toBe(2);
  });

  it('from a repository checkout it builds nothing and says how to make the bundle', () => {
    const start = Date.now();
    const r = bash([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('this is a repository checkout, not a bundle');
    expect(r.stderr).toContain('scripts/gpu-bundle.sh');
    expect(Date.now() - start).toBeLessThan(10_000);
  });

  // A bundle-like folder whose node.xz runs this node (with the fake device preloaded if asked).
  function miniBundle(fake: boolean): string {
    const dir = bundleLike();
    const files = [
      ...libraryFiles(),
      'test/cuda.test.ts',
      'test/cuda-suite.ts',
      'test/aptx-layer-gpu.test.ts',
      'test/aptx-layer-gpu-suite.ts',
      'test/aptx-layer-reference.ts',
      'test/fake-cuda.ts',
      'reference/reference.ts',
      'reference/half.ts',
      'test/table.ts',
      'test/helpers/skip.ts',
      'test/helpers/bits.ts',
    ];
    transpileWithAddon(dir, files);
    for (const f of ['check.js', 'report.js', 'torch_peers.py'])
      fs.copyFileSync(path.join(root, 'scripts/gpu', f), path.join(dir, 'scripts/gpu', f));
    fs.copyFileSync(script, path.join(dir, 'scripts/gpu-check.sh'));
    fs.writeFileSync(path.join(dir, 'fake.js'), "require('./test/fake-cuda').installFakeCuda();\n");
    const preload = fake ? ` -r "${path.join(dir, 'fake.js')}"` : '';
    const wrapper = path.join(dir, 'node-wrapper');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}"${preload} "$@"\n`);
    const xz = spawnSync('xz', ['-0', '-c', wrapper], { encoding: 'buffer' });
    expect(xz.status).toBe(0);
    fs.writeFileSync(path.join(dir, 'node.xz'), xz.stdout);
    // the addon packed as scripts/gpu-bundle.sh packs it (gpu-check.sh unpacks it beside node)
    const addon = spawnSync('xz', ['-0', '-T2', '-c', path.join(root, 'build/Release/activation_kernels.node')], {
      encoding: 'buffer',
      maxBuffer: 1 << 28,
    });
    expect(addon.status).toBe(0);
    fs.writeFileSync(path.join(dir, 'activation_kernels.node.xz'), addon.stdout);
    fs.rmSync(path.join(dir, 'build'), { recursive: true }); // the bundle has only the packed one
    fs.writeFileSync(path.join(dir, 'NODE_VERSION'), `node ${process.version} (wrapper)\n`);
    return dir;
  }
  const stagesOf = (out: string) =>
    fs
      .readFileSync(path.join(out, 'stages.tsv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 2));
  const hasXz = spawnSync('xz', ['--version']).status === 0;
  const compiledWithCuda = typeof native().cudaCheckInputsOnHost === 'function';

  it.skipIf(!hasXz || cuda.available())(
    `without a GPU it stops cleanly (exit 3, saying why) and still writes the report${skipped(!hasXz || cuda.available(), 'no xz, or a GPU is here')}`,
    () => {
      const dir = miniBundle(false);
      const out = path.join(dir, 'out');
      const r = spawnSync('bash', [path.join(dir, 'scripts/gpu-check.sh'), '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toContain('gpu-check: stopped: CUDA is not available here');
      expect(stagesOf(out)).toEqual([
        ['nvidia-smi', 'passed'],
        ['node', 'passed'],
        ['status', 'failed (exit 3)'],
        ['report', 'passed'],
      ]);
      const doc = JSON.parse(fs.readFileSync(path.join(out, 'gpu-check.json'), 'utf8'));
      checkSchema(doc);
      expect(doc.rows).toEqual([]);
    },
  );

  it.skipIf(!hasXz || !compiledWithCuda)(
    `a whole run over the fake device: results in the bench's schema, PyTorch absent is "not measured", not a failure${skipped(!hasXz || !compiledWithCuda, 'no xz, or the addon was built without CUDA')}`,
    () => {
      const dir = miniBundle(true);
      const out = path.join(dir, 'out');
      // no python3 with torch here, or one that sees no CUDA device: torch_peers.py exits 3
      const r = spawnSync('bash', [path.join(dir, 'scripts/gpu-check.sh'), '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, GPU_CHECK_SIZES: '12,14' },
      });
      expect(r.stdout, r.stderr).toContain('gpu-check: passed');
      expect(r.status).toBe(0);
      const stages = stagesOf(out);
      expect(stages.map((s) => s[0])).toEqual([
        'nvidia-smi',
        'node',
        'status',
        'tests',
        'accuracy',
        'timings',
        'torch',
        'report',
      ]);
      expect(stages.find((s) => s[0] === 'torch')?.[1]).toMatch(/^not measured \(failed \(exit 3\)\)$/);
      const doc = JSON.parse(fs.readFileSync(path.join(out, 'gpu-check.json'), 'utf8'));
      checkSchema(doc);
      expect(doc.machine.gpu).toBe('fake');
      expect(doc.stages.map((s: { name: string }) => s.name)).toContain('report');
      expect(doc.tests.failed).toBe(0);
      expect(doc.tests.skipped).toBeGreaterThan(0); // the host-side groups, left out on the device
      const mish = doc.rows.find(
        (row: { activation: string; n: number }) => row.activation === 'mish' && row.n === 2 ** 14,
      );
      expect(mish).toMatchObject({ backend: 'cuda', vsRelu: 1, vsCopy: 1 });
      expect(doc.peers).toEqual([]);
      expect(doc.verdicts.at(-1).met).toBeNull();
      const md = fs.readFileSync(path.join(out, 'gpu-check.md'), 'utf8');
      expect(md).toContain('| torch | not measured (failed (exit 3)) |');
      expect(md).toContain('PyTorch: ');
    },
  );
});

// npm run bench:sass's counting (scripts/measure/sass-count.js) on a listing written here.
describe('bench:sass: the main loop of a kernel, counted from its SASS', () => {
  const sass = requireCjs('../scripts/measure/sass-count.js');
  const dispatch = requireCjs('../scripts/measure/sass-dispatch.js');
  const listing = [
    '\t\tFunction : kernel',
    '        /*0000*/                   LDC R1, c[0x0][0x28] ;',
    '        /*0010*/                   ISETP.NE.AND P0, PT, R17, RZ, PT ;',
    '        /*0020*/              @!P0 BRA 0x100 ;',
    // a loop for shifted inputs: more loads
    '        /*0030*/                   LDG.E.128 R8, desc[UR8][R16.64] ;',
    '        /*0040*/                   LDG.E R15, desc[UR8][R16.64+0x10] ;',
    '        /*0050*/                   FADD R8, RZ, R8 ;',
    '        /*0060*/                   STG.E.128 desc[UR8][R14.64], R8 ;',
    '        /*0070*/              @!P0 BRA 0x30 ;',
    '        /*0080*/                   EXIT ;',
    // the aligned loop: two vectors an iteration, a branch inside (3 or 6 more instructions)
    '        /*0100*/                   LDG.E.128 R8, desc[UR8][R8.64] ;',
    '        /*0110*/                   LDG.E.128 R12, desc[UR8][R10.64] ;',
    '        /*0120*/                   FSETP.GEU.AND P1, PT, R8, RZ, PT ;',
    '        /*0130*/               @P1 BRA 0x170 ;',
    '        /*0140*/                   FMUL R8, R8, 0.5 ;',
    '        /*0150*/                   FMUL R8, R8, 0.5 ;',
    '        /*0160*/                   FMUL R8, R8, 0.5 ;',
    '        /*0170*/                   STG.E.128 desc[UR8][R14.64], R8 ;',
    '        /*0180*/                   STG.E.128 desc[UR8][R16.64], R12 ;',
    '        /*0190*/                   NOP ;',
    '        /*01a0*/              @!P0 BRA 0x100 ;',
    '        /*01b0*/                   EXIT ;',
  ].join('\n');

  it('picks the aligned loop, gives its shortest and longest path per element, and the budget', () => {
    const [fn] = sass.parseListing(listing);
    expect(fn.lines).toHaveLength(21);
    expect(sass.loopsOf(fn.lines)).toHaveLength(2);
    const loop = sass.mainLoop(fn);
    // 0x100..0x1a0: 7 instructions past the FMULs, 10 through them (the NOP not counted)
    expect(loop.instructions).toEqual({ min: 7, max: 10 });
    expect(loop.elements).toBe(8);
    expect(loop.loads16).toBe(2);
    expect(loop.perElement).toEqual({ min: 7 / 8, max: 10 / 8 });
    expect(
      sass.describe(
        'void ak::gpu::(anonymous namespace)::elementwise<ak::gpu::(anonymous namespace)::Map1<ak::gpu::OpFn<ak::gpu::ForwardOf, ak::cuda::Mish> > >(ak::gpu::(anonymous namespace)::Map1<ak::gpu::OpFn<ak::gpu::ForwardOf, ak::cuda::Mish> >, ak::gpu::(anonymous namespace)::Span)',
      ),
    ).toEqual({ kind: 'op', fn: 'Mish', pass: 'forward' });
    // 1.75 GHz x 132 SMs x 4 x 32 over 4.8 TB/s / 8 bytes
    expect(sass.budget('H200', 'forward')).toBeCloseTo(49.28, 2);
    expect(sass.budget('H100', 'backward')).toBeCloseTo(105.9, 1);
  });

  // a blend's loop: the op (parameter word 0x210) picks a case through a comparison (op > 1) and
  // a jump table (ops 0 and 1: the words at 4 and 8 of the kernel's constant bank 2)
  const blendListing = [
    '\t\tFunction : blend',
    '        /*0000*/                   LDC R1, c[0x0][0x28] ;',
    '        /*0100*/                   LDG.E.128 R4, desc[UR8][R2.64] ;',
    '        /*0110*/                   LDG.E.128 R8, desc[UR8][R12.64] ;',
    '        /*0120*/                   LDC R16, c[0x0][0x210] ;',
    '        /*0130*/                   ISETP.GT.AND P0, PT, R16, 0x1, PT ;',
    '        /*0140*/                @P0 BRA 0x200 ;',
    '        /*0150*/                   VIMNMX.U32 R2, R16, 0x2, PT ;',
    '        /*0160*/                   SHF.L.U32 R2, R2, 0x2, RZ ;',
    '        /*0170*/                   LDC R14, c[0x2][R2+0x4] ;',
    '        /*0180*/                   BRX R14 -0x190 ;',
    '        /*0190*/                   FADD R4, R4, R4 ;',
    '        /*01a0*/                   BRA 0x300 ;',
    '        /*01b0*/                   FMUL R4, R4, R4 ;',
    '        /*01c0*/                   FMUL R4, R4, R4 ;',
    '        /*01d0*/                   FMUL R4, R4, R4 ;',
    '        /*01e0*/                   BRA 0x300 ;',
    '        /*0200*/                   FFMA R4, R4, R4, R4 ;',
    '        /*0210*/                   BRA 0x300 ;',
    '        /*0300*/                   STG.E.128 desc[UR8][R14.64], R4 ;',
    '        /*0310*/                   STG.E.128 desc[UR8][R16.64], R8 ;',
    '        /*0320*/              @!P1 BRA 0x100 ;',
    '        /*0330*/                   EXIT ;',
  ].join('\n');
  const elf = ['.nv.constant2.blend', '0x00000000 0x00000190 0x000001b0 0x00000000', '', '.nv.info.blend'].join('\n');

  it("follows a blend's op dispatch for each pair of ops, and cannot without the ops", () => {
    const [fn] = sass.parseListing(blendListing);
    const loop = sass.mainLoop(fn);
    // without the op, the paths through the jump table are not followed
    expect(loop.marks).toContain('BRX');
    const tables = dispatch.jumpTables(elf);
    expect(tables.get('blend')).toEqual([0, 0x190, 0x1b0, 0]);
    const pairs = sass.blendPairs(fn, loop, tables.get('blend'), ['A', 'B', 'C']);
    expect(pairs).toHaveLength(9);
    // op 0: the head's 9 to the BRX, 2 in its case, 3 to the back branch; op 1: 4 in its case;
    // op 2: 5 to its branch, 2 in its case, 3
    const perElement = (a: string) => pairs.find((p: { a: string }) => p.a === a);
    expect([perElement('A'), perElement('B'), perElement('C')].map((p) => [p.min * 8, p.max * 8])).toEqual([
      [14, 14],
      [16, 16],
      [10, 10],
    ]);
    expect(pairs.every((p: { marks: string[] }) => !p.marks.includes('BRX'))).toBe(true);
  });

  it('kills what an instruction writes, and evaluates only what it follows', () => {
    const flow = dispatch.opFlow(new Map([[0x210, 5]]), [7, 8, 9]);
    const run = (texts: string[]) =>
      texts.reduce(
        (state, text) => flow.step({ text, op: text.replace(/^@!?P\w+\s+/, '').split(' ')[0], addr: 0 }, state).state,
        flow.initial,
      );
    expect(run(['LDC R9, c[0x0][0x210]', 'IADD3 R2, R9, -0x4, RZ', 'SHF.L.U32 R2, R2, 0x2, RZ'])).toEqual({
      R9: 5,
      R2: 4,
    });
    expect(run(['LDC R9, c[0x0][0x210]', 'MOV R2, 0xfffffffb', 'VIADDMNMX.U32 R2, R9, R2, 0x2, PT'])).toEqual({
      R9: 5,
      R2: 0,
    });
    expect(run(['LDC R9, c[0x0][0x210]', 'ISETP.GT.AND P0, PT, R9, 0x7, PT', '@!P0 LDC R3, c[0x2][R9+0x3]'])).toEqual({
      R9: 5,
      P0: false,
      R3: 9,
    });
    // a write this does not follow (a float op, a wide load over R8..R11) forgets the register
    expect(run(['LDC R9, c[0x0][0x210]', 'FADD R9, R9, 1'])).toEqual({});
    expect(run(['LDC R9, c[0x0][0x210]', 'LDG.E.128 R8, desc[UR8][R2.64]'])).toEqual({});
    // under an unknown guard the result is not known either
    expect(run(['LDC R9, c[0x0][0x210]', '@P3 MOV R9, 0x1'])).toEqual({});
    expect(flow.meet({ R1: 1, R2: 2 }, { R1: 1, R2: 3 })).toEqual({ R1: 1 });
  });

  it("evaluates float comparisons of a blend's t (a parameter word) and immediates", () => {
    const half = 0x3f000000; // 0.5
    const flow = dispatch.opFlow(new Map([[0x218, half]]), []);
    const run = (texts: string[]) =>
      texts.reduce(
        (state, text) => flow.step({ text, op: text.replace(/^@!?P\w+\s+/, '').split(' ')[0], addr: 0 }, state).state,
        flow.initial,
      );
    expect(run(['LDC R0, c[0x0][0x218]', 'FSETP.NEU.AND P0, PT, R0, 1, PT'])).toEqual({ R0: half, P0: true });
    // t = 0 or t = 1 (P1), and the second result: (t != 0) or t = 1 (P2)
    expect(
      run(['LDC R0, c[0x0][0x218]', 'FSETP.NEU.AND P0, PT, R0, 1, PT', 'FSETP.EQ.OR P1, P2, R0, RZ, !P0']),
    ).toEqual({ R0: half, P0: true, P1: false, P2: true });
    // a parameter word as the operand, with the - and |.| modifiers
    expect(run(['FSETP.GT.AND P0, PT, -|c[0x0][0x218]|, -0.75, PT'])).toEqual({ P0: true });
    expect(run(['FSETP.GEU.AND P0, PT, |c[0x0][0x218]|, 3.40282346638528859812e+38, PT'])).toEqual({ P0: false });
    // an unknown operand leaves the predicate unknown
    expect(run(['FSETP.NEU.AND P0, PT, R5, 1, PT'])).toEqual({});
  });

  it('reads the ops in the order of the registry', () => {
    const ops = sass.registryOps();
    expect(ops[0]).toBe('Relu');
    expect(ops).toContain('HardSigmoid');
    expect(new Set(ops).size).toBe(ops.length);
  });

  it('judges a general kernel beside its plain variants, and a blend, at 1.3 times the goal', () => {
    const fns = ['Relu', 'Relu6', 'Gelu', 'GeluTanh', 'Swish', 'SwishPlain', 'Aptx', 'AptxPlain', 'AptxPlainExact'];
    const goal = (fn: string, kind = 'op', pass = 'forward') => sass.goalOf({ kind, fn, pass }, fns);
    expect(['Relu', 'Relu6', 'Gelu', 'GeluTanh', 'SwishPlain', 'AptxPlainExact'].map((f) => goal(f))).toEqual(
      Array(6).fill(45),
    );
    expect(['Swish', 'Aptx', 'AptxPlain'].map((f) => goal(f))).toEqual(Array(3).fill(45 * 1.3));
    expect(goal('Mish', 'op', 'backward')).toBe(68);
    expect(goal('blend (two ops)', 'blend')).toBe(45 * 1.3);
    expect(goal('blend tree', 'interpreter')).toBeNull();
  });
});
