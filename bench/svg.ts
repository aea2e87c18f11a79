// The chart of a run: throughput (elements per second, longer is faster) of every function as
// horizontal bars, one bar per thread count in two distinct colours, labelled with the
// throughput and the time over relu's (same size, pass, backend and threads). One panel per pass
// (forward, backward) and size. Every CPU panel shares one x scale, so bars compare across
// sizes and passes; the GPU panels share another (a GPU is about a hundred times faster, so on
// the CPU's scale its bars would not fit, and the CPU's would vanish on the GPU's). Sizes below
// 2^10 (per-call timings) are left to the tables: their throughput says little. The caption
// names the run: machine, ISA, date, commit, and the load average at its start and end. Pure.
import { type Dtype, dtypeOf, isHalf } from './half';
import type { Results, Row } from './results';

/** Colour per thread count (at most two are timed: one and all); relu's bars are outlined. */
export const THREAD_COLOURS = ['#1f77b4', '#e6550d', '#31a354', '#756bb1'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// A round step (1, 2 or 5 times a power of ten) giving about `count` ticks up to `max`.
export function niceStep(max: number, count = 5): number {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

/** Elements per second with a unit: 1.2 G/s, 340 M/s. */
export function rate(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toPrecision(3)} G/s`;
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)} M/s`;
  return `${(v / 1e3).toPrecision(3)} k/s`;
}

export interface Panel {
  title: string;
  backend: 'cpu' | 'cuda';
  n: number;
  pass: 'forward' | 'backward';
  dtype: Dtype;
  /** per function, its rows (one per thread count) */
  groups: Array<{ activation: string; rows: Row[] }>;
}

/** The sizes drawn: 2^20 and 2^24 where the run has them (the sizes of the targets), else its largest. */
function sizesOf(rows: Row[], preferred: number[]): number[] {
  const all = [...new Set(rows.map((r) => r.n))].filter((n) => n >= 2 ** 10).sort((a, b) => a - b);
  const chosen = all.filter((n) => preferred.includes(n));
  return chosen.length ? chosen : all.slice(-1);
}

export function panels(doc: Results): Panel[] {
  const out: Panel[] = [];
  const kinds: Array<['cpu' | 'cuda', Row[], number[]]> = [
    ['cpu', doc.rows.filter((r) => r.backend === 'cpu'), [2 ** 20, 2 ** 24]],
    ['cuda', doc.rows.filter((r) => r.backend === 'cuda' && !r.roundTrip), [2 ** 26, 2 ** 28]],
  ];
  const dtypes = (['float32', 'bfloat16', 'float16'] as const).filter((d) => doc.rows.some((r) => dtypeOf(r) === d));
  for (const [backend, rows, preferred] of kinds)
    for (const n of sizesOf(rows, preferred))
      for (const dtype of dtypes)
        for (const pass of ['forward', 'backward'] as const) {
          const at = rows.filter(
            (r) => r.n === n && dtypeOf(r) === dtype && (r.pass === pass || r.activation === 'copy'),
          );
          const names = [...new Set(at.map((r) => r.activation))];
          // relu and copy first: the references the others are read against
          names.sort((a, b) => rank(a) - rank(b));
          if (!names.some((a) => a !== 'copy' && a !== 'relu')) continue;
          const where = backend === 'cpu' ? 'CPU' : 'GPU';
          out.push({
            title: `${where} ${pass}${isHalf(dtype) ? `, ${dtype}` : ''}, n = ${n}`,
            backend,
            n,
            pass,
            dtype,
            groups: names.map((activation) => ({
              activation,
              rows: at.filter((r) => r.activation === activation).sort((a, b) => a.threads - b.threads),
            })),
          });
        }
  return out;
}

/** A throughput ratio: 1.85, or two significant digits below 0.01. */
export const gain = (v: number): string => (v >= 0.01 ? v.toFixed(2) : v.toPrecision(2));

const rank = (name: string): number => (name === 'copy' ? 0 : name === 'relu' ? 1 : 2);
const pow2 = (n: number): string => {
  const e = Math.log2(n);
  return Number.isInteger(e) ? `2<tspan dy="-5" font-size="8">${e}</tspan>` : String(n);
};

const BAR = 11; // one thread count's bar
const GAP = 5; // between functions
const PANEL_W = 600;
const M = { left: 168, right: 140, top: 28, bottom: 34 };

function panelHeight(p: Panel, threads: number): number {
  return M.top + M.bottom + p.groups.length * (threads * BAR + GAP);
}

function drawPanel(p: Panel, x0: number, y0: number, xMax: number, threads: number[]): string {
  const pw = PANEL_W - M.left - M.right;
  const rowH = threads.length * BAR + GAP;
  const ph = p.groups.length * rowH;
  const sx = (v: number) => x0 + M.left + (v / xMax) * pw;
  const step = niceStep(xMax);
  const title = `${esc(p.title.replace(/n = \d+$/, 'n = '))}${pow2(p.n)}`;
  const parts = [`<text x="${x0 + 10}" y="${y0 + 18}" font-weight="bold">${title}</text>`];
  for (let g = 0; g <= xMax + step / 2; g += step) {
    const x = sx(g).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${y0 + M.top}" y2="${y0 + M.top + ph}" stroke="#e4e4e4"/>`,
      `<text x="${x}" y="${y0 + M.top + ph + 13}" text-anchor="middle">${+(g / 1e9).toPrecision(3)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + M.left + pw / 2}" y="${y0 + M.top + ph + 28}" text-anchor="middle">billion elements per second (longer is faster)</text>`,
  );
  p.groups.forEach((g, i) => {
    const y = y0 + M.top + i * rowH;
    const ref = g.activation === 'relu' || g.activation === 'copy';
    parts.push(
      `<text x="${x0 + M.left - 6}" y="${y + (threads.length * BAR) / 2}" text-anchor="end" dominant-baseline="middle"${ref ? ' font-weight="bold"' : ''}>${esc(g.activation === 'copy' ? `copy (1 thread${isHalf(p.dtype) ? ', 16-bit' : ''})` : g.activation)}</text>`,
    );
    for (const r of g.rows) {
      const k = threads.indexOf(r.threads);
      const yb = y + k * BAR;
      const w = Math.max(1, sx(r.elementsPerS) - sx(0));
      // float32 bars read against relu; 16-bit ones against the same function in float32
      const vs = isHalf(p.dtype)
        ? r.activation === 'copy' || r.vsFloat32 == null
          ? ''
          : `, ${gain(1 / r.vsFloat32)}× float32`
        : r.activation === 'copy' || r.activation === 'relu' || r.vsRelu == null
          ? ''
          : `, ${r.vsRelu.toFixed(2)}× relu`;
      const text = `${rate(r.elementsPerS)}${vs}`;
      parts.push(
        `<rect class="bar" x="${sx(0).toFixed(1)}" y="${yb + 1}" width="${w.toFixed(1)}" height="${BAR - 2}" fill="${THREAD_COLOURS[k % THREAD_COLOURS.length]}"${ref ? ' stroke="#000" stroke-width="1"' : ''}><title>${esc(`${r.activation}, ${r.threads} thread(s): ${text}, ${r.ms.toPrecision(3)} ms`)}</title></rect>`,
        `<text x="${(sx(0) + w + 4).toFixed(1)}" y="${yb + BAR / 2}" dominant-baseline="middle" font-size="9">${esc(text)}</text>`,
      );
    }
  });
  return parts.join('\n');
}

/** The whole chart: forward and backward side by side, one row of panels per size. */
export function chart(doc: Results): string {
  const ps = panels(doc);
  const threads = [...new Set(doc.rows.filter((r) => r.n >= 2 ** 10).map((r) => r.threads))].sort((a, b) => a - b);
  const cols = 2;
  const scale = (backend: 'cpu' | 'cuda') => {
    const top = Math.max(
      1e6,
      ...ps
        .filter((p) => p.backend === backend)
        .flatMap((p) => p.groups.flatMap((g) => g.rows.map((r) => r.elementsPerS))),
    );
    const step = niceStep(top);
    return Math.ceil(top / step) * step;
  };
  const xMax = { cpu: scale('cpu'), cuda: scale('cuda') };
  const rowH: number[] = [];
  for (let i = 0; i < ps.length; i += cols)
    rowH.push(Math.max(...ps.slice(i, i + cols).map((p) => panelHeight(p, threads.length))));
  // 16-bit panels add a line to the head: what their bars' ratio is
  const halfPanels = ps.some((p) => isHalf(p.dtype));
  const shift = halfPanels ? 15 : 0;
  const head = 88 + shift;
  const width = cols * PANEL_W;
  const height = head + rowH.reduce((a, b) => a + b, 0) + 10;
  const body = ps.map((p, i) => {
    const x0 = (i % cols) * PANEL_W;
    const y0 = head + rowH.slice(0, Math.floor(i / cols)).reduce((a, b) => a + b, 0);
    return drawPanel(p, x0, y0, xMax[p.backend], threads);
  });
  const m = doc.machine;
  const load = doc.load
    ? `load average ${doc.load.start.toFixed(1)} at the start, ${doc.load.end.toFixed(1)} at the end, on ${doc.load.cores} cores`
    : 'load average not recorded';
  const title = `Throughput of each function: ${m.cpu} (${m.isa})${m.gpu ? ` and ${m.gpu}` : ''}`;
  const caption = `${doc.date.slice(0, 16).replace('T', ' ')} UTC, commit ${doc.commit ?? 'not recorded'}, ${load}`;
  const gpuNote = ps.some((p) => p.backend === 'cuda') ? '; the GPU panels have their own scale' : '';
  const legend = threads
    .map(
      (t, k) =>
        `<rect x="${20 + k * 130}" y="${62 + shift}" width="14" height="10" fill="${THREAD_COLOURS[k % THREAD_COLOURS.length]}"/><text x="${38 + k * 130}" y="${71 + shift}">${t} thread${t > 1 ? 's' : ''}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${width / 2}" y="40" text-anchor="middle">${esc(caption)}</text>`,
    `<text x="${width / 2}" y="55" text-anchor="middle">${esc(`Each bar: elements per second and time ÷ relu's at the same size, pass and threads; every CPU panel on one scale${gpuNote}`)}</text>`,
    ...(halfPanels
      ? [
          `<text x="${width / 2}" y="70" text-anchor="middle">${esc("In the bfloat16 and float16 panels (x, dy, out of 16 bits): elements per second and that over the same function's in float32 at the same size, pass and threads (above 1: faster)")}</text>`,
        ]
      : []),
    legend,
    `<text x="${20 + threads.length * 130}" y="${71 + shift}">copy: one thread in each colour, timed with that group's rows</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
