// The speed targets: one table that docs/targets.md's "Speed" section is generated from
// (`npm run bench:docs`) and that `npm run bench` judges, so the page and the bench cannot drift.
// Each target judges a run's rows: met, NOT MET (with how far over), or not measured (with why).
// Pure functions: test/bench.test.ts checks them.
import { DTYPE_SHORT, type Dtype, dtypeOf, type HalfDtype, isHalf } from './half';
import type { Pass, Peer, Row, Verdict } from './results';

export interface Target {
  /** a stable name for tests and the JSON */
  id: string;
  /** the promise, as docs/targets.md states it and the bench prints it (Markdown) */
  text: string;
  judge(run: RunView): Omit<Verdict, 'id' | 'target'>;
}

/** What a target sees of a run: its rows and peers, and why the GPU rows are missing if they are. */
export interface RunView {
  rows: Row[];
  peers: Peer[];
  gpuSkipped?: string;
}

const N20 = 2 ** 20;
const N24 = 2 ** 24;
const x = (r: number): string => `${r.toFixed(2)}x`;
const hard = ['hardSwish', 'hardMish', 'hMish'];
/** The functions whose 16-bit rows are held to 1.7x float32's throughput: memory-bound in float32. */
export const HALF_BANDWIDTH = ['relu', ...hard, 'relu6', 'hardSigmoid'];
const HALF_SPEEDUP = 1.7;

interface Check {
  name: string;
  value: number;
  limit: number;
  /** 'max': value <= limit is met (times, ratios); 'min': value >= limit (shares of bandwidth) */
  kind?: 'max' | 'min';
  /** how the value reads: a ratio (1.23x) or a share (98.0%); a 'max' is a ratio, a 'min' a share unless said */
  unit?: 'x' | '%';
}

const over = (c: Check): number => (c.kind === 'min' ? c.limit / c.value : c.value / c.limit);
const unit = (c: Check, v: number): string =>
  (c.unit ?? (c.kind === 'min' ? '%' : 'x')) === '%' ? `${(100 * v).toFixed(1)}%` : x(v);

/** Met when every check is within its limit; otherwise how far the worst is over, and which are. */
function judgeAll(checks: Check[], notMeasured: string): Omit<Verdict, 'id' | 'target'> {
  if (checks.length === 0) return { met: null, measured: `not measured: ${notMeasured}` };
  const sorted = [...checks].sort((a, b) => over(b) - over(a));
  const worst = sorted[0];
  const bad = sorted.filter((c) => !(over(c) <= 1));
  const head = `worst ${worst.name} ${unit(worst, worst.value)} (limit ${unit(worst, worst.limit)})`;
  if (bad.length === 0) return { met: true, measured: head };
  const pct = ((over(worst) - 1) * 100).toFixed(0);
  const list = bad.map((c) => `${c.name} ${unit(c, c.value)}`);
  return {
    met: false,
    measured: `${head}, ${pct}% over; ${bad.length} of ${checks.length} over: ${list.length > 8 ? `${list.slice(0, 8).join(', ')}, ...` : list.join(', ')}`,
  };
}

/** The CPU rows of one element type (float32 unless said): the float32 targets see float32 rows only. */
const cpuRows = (run: RunView, dtype: Dtype = 'float32') =>
  run.rows.filter((r) => r.backend === 'cpu' && !r.roundTrip && dtypeOf(r) === dtype);
/** The peers computing in float32: the float32 targets' peers. */
const f32Peers = (run: RunView) => run.peers.filter((p) => dtypeOf(p) === 'float32');
/** The 16-bit formats the run has CPU rows of. */
const halfDtypes = (run: RunView): HalfDtype[] =>
  (['bfloat16', 'float16'] as const).filter((d) => cpuRows(run, d).length > 0);
const halfName = (d: Dtype) => (isHalf(d) ? ` ${DTYPE_SHORT[d]}` : '');
const NO_HALF =
  'no bfloat16 or float16 rows in this run (npm run bench -- --dtype float32,bfloat16,float16 --sizes 20,24)';
const find = (rows: Row[], activation: string, pass: Pass, n: number, threads: number) =>
  rows.find((r) => r.activation === activation && r.pass === pass && r.n === n && r.threads === threads);
const functions = (rows: Row[]) => [...new Set(rows.map((r) => r.activation))].filter((a) => a !== 'copy');
const threadsAt = (rows: Row[], n: number) => [...new Set(rows.filter((r) => r.n === n).map((r) => r.threads))];
const t = (threads: number) => `${threads}t`;
const sizeName = (n: number) => `2^${Math.log2(n)}`;
// Every (function, pass, threads) of fns timed at 2^24 in rows: the cells a target compares with
// another size or another format.
function* cellsAt24(rows: Row[], fns: string[]): Generator<[string, 'forward' | 'backward', number]> {
  for (const th of threadsAt(rows, N24))
    for (const a of fns) for (const pass of ['forward', 'backward'] as const) yield [a, pass, th];
}

