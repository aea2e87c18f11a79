// The figures of the approximation report: how close each stand-in is to Mish, where its minimum
// is, where it has kinks, what its tails do and what it costs. Everything is measured from the
// library's own float32 kernels through the public API (forward and backward on float32 grids);
// where a location is wanted it is refined by bisection to one float32 step, then in double.
import { type Activation, type ActivationName, activation } from '../lib';

export interface Candidate {
  name: ActivationName;
  params: Record<string, number>;
  /** for tables and legends */
  label: string;
}

/** The stand-ins, Mish first, then GELU, ELU and relu6: the API's names, with parameters where the family needs them. */
export const candidates: readonly Candidate[] = [
  { name: 'mish', params: {}, label: 'mish' },
  { name: 'silu', params: {}, label: 'silu' },
  { name: 'swish', params: { beta: 2 }, label: 'swish β=2' },
  { name: 'aptx', params: { alpha: 1, beta: 1, gamma: 0.5 }, label: 'aptx(1, 1, 0.5)' },
  { name: 'hardSwish', params: {}, label: 'hardSwish' },
  { name: 'hardMish', params: {}, label: 'hardMish' },
  { name: 'hMish', params: {}, label: 'hMish' },
  { name: 'hardGate', params: { shift: 3, cap: 4 }, label: 'hardGate(3, 4)' },
  { name: 'hardGate', params: { shift: 3, cap: 3 }, label: 'hardGate(3, 3)' },
  { name: 'approxMish', params: {}, label: 'approxMish' },
  { name: 'linearSwish', params: {}, label: 'linearSwish' },
  // What Mish is weighed against (the classic functions); silu is above.
  { name: 'gelu', params: {}, label: 'gelu' },
  { name: 'geluTanh', params: {}, label: 'geluTanh' },
  { name: 'elu', params: { alpha: 1 }, label: 'elu' },
  { name: 'relu6', params: {}, label: 'relu6' },
];

export interface Kink {
  x: number;
  /** 'slope': the first derivative jumps here; 'curvature': only the second derivative does */
  kind: 'slope' | 'curvature';
  leftSlope: number;
  rightSlope: number;
  /** rightSlope - leftSlope */
  jump: number;
  leftCurvature: number;
  rightCurvature: number;
  /** rightCurvature - leftCurvature */
  curvatureJump: number;
}

export interface Ratio {
  forward: number | null;
  backward: number | null;
  n: number;
  threads: number | null;
}

export interface FunctionReport {
  name: ActivationName;
  params: Record<string, number>;
  maxAbsDiffFromMish: number;
  argMaxAbsDiff: number | null;
  meanAbsDiffFromMish: number;
  minimum: { x: number; y: number };
  slopeAtZero: number;
  kinks: Kink[];
  smoothness: 'C0' | 'C1' | 'Cinf';
  tails: {
    /** f(x) - x far right: 0 where f(x) rounds to x in float32 */
    right: { x: number; fMinusX: number }[];
    /** f(x) far left */
    left: { x: number; f: number }[];
  };
  /** time relative to relu's, from the newest bench results; null without any */
  cost: { cpu: Ratio | null; gpu: Ratio | null } | null;
}

export interface Report {
  functions: FunctionReport[];
}

/** Where the comparison with Mish is made, and the step of its grid (exact in float32). */
export const RANGE: [number, number] = [-6, 6];
export const STEP = 2 ** -12;
/** Where kinks are looked for, and the step of that scan. */
export const KINK_RANGE: [number, number] = [-10, 10];
export const KINK_STEP = 2 ** -11;
export const TAIL_X = [5, 10, 20, 40];

// A kink shows in the second difference of f' on the scan grid: a jump J of f' gives +-J, a
// jump C of f'' gives about C * KINK_STEP / 2 or more; elsewhere it is float32 noise (~1e-6) and
// f''' * KINK_STEP^2 (< 1e-6 here). So 2e-5 finds every f'' jump above about 0.1.
const CANDIDATE_THRESHOLD = 2e-5;
// One-sided fits use f' at x -+ k * SIDE_STEP, k = 1, 2, 3 (so kinks must be > 3 SIDE_STEP apart).
const SIDE_STEP = 2 ** -8;
const SLOPE_JUMP = 1e-4; // well above the fits' noise (~1e-6)
const CURVATURE_JUMP = 0.02; // the fits' noise is ~1e-3

