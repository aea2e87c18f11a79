// The approximation report (npm run report): its figures against closed forms where they exist
// and against the double-precision references elsewhere; the bench cost lookup; the SVG charts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED } from '../bench/docs';
import {
  approxMishRef,
  aptxRef,
  eluRef,
  geluRef,
  geluTanhRef,
  hardGateRef,
  linearSwishRef,
  mishRef,
  type Reference,
  relu6Ref,
  swishRef,
  ulp32,
} from '../reference/reference';
import { analyze, type Bench, type Candidate, candidates, costOf, type FunctionReport, RANGE } from '../report/analyze';
import { json, markdown, plots } from '../report/render';
import { lineChart, ticks } from '../report/svg';

const report = analyze();
const byLabel = (label: string): FunctionReport => report.functions[candidates.findIndex((c) => c.label === label)];

const references: Record<string, Reference> = {
  mish: mishRef(),
  silu: swishRef(1),
  'swish β=2': swishRef(2),
  'aptx(1, 1, 0.5)': aptxRef(1, 1, 0.5),
  hardSwish: hardGateRef(3, 6),
  hardMish: hardGateRef(3, 5),
  hMish: hardGateRef(2, 2),
  'hardGate(3, 4)': hardGateRef(3, 4),
  'hardGate(3, 3)': hardGateRef(3, 3),
  approxMish: approxMishRef,
  linearSwish: linearSwishRef,
  gelu: geluRef,
  geluTanh: geluTanhRef,
  elu: eluRef(1),
  relu6: relu6Ref,
};

// The minimum of a reference in double: golden-section search on [lo, hi].
function refMinimum(f: (x: number) => number, lo: number, hi: number): { x: number; y: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  while (hi - lo > 1e-12) {
    const a = hi - r * (hi - lo);
    const b = lo + r * (hi - lo);
    if (f(a) < f(b)) hi = b;
    else lo = a;
  }
  const x = (lo + hi) / 2;
  return { x, y: f(x) };
}