/** The sides of a two-op blend case: 'blend(mish,hardMish,0.5)' -> ['mish', 'hardMish']. */
export function blendSides(name: string): [string, string] | null {
  const m = /^blend\(([^,()]+),([^,()]+),[^()]+\)$/.exec(name);
  return m ? [m[1], m[2]] : null;
}

const noGpu = (run: RunView) =>
  run.gpuSkipped ? `no GPU rows in this run (${run.gpuSkipped})` : 'no GPU rows at 2^26 or more in this run';

/** The GPU rows a GPU target judges: kernels on device arrays, 2^26 and up, not in the L2. */
const gpuRows = (run: RunView) =>
  run.rows.filter((r) => r.backend === 'cuda' && !r.roundTrip && !r.cacheResident && r.n >= 2 ** 26);

export const TARGETS: Target[] = [
  {
    id: 'cpu-copy-speed',
    text: 'CPU, one thread, 2^20 elements: relu and the hard-* family (hardSwish, hardMish, hMish), forward and backward, at copy speed: ≤ 1.05× a memcpy of the same bytes.',
    judge(run) {
      const rows = cpuRows(run);
      const checks: Check[] = [];
      for (const a of ['relu', ...hard])
        for (const pass of ['forward', 'backward'] as const) {
          const r = find(rows, a, pass, N20, 1);
          const copy = f32Peers(run).find((p) => p.name === 'memcpy' && p.pass === pass && p.n === N20);
          if (r && copy) checks.push({ name: `${a} ${pass}`, value: r.ms / copy.ms, limit: 1.05 });
        }
      return judgeAll(
        checks,
        'needs the memcpy peer at 2^20 on one thread (bench/peers/native.cpp, built by the bench)',
      );
    },
  },
  {
    id: 'cpu-fastest-peer',
    text: "CPU, one thread, 2^20: every function, forward and backward, at least as fast as the fastest installed peer that computes it (oneDNN's JIT eltwise kernels, XNNPACK, a loop over glibc's libmvec or SLEEF, PyTorch's CPU kernels): silu/swish and its kin ≤ a libmvec loop's time, mish ≤ oneDNN's mish.",
    judge(run) {
      const rows = cpuRows(run);
      const at = f32Peers(run).filter(
        (p) => p.backend === 'cpu' && p.name !== 'memcpy' && p.threads === 1 && p.n === N20,
      );
      const checks: Check[] = [];
      for (const key of new Set(at.map((p) => `${p.activation}|${p.pass}`))) {
        const [a, pass] = key.split('|') as [string, Pass];
        const own = find(rows, a, pass, N20, 1);
        const best = at.filter((p) => p.activation === a && p.pass === pass).sort((p, q) => p.ms - q.ms)[0];
        if (own) checks.push({ name: `${a} ${pass} (vs ${best.name})`, value: own.ms / best.ms, limit: 1 });
      }
      return judgeAll(checks, 'no native peer (oneDNN, XNNPACK, libmvec, SLEEF, PyTorch) timed at 2^20 in this run');
    },
  },
  {
    id: 'cpu-forward-backward',
    text: 'CPU, one thread, 2^20: every forward no slower than its own backward.',
    judge(run) {
      const rows = cpuRows(run);
      const checks: Check[] = [];
      for (const a of functions(rows)) {
        const f = find(rows, a, 'forward', N20, 1);
        const b = find(rows, a, 'backward', N20, 1);
        if (f && b) checks.push({ name: a, value: f.ms / b.ms, limit: 1 });
      }
      return judgeAll(checks, 'no 2^20 rows on one thread in this run');
    },
  },
  {
    id: 'cpu-onednn-backward',
    text: "CPU, one thread, 2^20: every backward ahead of oneDNN's, where oneDNN computes it.",
    judge(run) {
      const rows = cpuRows(run);
      const checks: Check[] = [];
      for (const p of f32Peers(run).filter((q) => q.name === 'oneDNN' && q.pass === 'backward' && q.n === N20)) {
        const own = find(rows, p.activation, 'backward', N20, 1);
        if (own) checks.push({ name: p.activation, value: own.ms / p.ms, limit: 1 });
      }
      return judgeAll(checks, "oneDNN's backward not timed at 2^20 in this run (not installed, or --no-peers)");
    },
  },
  {
    id: 'cpu-2^24-relu-copy',
    text: 'CPU at 2^24 elements (past the caches), one thread and all threads: relu ≤ 1.05× a copy of the same bytes.',
    judge(run) {
      const rows = cpuRows(run);
      const checks: Check[] = [];
      for (const th of threadsAt(rows, N24)) {
        // forward moves the bytes of a copy of x; the copy row is TypedArray.set, one thread
        const relu = find(rows, 'relu', 'forward', N24, th);
        const copy = find(rows, 'copy', 'forward', N24, th);
        if (relu && copy) checks.push({ name: `relu forward ${t(th)}`, value: relu.ms / copy.ms, limit: 1.05 });
      }
      const back = find(rows, 'relu', 'backward', N24, 1);
      const memcpy = f32Peers(run).find((p) => p.name === 'memcpy' && p.pass === 'backward' && p.n === N24);
      if (back && memcpy) checks.push({ name: 'relu backward 1t', value: back.ms / memcpy.ms, limit: 1.05 });
      return judgeAll(checks, 'no 2^24 rows in this run (npm run bench -- --sizes 20,24)');
    },
  },
  {
    id: 'cpu-2^24-per-element',
    text: "CPU at 2^24, one thread and all threads: every function's time per element ≤ 1.15× its time per element at 2^20 (no penalty for leaving the caches), forward and backward, in float32 and in each 16-bit format timed (bfloat16, float16).",
    judge(run) {
      const checks: Check[] = [];
      for (const dtype of ['float32', ...halfDtypes(run)] as Dtype[]) {
        const rows = cpuRows(run, dtype);
        for (const [a, pass, th] of cellsAt24(rows, functions(rows))) {
          const big = find(rows, a, pass, N24, th);
          const small = find(rows, a, pass, N20, th);
          if (big && small)
            checks.push({
              name: `${a} ${pass} ${t(th)}${halfName(dtype)}`,
              value: big.ms / N24 / (small.ms / N20),
              limit: 1.15,
            });
        }
      }
      return judgeAll(checks, 'needs rows at 2^20 and 2^24 in one run (npm run bench -- --sizes 20,24)');
    },
  },
  {
    id: 'cpu-blend',
    text: 'CPU, one thread and all threads, at 2^20 and 2^24: a two-op blend ≤ 1.15× its dearer side, forward and backward.',
    judge(run) {
      const rows = cpuRows(run);
      const checks: Check[] = [];
      for (const r of rows) {
        const sides = blendSides(r.activation);
        if (!sides || (r.n !== N20 && r.n !== N24) || r.pass === 'paramGrad') continue;
        const costs = sides.map((s) => find(rows, s, r.pass, r.n, r.threads)?.ms);
        if (costs.some((c) => c === undefined)) continue;
        const dearer = Math.max(...(costs as number[]));
        checks.push({
          name: `${r.activation} ${r.pass} ${t(r.threads)} ${sizeName(r.n)}`,
          value: r.ms / dearer,
          limit: 1.15,
        });
      }
      return judgeAll(checks, 'no blend with both of its sides timed at 2^20 or 2^24 in this run');
    },
  },
  {
    id: 'cpu-half-bandwidth',
    text: `CPU, bfloat16 and float16, 2^24, one thread and all threads: relu and the hard-* family (${HALF_BANDWIDTH.slice(1).join(', ')}), forward and backward, at least ${HALF_SPEEDUP}× the element throughput of the same function in float32 (half the bytes to move).`,
    judge(run) {
      const f32 = cpuRows(run);
      const checks: Check[] = [];
      for (const dtype of halfDtypes(run)) {
        const rows = cpuRows(run, dtype);
        for (const [a, pass, th] of cellsAt24(rows, HALF_BANDWIDTH)) {
          const half = find(rows, a, pass, N24, th);
          const single = find(f32, a, pass, N24, th);
          if (half && single)
            checks.push({
              name: `${a} ${pass} ${t(th)}${halfName(dtype)}`,
              value: single.ms / half.ms,
              limit: HALF_SPEEDUP,
              kind: 'min',
              unit: 'x',
            });
        }
      }
      return judgeAll(
        checks,
        halfDtypes(run).length ? 'no 2^24 rows of these functions in float32 and 16 bits' : NO_HALF,
      );
    },
  },
  {
    id: 'cpu-half-float32',
    text: 'CPU, bfloat16 and float16, one thread and all threads, at 2^20 and 2^24: every other function, forward and backward, no slower than its float32 form.',
    judge(run) {
      const f32 = cpuRows(run);
      const checks: Check[] = [];
      for (const dtype of halfDtypes(run)) {
        const rows = cpuRows(run, dtype);
        for (const r of rows) {
          if (HALF_BANDWIDTH.includes(r.activation) || r.activation === 'copy' || (r.n !== N20 && r.n !== N24))
            continue;
          const single = find(f32, r.activation, r.pass, r.n, r.threads);
          if (single)
            checks.push({
              name: `${r.activation} ${r.pass} ${t(r.threads)}${halfName(dtype)} ${sizeName(r.n)}`,
              value: r.ms / single.ms,
              limit: 1,
            });
        }
      }
      return judgeAll(checks, halfDtypes(run).length ? 'no 2^20 or 2^24 rows in float32 and 16 bits' : NO_HALF);
    },
  },
  {
    id: 'cpu-half-pytorch',
    text: "CPU, bfloat16, one thread, at 2^20 and 2^24: every function, forward and backward, at least as fast as PyTorch's bfloat16 CPU kernel for it, where PyTorch computes it.",
    judge(run) {
      const rows = cpuRows(run, 'bfloat16');
      const torch = run.peers.filter(
        (p) => p.name === 'PyTorch' && dtypeOf(p) === 'bfloat16' && p.threads === 1 && (p.n === N20 || p.n === N24),
      );
      const checks: Check[] = [];
      for (const p of torch) {
        const own = find(rows, p.activation, p.pass, p.n, 1);
        if (own)
          checks.push({
            name: `${p.activation} ${p.pass} ${sizeName(p.n)}`,
            value: own.ms / p.ms,
            limit: 1,
          });
      }
      return judgeAll(
        checks,
        rows.length
          ? "PyTorch's bfloat16 CPU kernels not timed at 2^20 or 2^24 in this run (not installed, or --no-peers)"
          : 'no bfloat16 rows in this run (npm run bench -- --dtype float32,bfloat16 --sizes 20,24)',
      );
    },
  },
  {
    id: 'per-call',
    text: 'Per call (n = 1, with `out`): ≤ 0.25 µs, every function, forward and backward.',
    judge(run) {
      const checks = cpuRows(run)
        .filter((r) => r.n === 1 && r.activation !== 'copy' && r.pass !== 'paramGrad')
        .map((r) => ({ name: `${r.activation} ${r.pass}`, value: r.ms * 1e3, limit: 0.25 }));
      const judged = judgeAll(checks, 'no n = 1 rows in this run (npm run bench -- --quick has them)');
      // per call is a time, not a ratio: say µs
      return { ...judged, measured: judged.measured.replace(/(\d+\.\d\d)x/g, '$1 µs') };
    },
  },
  {
    id: 'gpu-relu',
    text: "GPU, ≥ 2^26 elements: every forward and backward within 3% of relu's time.",
    judge(run) {
      const checks = gpuRows(run)
        .filter((r) => r.activation !== 'copy' && r.activation !== 'relu' && r.pass !== 'paramGrad')
        .filter((r) => r.vsRelu !== null)
        .map((r) => ({
          name: `${r.activation} ${r.pass} at ${sizeName(r.n)}`,
          value: r.vsRelu as number,
          limit: 1.03,
        }));
      return judgeAll(checks, noGpu(run));
    },
  },
  {
    id: 'gpu-copy-bandwidth',
    text: 'GPU, ≥ 2^26: every forward and backward ≥ 90% of the device-to-device copy bandwidth.',
    judge(run) {
      const rows = gpuRows(run);
      const copy = (n: number) => rows.find((r) => r.activation === 'copy' && r.n === n)?.gbps;
      const checks: Check[] = [];
      for (const r of rows.filter((q) => q.activation !== 'copy' && q.pass !== 'paramGrad')) {
        const c = copy(r.n);
        if (c)
          checks.push({
            name: `${r.activation} ${r.pass} at ${sizeName(r.n)}`,
            value: r.gbps / c,
            limit: 0.9,
            kind: 'min',
          });
      }
      return judgeAll(checks, rows.length ? 'no device-to-device copy row in this run' : noGpu(run));
    },
  },
  {
    id: 'gpu-pytorch',
    text: "GPU, ≥ 2^26: every forward and backward no slower than PyTorch's own CUDA kernel for the same function, timed in the same run.",
    judge(run) {
      const rows = gpuRows(run);
      const torch = f32Peers(run).filter((p) => p.backend === 'cuda' && p.n >= 2 ** 26 && p.activation !== 'copy');
      const checks: Check[] = [];
      for (const p of torch) {
        const own = rows.find((r) => r.activation === p.activation && r.pass === p.pass && r.n === p.n);
        if (own) checks.push({ name: `${p.activation} ${p.pass} at ${sizeName(p.n)}`, value: own.ms / p.ms, limit: 1 });
      }
      return judgeAll(
        checks,
        rows.length
          ? "PyTorch's CUDA kernels are not timed by npm run bench; scripts/gpu-check.sh times them beside this library"
          : noGpu(run),
      );
    },
  },
];

/** Every target of docs/targets.md, judged on one run. Never throws. */
export function judgeTargets(run: RunView): Verdict[] {
  return TARGETS.map((target) => ({ id: target.id, target: target.text, ...target.judge(run) }));
}

/** docs/targets.md's speed list, as `npm run bench:docs` writes it there. */
export function targetsMarkdown(): string {
  return TARGETS.map((target) => `- ${target.text}`).join('\n');
}