/** One function's float32 kernels, on arrays and at single points. */
export interface Kernel {
  f(x: Float32Array): Float32Array;
  df(x: Float32Array): Float32Array;
  at(x: number): number;
  slope(x: number): number;
}

export function kernel(a: Activation): Kernel {
  const f = (x: Float32Array) => a.forward(x);
  const df = (x: Float32Array) => a.backward(x, new Float32Array(x.length).fill(1));
  return { f, df, at: (x) => f(Float32Array.of(x))[0], slope: (x) => df(Float32Array.of(x))[0] };
}

export function activationOf(c: Candidate): Activation {
  return activation(c.name, c.params);
}

/** lo, lo + step, ..., hi: exact in float32 when step is a power of two and lo a multiple of it. */
export function grid(lo: number, hi: number, step: number): Float32Array {
  const n = Math.round((hi - lo) / step) + 1;
  return Float32Array.from({ length: n }, (_, i) => lo + i * step);
}

/**
 * Where g changes sign in [a, b]: bisection over float32 inputs down to adjacent floats, then the
 * root of the chord in double. undefined when g has the same sign at both ends.
 */
export function signChange(g: (x: number) => number, a: number, b: number): number | undefined {
  let ga = g(a);
  let gb = g(b);
  if (ga === 0) return a;
  if (gb === 0) return b;
  if (Math.sign(ga) === Math.sign(gb)) return undefined;
  for (;;) {
    const m = Math.fround((a + b) / 2);
    if (m === a || m === b) break;
    const gm = g(m);
    if (gm === 0) return m;
    if (Math.sign(gm) === Math.sign(ga)) [a, ga] = [m, gm];
    else [b, gb] = [m, gm];
  }
  return a - (ga * (b - a)) / (gb - ga);
}

/** f' and f'' at x from one side (dir -1: left, +1: right): a quadratic through three samples. */
function oneSided(k: Kernel, x: number, dir: -1 | 1): { slope: number; curvature: number } {
  const [g1, g2, g3] = k.df(Float32Array.from([1, 2, 3], (t) => x + dir * t * SIDE_STEP));
  return { slope: 3 * g1 - 3 * g2 + g3, curvature: (dir * (-2.5 * g1 + 4 * g2 - 1.5 * g3)) / SIDE_STEP };
}

/**
 * The kinks of f on KINK_RANGE. Candidates are where the second difference of the kernel's f'
 * (backward with dy = 1) on a fine grid stands out of the noise. Each is located by bisection:
 * a point belongs to the side whose one-sided quadratic model of f' it fits better. The slopes
 * and curvatures on both sides then come from one-sided fits of backward() next to that point.
 */
export function findKinks(k: Kernel): Kink[] {
  const xs = grid(KINK_RANGE[0], KINK_RANGE[1], KINK_STEP);
  const g = k.df(xs);
  const clusters: [number, number][] = [];
  for (let i = 1; i + 1 < xs.length; i++) {
    if (Math.abs(g[i + 1] - 2 * g[i] + g[i - 1]) <= CANDIDATE_THRESHOLD) continue;
    const last = clusters[clusters.length - 1];
    if (last && i - last[1] <= 4) last[1] = i;
    else clusters.push([i, i]);
  }
  const kinks: Kink[] = [];
  for (const [first, lastIndex] of clusters) {
    // Located to about 1e-6 (noise-limited where only f'' jumps): rounded to that.
    const x = Math.round(locate(k, xs[first - 1], xs[lastIndex + 1]) * 1e6) / 1e6 || 0;
    const left = oneSided(k, x, -1);
    const right = oneSided(k, x, 1);
    const jump = right.slope - left.slope;
    const curvatureJump = right.curvature - left.curvature;
    const kind = Math.abs(jump) > SLOPE_JUMP ? 'slope' : Math.abs(curvatureJump) > CURVATURE_JUMP ? 'curvature' : null;
    if (!kind) continue;
    kinks.push({
      x,
      kind,
      leftSlope: left.slope,
      rightSlope: right.slope,
      jump,
      leftCurvature: left.curvature,
      rightCurvature: right.curvature,
      curvatureJump,
    });
  }
  return kinks;
}

