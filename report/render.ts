// The report's outputs from its figures: the plots (SVG), the tables (Markdown) and the JSON.
import {
  activationOf,
  type Candidate,
  candidates,
  type FunctionReport,
  type Kernel,
  kernel,
  RANGE,
  type Report,
} from './analyze';
import { type Chart, lineChart, panelChart, type Series } from './svg';

// Mish is the wide grey line underneath; the smooth stand-ins solid, the hard ones dashed, the
// piecewise ones dash-dotted; aptx (the same function as swish β=2) dotted on top of it.
const styles: Record<string, Pick<Series, 'color' | 'dash' | 'width' | 'opacity'>> = {
  mish: { color: '#000000', width: 5, opacity: 0.3 },
  silu: { color: '#1f77b4' },
  'swish β=2': { color: '#17becf', width: 4 },
  'aptx(1, 1, 0.5)': { color: '#6a3d9a', dash: '1 5', width: 2.5 },
  hardSwish: { color: '#d62728', dash: '8 4' },
  hardMish: { color: '#ff7f0e', dash: '8 4' },
  hMish: { color: '#8c564b', dash: '8 4' },
  'hardGate(3, 4)': { color: '#e377c2', dash: '3 3' },
  'hardGate(3, 3)': { color: '#7f7f7f', dash: '3 3' },
  approxMish: { color: '#2ca02c', dash: '10 3 2 3' },
  linearSwish: { color: '#b8860b', dash: '10 3 2 3' },
  // what Mish is weighed against: gelu solid, geluTanh (its tanh approximation) dotted on top
  gelu: { color: '#9467bd', width: 3 },
  geluTanh: { color: '#bcbd22', dash: '2 4', width: 2.5 },
  elu: { color: '#393b79', dash: '10 3 2 3' },
  relu6: { color: '#e6550d', dash: '6 2' },
};

interface Sampled {
  candidate: Candidate;
  report: FunctionReport;
  x: Float32Array;
  f: Float32Array;
  df: Float32Array;
}

// Samples on [lo, hi] plus both sides of every kink, so that corners are sharp and the jumps of
// f' are gaps rather than vertical lines.
function sample(c: Candidate, report: FunctionReport, k: Kernel, lo: number, hi: number, step: number): Sampled {
  const xs: number[] = [];
  for (let x = lo; x <= hi; x += step) xs.push(x);
  for (const kink of report.kinks) if (kink.x > lo && kink.x < hi) xs.push(kink.x - 1e-6, kink.x, kink.x + 1e-6);
  const x = Float32Array.from(xs).sort();
  const f = k.f(x);
  const df = k.df(x);
  for (const kink of report.kinks) {
    if (kink.kind !== 'slope') continue;
    for (let i = 0; i < x.length; i++) if (x[i] === Math.fround(kink.x)) df[i] = Number.NaN;
  }
  return { candidate: c, report, x, f, df };
}

function series(s: Sampled, y: ArrayLike<number>): Series {
  return { label: s.candidate.label, x: s.x, y, ...styles[s.candidate.label] };
}

export function plots(report: Report, list: readonly Candidate[] = candidates): Record<string, string> {
  const kernels = list.map((c) => kernel(activationOf(c)));
  const wide = list.map((c, i) => sample(c, report.functions[i], kernels[i], -6, 6, 2 ** -7));
  const zoom = list.map((c, i) => sample(c, report.functions[i], kernels[i], -3, 0.5, 2 ** -9));
  // Fourteen lines in one plot cannot be told apart: each multi-line plot is four panels, mish
  // (the wide grey line) in every one as the reference.
  const grouped = (title: string, make: (group: Sampled[], name: string) => Chart): string =>
    panelChart(
      title,
      GROUPS.map(([name, labels]) =>
        make(
          wide.filter((s) => s.candidate.label === 'mish' || labels.includes(s.candidate.label)),
          name,
        ),
      ),
    );
  const files: Record<string, string> = {
    'curves.svg': grouped('Mish and its stand-ins', (g, name) => ({
      title: name,
      xLabel: 'x',
      yLabel: 'f(x)',
      xRange: [-6, 6],
      yRange: [-1, 6],
      series: g.map((s) => series(s, s.f)),
    })),
    'derivatives.svg': grouped("First derivatives (gaps: jumps of f')", (g, name) => ({
      title: name,
      xLabel: 'x',
      yLabel: "f'(x)",
      xRange: [-6, 6],
      yRange: [-1.1, 1.6],
      series: g.map((s) => series(s, s.df)),
    })),
    'difference.svg': grouped('Difference from Mish (elu leaves the chart below: it falls to −1)', (g, name) => ({
      title: name,
      xLabel: 'x',
      yLabel: 'f(x) − mish(x)',
      xRange: [-6, 6],
      yRange: [-0.5, 0.35],
      series: g.map((s) => series(s, differenceFromMish(s, kernels[0]))),
    })),
    'minima.svg': lineChart({
      title: 'Around the minima (dots: the global minimum)',
      xLabel: 'x',
      yLabel: 'f(x)',
      xRange: [-3, 0.5],
      yRange: [-0.8, 0.55],
      series: zoom.map((s) => series(s, s.f)),
      markers: zoom
        .filter((s) => hasMinimum(s.report))
        .map((s) => ({ ...s.report.minimum, color: styles[s.candidate.label].color })),
    }),
  };
  return files;
}