describe('the report', () => {
  it('has the shape of the issue, one entry per function, with the API names', () => {
    expect(report.functions.map((f) => f.name)).toEqual(candidates.map((c) => c.name));
    for (const f of report.functions)
      expect(Object.keys(f)).toEqual([
        'name',
        'params',
        'maxAbsDiffFromMish',
        'argMaxAbsDiff',
        'meanAbsDiffFromMish',
        'minimum',
        'slopeAtZero',
        'kinks',
        'smoothness',
        'tails',
        'cost',
      ]);
    expect(byLabel('hardGate(3, 4)').params).toEqual({ shift: 3, cap: 4 });
    const parsed = JSON.parse(json(report));
    expect(parsed.functions).toHaveLength(candidates.length);
    expect(parsed.functions[0].minimum.x).toBe(-1.192431);
  });

  it("mish: minimum (-1.192431, -0.308843), f'(0) = 0.6, smooth, 0 from itself", () => {
    const m = byLabel('mish');
    expect(m.minimum.x).toBeCloseTo(-1.192431, 6);
    expect(m.minimum.y).toBeCloseTo(-0.308843, 6);
    expect(m.slopeAtZero).toBeCloseTo(0.6, 7);
    expect(m.smoothness).toBe('Cinf');
    expect(m.kinks).toEqual([]);
    expect(m.maxAbsDiffFromMish).toBe(0);
    expect(m.argMaxAbsDiff).toBeNull();
  });

  it('linearSwish: minimum (-1.022772, -0.445543), C1 with a jump of f" from 1.25 to 0 at 0', () => {
    const l = byLabel('linearSwish');
    expect(l.minimum.x).toBeCloseTo(-1.022772, 6);
    expect(l.minimum.y).toBeCloseTo(-0.445543, 6);
    expect(l.smoothness).toBe('C1');
    expect(l.kinks).toHaveLength(1);
    const [k] = l.kinks;
    expect(k).toMatchObject({ x: 0, kind: 'curvature' });
    expect(k.leftSlope).toBeCloseTo(1, 5);
    expect(k.rightSlope).toBeCloseTo(1, 5);
    expect(k.leftCurvature).toBeCloseTo(1.25, 2);
    expect(k.rightCurvature).toBeCloseTo(0, 2);
  });

  it('approxMish: C1, f" jumps from 0.5 to 1 at 0', () => {
    const a = byLabel('approxMish');
    expect(a.smoothness).toBe('C1');
    expect(a.kinks).toHaveLength(1);
    const [k] = a.kinks;
    expect(k).toMatchObject({ x: 0, kind: 'curvature' });
    expect(k.leftSlope).toBeCloseTo(0.5, 5);
    expect(k.rightSlope).toBeCloseTo(0.5, 5);
    expect(k.curvatureJump).toBeCloseTo(0.5, 2);
  });

  // hardGate(shift, cap) = x clamp(x + shift, 0, cap) / cap: f' is 0, then (2x + shift) / cap,
  // then 1; so with jump = right - left: -shift/cap at -shift, (shift - cap)/cap at cap - shift.
  const hard: [string, number, number][] = [
    ['hardSwish', 3, 6],
    ['hardMish', 3, 5],
    ['hMish', 2, 2],
    ['hardGate(3, 4)', 3, 4],
    ['hardGate(3, 3)', 3, 3],
  ];
  it.each(hard)('%s (shift %d, cap %d): minimum, kinks and jumps in closed form', (label, shift, cap) => {
    const f = byLabel(label);
    expect(cap > shift / 2).toBe(true);
    expect(f.minimum.x).toBeCloseTo(-shift / 2, 6);
    expect(f.minimum.y).toBeCloseTo(-(shift ** 2) / (4 * cap), 6);
    expect(f.slopeAtZero).toBeCloseTo(Math.min(shift / cap, 1), 6);
    expect(f.smoothness).toBe('C0');
    expect(f.kinks).toHaveLength(2);
    const [low, high] = f.kinks;
    expect(low.kind).toBe('slope');
    expect(low.x).toBeCloseTo(-shift, 6);
    expect(low.leftSlope).toBeCloseTo(0, 6);
    expect(low.rightSlope).toBeCloseTo(-shift / cap, 6);
    expect(low.jump).toBeCloseTo(-shift / cap, 6);
    expect(high.x).toBeCloseTo(cap - shift, 6);
    expect(high.leftSlope).toBeCloseTo((2 * cap - shift) / cap, 6);
    expect(high.rightSlope).toBeCloseTo(1, 6);
    if (cap === shift) {
      // f' is continuous there (both sides 1): only f'' jumps, from 2/cap to 0
      expect(high.kind).toBe('curvature');
      expect(high.curvatureJump).toBeCloseTo(-2 / cap, 2);
    } else {
      expect(high.kind).toBe('slope');
      expect(high.jump).toBeCloseTo((shift - cap) / cap, 6);
    }
  });

  it.each(candidates.map((c) => [c.label]))('%s: figures against the double reference', (label) => {
    const f = byLabel(label);
    const ref = references[label];
    const mish = references.mish;
    // max and mean |f - mish| on a fine grid in double
    const n = 120_000;
    let max = 0;
    let area = 0;
    let prev = 0;
    for (let i = 0; i <= n; i++) {
      const x = RANGE[0] + ((RANGE[1] - RANGE[0]) * i) / n;
      const d = Math.abs(ref.f(x) - mish.f(x));
      max = Math.max(max, d);
      if (i > 0) area += ((d + prev) / 2) * ((RANGE[1] - RANGE[0]) / n);
      prev = d;
    }
    expect(Math.abs(f.maxAbsDiffFromMish - max)).toBeLessThan(1e-6);
    expect(Math.abs(f.meanAbsDiffFromMish - area / (RANGE[1] - RANGE[0]))).toBeLessThan(1e-6);
    if (f.argMaxAbsDiff !== null) {
      const at = f.argMaxAbsDiff;
      expect(Math.abs(Math.abs(ref.f(at) - mish.f(at)) - max)).toBeLessThan(1e-6);
    }
    if (label === 'elu' || label === 'relu6') {
      // no minimum: elu falls to -1 as x -> -Infinity and relu6 is 0 on all of x <= 0, so the
      // lowest point is the range's edge
      expect(f.minimum.x).toBe(RANGE[0]);
      expect(f.minimum.y).toBeCloseTo(ref.f(RANGE[0]), 6);
    } else {
      const min = refMinimum(ref.f, -3, 0);
      expect(f.minimum.x).toBeCloseTo(min.x, 5);
      expect(f.minimum.y).toBeCloseTo(min.y, 6);
    }
    expect(f.slopeAtZero).toBeCloseTo(ref.df(0), 7);
    for (const t of f.tails.right) expect(Math.abs(t.fMinusX - (ref.f(t.x) - t.x))).toBeLessThanOrEqual(4 * ulp32(t.x));
    for (const t of f.tails.left) expect(Math.abs(t.f - ref.f(t.x))).toBeLessThanOrEqual(4 * ulp32(ref.f(t.x)));
  });

  it('aptx(1, 1, 0.5) is swish β=2, by two kernels', () => {
    const a = byLabel('aptx(1, 1, 0.5)');
    const s = byLabel('swish β=2');
    for (const key of ['maxAbsDiffFromMish', 'meanAbsDiffFromMish', 'slopeAtZero'] as const)
      expect(a[key]).toBeCloseTo(s[key], 6);
    expect(a.minimum.x).toBeCloseTo(s.minimum.x, 6);
    expect(a.minimum.y).toBeCloseTo(s.minimum.y, 6);
    expect(a.smoothness).toBe('Cinf');
  });
});