function locate(k: Kernel, a: number, b: number): number {
  // Quadratic models of f' from samples at a, a - h, a - 2h (and b, b + h, b + 2h), extrapolated.
  const model = (x0: number, dir: -1 | 1) => {
    const [g0, g1, g2] = k.df(Float32Array.from([0, 1, 2], (t) => x0 + dir * t * SIDE_STEP));
    return (x: number) => {
      const t = (dir * (x - x0)) / SIDE_STEP;
      return g0 + t * (g1 - g0) + ((t * (t - 1)) / 2) * (g2 - 2 * g1 + g0);
    };
  };
  const left = model(a, -1);
  const right = model(b, 1);
  for (;;) {
    const m = Math.fround((a + b) / 2);
    if (m === a || m === b) return (a + b) / 2;
    const gm = k.slope(m);
    if (Math.abs(gm - left(m)) <= Math.abs(gm - right(m))) a = m;
    else b = m;
  }
}

function argBy(values: ArrayLike<number>, better: (v: number, best: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i], values[best])) best = i;
  return best;
}

/**
 * The grid points next to i between which g goes from negative to positive: near a minimum
 * f is so flat that float32 rounding can put the lowest grid value a few points off.
 */
function bracket(g: Float32Array, i: number): [number, number] {
  let a = i;
  let b = i;
  while (a > 0 && g[a] >= 0) a--;
  while (b + 1 < g.length && g[b] <= 0) b++;
  return [a, b];
}

/** The global minimum: the lowest grid point on RANGE, refined where f' changes sign next to it. */
export function findMinimum(k: Kernel): { x: number; y: number } {
  const xs = grid(RANGE[0], RANGE[1], STEP);
  const ys = k.f(xs);
  const i = argBy(ys, (v, best) => v < best);
  const [a, b] = bracket(k.df(xs), i);
  const x = signChange(k.slope, xs[a], xs[b]) ?? xs[i];
  return { x, y: Math.min(ys[i], k.at(Math.fround(x))) };
}

/** max and mean of |f - mish| on RANGE; the place of the max refined where (f - mish)' changes sign. */
export function compareWithMish(k: Kernel, mishKernel: Kernel) {
  const xs = grid(RANGE[0], RANGE[1], STEP);
  const f = k.f(xs);
  const m = mishKernel.f(xs);
  const diff = f.map((_, i) => Math.abs(f[i] - m[i]));
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += ((diff[i] + diff[i - 1]) / 2) * STEP;
  const meanAbsDiffFromMish = area / (RANGE[1] - RANGE[0]);
  const i = argBy(diff, (v, best) => v > best);
  if (diff[i] === 0) return { maxAbsDiffFromMish: 0, argMaxAbsDiff: null, meanAbsDiffFromMish };
  // |f - mish| peaks where s (f - mish)' goes from positive to negative, s the sign of f - mish.
  const s = Math.sign(f[i] - m[i]);
  const gf = k.df(xs);
  const gm = mishKernel.df(xs);
  const [a, b] = bracket(
    gf.map((_, j) => -s * (gf[j] - gm[j])),
    i,
  );
  const x = signChange((t) => -s * (k.slope(t) - mishKernel.slope(t)), xs[a], xs[b]) ?? xs[i];
  const at = Math.fround(x);
  return {
    maxAbsDiffFromMish: Math.max(diff[i], Math.abs(k.at(at) - mishKernel.at(at))),
    argMaxAbsDiff: x,
    meanAbsDiffFromMish,
  };
}