/** The panels of the multi-line plots: a name and the stand-ins drawn beside mish in it. */
const GROUPS: Array<[string, string[]]> = [
  ['Smooth: the swish family', ['silu', 'swish β=2', 'aptx(1, 1, 0.5)']],
  ['Hard: x · a clamped line', ['hardSwish', 'hardMish', 'hMish', 'hardGate(3, 4)', 'hardGate(3, 3)']],
  ['Piecewise smooth', ['approxMish', 'linearSwish']],
  ['What Mish is weighed against', ['gelu', 'geluTanh', 'elu', 'relu6']],
];

function differenceFromMish(s: Sampled, mishKernel: Kernel): Float32Array {
  const m = mishKernel.f(s.x);
  return s.f.map((v, i) => v - m[i]);
}

// ---- Markdown ----

const fmt = (v: number | null | undefined, digits = 6): string => {
  if (v === null || v === undefined) return '–';
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e-3) return String(Number(v.toFixed(digits)));
  return v.toExponential(2);
};

const ratio = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(2)}×`);

export function labelOf(f: FunctionReport, list: readonly Candidate[] = candidates): string {
  const c = list.find((c) => c.name === f.name && JSON.stringify(c.params) === JSON.stringify(f.params));
  return c?.label ?? f.name;
}

function kinksText(f: FunctionReport): string {
  if (f.kinks.length === 0) return 'none';
  return f.kinks
    .map((k) =>
      k.kind === 'slope' ? `${fmt(k.x)} (f′ ${fmt(k.jump, 4)})` : `${fmt(k.x)} (f″ ${fmt(k.curvatureJump, 2)})`,
    )
    .join(', ');
}

/** elu decreases all the way left (to -alpha): its lowest grid point is the edge of the range. */
const hasMinimum = (f: FunctionReport): boolean => f.minimum.x > RANGE[0];

/** The main table: closeness to Mish, minimum, slope at 0, smoothness, kinks, CPU cost. */
export function summaryTable(report: Report): string {
  const head =
    '| function | max \\|f − mish\\| on [−6, 6] | at x | mean \\|f − mish\\| | minimum (x, y) | f′(0) | smoothness | kinks: x (jump) | CPU time ×relu (fwd / bwd) |\n' +
    '| --- | ---: | ---: | ---: | --- | ---: | --- | --- | --- |\n';
  const rows = report.functions.map((f) => {
    const cpu = f.cost?.cpu;
    const cost = cpu ? `${ratio(cpu.forward)} / ${ratio(cpu.backward)}` : '–';
    return `| \`${labelOf(f)}\` | ${fmt(f.maxAbsDiffFromMish, 4)} | ${fmt(f.argMaxAbsDiff, 3)} | ${fmt(f.meanAbsDiffFromMish, 4)} | ${hasMinimum(f) ? `(${fmt(f.minimum.x)}, ${fmt(f.minimum.y)})` : `none (${fmt(f.minimum.y)} at x = ${fmt(f.minimum.x)})`} | ${fmt(f.slopeAtZero, 4)} | ${f.smoothness} | ${kinksText(f)} | ${cost} |`;
  });
  return head + rows.join('\n');
}

function tailsTable(report: Report): string {
  const first = report.functions[0].tails;
  const head =
    `| function | ${first.right.map((t) => `f(${t.x}) − ${t.x}`).join(' | ')} | ${first.left.map((t) => `f(${t.x})`).join(' | ')} |\n` +
    `|---|${'---:|'.repeat(first.right.length + first.left.length)}\n`;
  return (
    head +
    report.functions
      .map(
        (f) =>
          `| \`${labelOf(f)}\` | ${f.tails.right.map((t) => fmt(t.fMinusX, 6)).join(' | ')} | ${f.tails.left.map((t) => fmt(t.f, 6)).join(' | ')} |`,
      )
      .join('\n')
  );
}