describe('cost from the bench results', () => {
  const row = (activation: string, pass: string, ms: number, extra: object = {}) => ({
    backend: 'cpu',
    threads: 1,
    activation,
    pass,
    n: 2 ** 20,
    ms,
    gbps: 1,
    vsRelu: null,
    vsCopy: null,
    ...extra,
  });
  const bench: Bench = {
    date: '2026-11-28T12:00:00Z',
    rows: [
      row('relu', 'forward', 1),
      row('relu', 'backward', 2),
      row('mish', 'forward', 1.25),
      row('mish', 'backward', 3),
      row('mish', 'forward', 0.1, { threads: 2 }),
      row('mish', 'forward', 9, { n: 2 ** 16 }),
      row('aptx', 'forward', 1.5),
      row('swish', 'forward', 1.1),
      row('swish(beta=2)', 'forward', 1.2),
      row('swish', 'backward', 2.4, { params: { beta: 2 } }),
      row('blend(mish,hardMish,0.5)', 'forward', 3),
      row('mish', 'backward', 9, { backend: 'cuda', n: 2 ** 26, roundTrip: true }),
      row('mish', 'forward', 0.5, { backend: 'cuda', n: 2 ** 26, vsRelu: 1.01 }),
      row('mish', 'forward', 0.5, { backend: 'cuda', n: 2 ** 20, vsRelu: 1.5 }),
    ],
  };
  const of = (label: string) => costOf(bench, candidates.find((c) => c.label === label) as Candidate);

  it('is relative to relu, on one thread at 2^20 elements, the GPU at its largest n', () => {
    expect(of('mish')).toEqual({
      cpu: { forward: 1.25, backward: 1.5, n: 2 ** 20, threads: 1 },
      gpu: { forward: 1.01, backward: null, n: 2 ** 26, threads: null },
    });
  });

  it('matches parameters, defaults included; null where the bench has no row', () => {
    expect(of('aptx(1, 1, 0.5)')?.cpu?.forward).toBe(1.5);
    expect(of('swish β=2')?.cpu).toMatchObject({ forward: 1.2, backward: 1.2 });
    expect(of('silu')?.cpu).toBeNull(); // the bench timed swish (β 1), not 'silu' by that name
    expect(of('hardGate(3, 4)')).toEqual({ cpu: null, gpu: null });
    expect(costOf(null, candidates[0])).toBeNull();
  });

  it('the committed report is what npm run report writes from the run docs/benchmarks.md leads with', () => {
    const published = JSON.parse(readFileSync(join(__dirname, '..', PUBLISHED[0]), 'utf8'));
    const fresh = analyze(published);
    expect(json(fresh)).toBe(readFileSync(join(__dirname, '..', 'report', 'approximations.json'), 'utf8'));
  });
});

describe('the outputs', () => {
  it('writes four charts with axes, ticks and a legend naming every function', () => {
    const svgs = plots(report);
    expect(Object.keys(svgs).sort()).toEqual(['curves.svg', 'derivatives.svg', 'difference.svg', 'minima.svg']);
    for (const svg of Object.values(svgs)) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
      for (const c of candidates) expect(svg).toContain(`>${c.label}</text>`);
    }
  });

  it('markdown has the table and names where the cost comes from', () => {
    const md = markdown(report, { isa: 'avx2', bench: null });
    expect(md).toContain('| `hardGate(3, 3)` | 0.4558 |');
    expect(md).toContain('No bench results were found');
  });

  it('ticks are round numbers covering the range', () => {
    expect(ticks(-6, 6, 12)).toEqual([-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
    expect(ticks(-0.8, 0.55, 8)).toEqual([-0.8, -0.6, -0.4, -0.2, 0, 0.2, 0.4]);
    const svg = lineChart({
      title: 'a < b',
      xLabel: 'x',
      yLabel: 'y',
      xRange: [0, 1],
      series: [{ label: 'line', x: [0, 0.5, 1], y: [0, Number.NaN, 1], color: '#000' }],
    });
    expect(svg).toContain('<title>a &lt; b</title>');
  });
});