export function tails(k: Kernel): FunctionReport['tails'] {
  const right = k.f(Float32Array.from(TAIL_X));
  const left = k.f(Float32Array.from(TAIL_X, (x) => -x));
  return {
    right: TAIL_X.map((x, i) => ({ x, fMinusX: right[i] - x })),
    left: TAIL_X.map((x, i) => ({ x: -x, f: left[i] })),
  };
}

// ---- cost, from the bench results (bench/results/*.json, written by `npm run bench`) ----

export interface BenchRow {
  backend: string;
  threads?: number;
  activation: string;
  params?: Record<string, number>;
  pass: string;
  n: number;
  ms: number;
  vsRelu?: number | null;
  roundTrip?: boolean;
}

export interface Bench {
  date?: string;
  rows: BenchRow[];
}

// What a row measured: the API's name and its full parameters (defaults filled in), from
// `params` or from a name like 'swish(beta=2)'; null for anything else (copy, blends, peers).
function measured(row: BenchRow): { name: string; params: Record<string, number> } | null {
  const match = /^(\w+)(?:\((.*)\))?$/.exec(row.activation);
  if (!match || !(activation.names as readonly string[]).includes(match[1])) return null;
  const params: Record<string, number> = { ...row.params };
  for (const part of (match[2] ?? '').split(',').filter((p) => p.trim())) {
    const [key, value] = part.split('=');
    if (value === undefined) return null;
    params[key.trim()] = Number(value);
  }
  try {
    return { name: match[1], params: { ...activation(match[1] as ActivationName, params).params } };
  } catch {
    return null;
  }
}

function sameParams(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

function ratio(rows: BenchRow[], c: Candidate, backend: string): Ratio | null {
  const want = { ...activationOf(c).params };
  // Kernel times only: GPU round trips (host arrays with device 'cuda') are another question.
  const on = rows.filter((r) => r.backend === backend && !r.roundTrip);
  if (on.length === 0) return null;
  // CPU: one thread if measured, else the fewest; then 2^20 elements if measured, else the most.
  const threads = backend === 'cpu' ? Math.min(...on.map((r) => r.threads ?? 1)) : null;
  const usable = on.filter((r) => threads === null || (r.threads ?? 1) === threads);
  const mine = usable.filter((r) => {
    const m = measured(r);
    return m !== null && m.name === c.name && sameParams(m.params, want);
  });
  if (mine.length === 0) return null;
  const sizes = mine.map((r) => r.n);
  const n = sizes.includes(2 ** 20) && backend === 'cpu' ? 2 ** 20 : Math.max(...sizes);
  const timeOf = (pass: string): number | null => {
    const row = mine.find((r) => r.n === n && r.pass === pass);
    if (!row) return null;
    if (typeof row.vsRelu === 'number') return row.vsRelu;
    const relu = usable.find((r) => r.activation === 'relu' && r.n === n && r.pass === pass);
    return relu ? row.ms / relu.ms : null;
  };
  return { forward: timeOf('forward'), backward: timeOf('backward'), n, threads };
}

export function costOf(bench: Bench | null, c: Candidate): FunctionReport['cost'] {
  if (!bench) return null;
  return { cpu: ratio(bench.rows, c, 'cpu'), gpu: ratio(bench.rows, c, 'cuda') };
}

// ---- the whole report ----

export function analyzeOne(c: Candidate, mishKernel: Kernel, bench: Bench | null): FunctionReport {
  const k = kernel(activationOf(c));
  const kinks = findKinks(k);
  const smoothness = kinks.some((q) => q.kind === 'slope')
    ? 'C0'
    : kinks.some((q) => q.kind === 'curvature')
      ? 'C1'
      : 'Cinf';
  return {
    name: c.name,
    params: c.params,
    ...compareWithMish(k, mishKernel),
    minimum: findMinimum(k),
    slopeAtZero: k.slope(0),
    kinks,
    smoothness,
    tails: tails(k),
    cost: costOf(bench, c),
  };
}

export function analyze(bench: Bench | null = null, list: readonly Candidate[] = candidates): Report {
  const mishKernel = kernel(activation('mish'));
  return { functions: list.map((c) => analyzeOne(c, mishKernel, bench)) };
}