function kinkTable(report: Report): string {
  const rows = report.functions.flatMap((f) =>
    f.kinks.map(
      (k) =>
        `| \`${labelOf(f)}\` | ${fmt(k.x)} | ${k.kind === 'slope' ? 'f′ jumps' : 'only f″ jumps'} | ${fmt(k.leftSlope, 4)} | ${fmt(k.rightSlope, 4)} | ${fmt(k.kind === 'slope' ? k.jump : 0, 4)} | ${fmt(k.leftCurvature, 3)} | ${fmt(k.rightCurvature, 3)} |`,
    ),
  );
  return (
    '| function | x | kind | f′ left | f′ right | f′ jump | f″ left | f″ right |\n' +
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n' +
    rows.join('\n')
  );
}

function costTable(report: Report): string {
  const rows = report.functions.map((f) => {
    const cpu = f.cost?.cpu;
    const gpu = f.cost?.gpu;
    return `| \`${labelOf(f)}\` | ${ratio(cpu?.forward)} | ${ratio(cpu?.backward)} | ${ratio(gpu?.forward)} | ${ratio(gpu?.backward)} |`;
  });
  return (
    '| function | CPU forward | CPU backward | GPU forward | GPU backward |\n| --- | ---: | ---: | ---: | ---: |\n' +
    rows.join('\n')
  );
}

const size = (n: number) => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));

export interface Context {
  isa: string;
  bench: string | null;
}

export function markdown(report: Report, context: Context): string {
  const costs = report.functions.map((f) => f.cost).find((c) => c !== null);
  const cpu = report.functions.map((f) => f.cost?.cpu).find((c) => c);
  const gpu = report.functions.map((f) => f.cost?.gpu).find((c) => c);
  const benchLine = context.bench
    ? `Time relative to relu's, from \`${context.bench}\`${cpu ? `; CPU: ${cpu.threads === 1 ? 'one thread' : `${cpu.threads} threads`}, n = ${size(cpu.n)}` : ''}${gpu ? `; GPU kernels: n = ${size(gpu.n)}` : ''}. – where that run has no row for the function (for instance a parameter set it did not time).`
    : 'No bench results were found (`npm run bench` writes them to bench/results/): no cost figures yet.';
  return `# How close is each stand-in to Mish?

Generated by \`npm run report\` (report/main.ts) from the library's own float32 kernels
(${context.isa} path: they all give the same bits), through the public API. Figures: report/approximations.json.

![The curves on [−6, 6]](curves.svg)

${summaryTable(report)}

- max and mean of |f − mish| on a grid of step 2^−12 over [−6, 6] (mean: trapezoid rule / 12);
  the place of the max refined where (f − mish)′ changes sign, from backward().
- minimum: the lowest grid point, refined where f′ (backward with dy = 1) changes sign: bisection
  over float32 inputs, then the chord's root in double.
- smoothness: C0 where f′ jumps somewhere, C1 where only f″ does, Cinf where neither was found
  on [−10, 10].
- aptx(1, 1, 0.5) is swish β=2 (APTx(1, β, ½) = swish(2β)): the same figures, two kernels;
  approxMish is silu for x ≤ 0 (the same minimum; its curve hides silu's there).
- gelu, geluTanh and elu are what Mish is usually weighed against (silu too); geluTanh is
  PyTorch's tanh approximation of gelu, and elu (α = 1) has no minimum: it falls to −1 as x → −∞.

## Kinks

Found from backward(): the second difference of f′ on a grid of step 2^−11 over [−10, 10] stands
out of the float32 noise (threshold 2·10^−5) where f′ or f″ jumps. Each candidate is located by
bisection (a point belongs to the side whose one-sided quadratic model of f′ fits it better),
to about 10^−6; the one-sided f′ and f″ come from quadratic fits of f′ at 1, 2, 3 × 2^−8 from it.
jump = right − left.

${kinkTable(report)}

![First derivatives](derivatives.svg)

## Tails

f(x) − x far right and f(x) far left, from the float32 kernels: 0 on the right means f(x)
rounds to x in float32 (|f(x) − x| < ulp(x)/2, at most 6·10^−8 · x), not necessarily that it is x
(the hard variants are exactly x there, and exactly 0 on the left).

${tailsTable(report)}

![Difference from Mish](difference.svg)

## Cost

${benchLine}

${costs ? costTable(report) : ''}

![Around the minima](minima.svg)
`;
}

/** The JSON, numbers to 7 significant digits (what float32 resolves). */
export function json(report: Report): string {
  return `${JSON.stringify(report, (_, v) => (typeof v === 'number' ? Number(v.toPrecision(7)) : v), 2)}\n`;
}
