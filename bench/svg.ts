// The chart: each activation's time relative to relu's (same size, pass, backend, threads), one
// panel per pass (forward, backward) and per backend/thread count. A panel with one size (the
// quick run) draws labelled bars; with several sizes, one line per activation against size on a
// log scale of the ratio, so that the 1x, 1.5x and 8x groups stay apart, each line named at its
// right end. Pure.
import type { Results, Row } from './results';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#393b79',
  '#e7969c',
];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export interface Style {
  color: string;
  width: number;
  dash: string;
}

export function styleOf(name: string, index: number): Style {
  if (name === 'relu') return { color: '#000000', width: 3, dash: '' };
  if (name === 'copy') return { color: '#888888', width: 2.5, dash: '7 4' };
  return { color: PALETTE[index % PALETTE.length], width: 1.8, dash: DASHES[Math.floor(index / 4) % DASHES.length] };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const times = (v: number): string => `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}×`;

// A round step (1, 2 or 5 times a power of ten) giving about `count` ticks up to `max`.
export function niceStep(max: number, count = 5): number {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

/** One point of a panel: an activation's time over relu's at size n. */
export interface Point {
  activation: string;
  n: number;
  ratio: number;
}

export interface Panel {
  title: string;
  points: Point[];
  sizes: number[];
}

// Time over relu's time of the same pass at the same size; copy against relu of the panel's pass.
function ratios(rows: Row[], pass: 'forward' | 'backward'): Point[] {
  const out: Point[] = [];
  for (const r of rows) {
    const relu = rows.find((q) => q.activation === 'relu' && q.pass === pass && q.n === r.n);
    if (relu && r.ms > 0 && relu.ms > 0) out.push({ activation: r.activation, n: r.n, ratio: r.ms / relu.ms });
  }
  return out;
}

export function panels(doc: Results): Panel[] {
  const out: Panel[] = [];
  const host = doc.rows.filter((r) => r.backend === 'cpu');
  const threads = [...new Set(host.map((r) => r.threads))].sort((a, b) => a - b);
  const groups: Array<[string, Row[]]> = threads.map((t) => [
    `CPU, ${t} thread${t > 1 ? 's' : ''}`,
    host.filter((r) => r.threads === t),
  ]);
  groups.push(['GPU', doc.rows.filter((r) => r.backend === 'cuda' && !r.roundTrip)]);
  for (const [name, rows] of groups)
    for (const pass of ['forward', 'backward'] as const) {
      const own = rows.filter((r) => r.pass === pass || r.activation === 'copy');
      const points = ratios(own, pass);
      if (!points.some((p) => p.activation !== 'copy' && p.activation !== 'relu')) continue;
      const sizes = [...new Set(points.map((p) => p.n))].sort((a, b) => a - b);
      out.push({ title: `${name}: ${pass}`, points, sizes });
    }
  return out;
}

const pow2 = (n: number): string => {
  const e = Math.log2(n);
  return Number.isInteger(e) ? `2<tspan dy="-5" font-size="8">${e}</tspan>` : String(n);
};

// ---- one size: bars ------------------------------------------------------------------------

const BAR = 17;
const BAR_W = 520;
const BAR_M = { left: 170, right: 60, top: 30, bottom: 40 };

function barHeight(p: Panel): number {
  return BAR_M.top + BAR_M.bottom + BAR * new Set(p.points.map((q) => q.activation)).size;
}

function bars(p: Panel, x0: number, y0: number, order: string[]): string {
  const items = [...p.points].sort((a, b) => rank(a.activation, order) - rank(b.activation, order));
  const top = Math.max(...items.map((q) => q.ratio));
  const step = niceStep(top);
  const xMax = Math.ceil(top / step) * step;
  const pw = BAR_W - BAR_M.left - BAR_M.right;
  const ph = BAR * items.length;
  const sx = (v: number) => x0 + BAR_M.left + (v / xMax) * pw;
  const parts = [
    `<text x="${x0 + 10}" y="${y0 + 18}" font-weight="bold">${esc(p.title)}, n = ${pow2(p.sizes[0])}</text>`,
  ];
  for (let g = 0; g <= xMax + step / 2; g += step) {
    const x = sx(g).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${y0 + BAR_M.top}" y2="${y0 + BAR_M.top + ph}" stroke="#e4e4e4"/>`,
      `<text x="${x}" y="${y0 + BAR_M.top + ph + 14}" text-anchor="middle">${+g.toPrecision(3)}×</text>`,
    );
  }
  const one = sx(1).toFixed(1); // relu's time, under the bars
  parts.push(
    `<line x1="${one}" x2="${one}" y1="${y0 + BAR_M.top - 4}" y2="${y0 + BAR_M.top + ph}" stroke="#000" stroke-dasharray="3 2"/>`,
  );
  items.forEach((q, i) => {
    const y = y0 + BAR_M.top + i * BAR;
    const s = styleOf(q.activation, order.indexOf(q.activation));
    const w = Math.max(1, sx(q.ratio) - sx(0));
    parts.push(
      `<text x="${x0 + BAR_M.left - 6}" y="${y + BAR / 2}" text-anchor="end" dominant-baseline="middle">${esc(label(q.activation))}</text>`,
      `<rect class="bar" x="${sx(0).toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${BAR - 4}" fill="${s.color}"><title>${esc(q.activation)}: ${times(q.ratio)}</title></rect>`,
      `<text x="${(sx(0) + w + 4).toFixed(1)}" y="${y + BAR / 2}" dominant-baseline="middle">${times(q.ratio)}</text>`,
    );
  });
  parts.push(
    `<text x="${x0 + BAR_M.left + pw / 2}" y="${y0 + BAR_M.top + ph + 32}" text-anchor="middle">time per call / relu's time (shorter is faster)</text>`,
  );
  return parts.join('\n');
}

// ---- several sizes: lines on a log scale ---------------------------------------------------

const LINE_W = 600;
const LINE_H = 340;
const LINE_M = { left: 58, right: 170, top: 30, bottom: 42 };

function lines(p: Panel, x0: number, y0: number, order: string[]): string {
  const lo = Math.log2(p.sizes[0]);
  const hi = Math.max(Math.log2(p.sizes.at(-1) ?? p.sizes[0]), lo + 1);
  const logs = p.points.map((q) => Math.log2(q.ratio));
  const yLo = Math.floor(Math.min(0, ...logs) * 2) / 2; // half powers of two
  const yHi = Math.ceil(Math.max(1, ...logs) * 2) / 2;
  const pw = LINE_W - LINE_M.left - LINE_M.right;
  const ph = LINE_H - LINE_M.top - LINE_M.bottom;
  const sx = (n: number) => x0 + LINE_M.left + ((Math.log2(n) - lo) / (hi - lo)) * pw;
  const sy = (ratio: number) => y0 + LINE_M.top + ph - ((Math.log2(ratio) - yLo) / (yHi - yLo)) * ph;
  const parts: string[] = [
    `<text x="${x0 + LINE_M.left}" y="${y0 + 18}" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${x0 + LINE_M.left}" y="${y0 + LINE_M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
  ];
  for (let e = Math.ceil(yLo); e <= yHi; e++) {
    const y = sy(2 ** e).toFixed(1);
    parts.push(
      `<line x1="${x0 + LINE_M.left}" x2="${x0 + LINE_M.left + pw}" y1="${y}" y2="${y}" stroke="${e === 0 ? '#999' : '#e4e4e4'}"/>`,
      `<text x="${x0 + LINE_M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${+(2 ** e).toPrecision(3)}×</text>`,
    );
  }
  const every = hi - lo > 12 ? 2 : 1; // label every other power when they would crowd
  for (let e = Math.ceil(lo); e <= hi; e += every) {
    const x = sx(2 ** e).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${y0 + LINE_M.top + ph}" y2="${y0 + LINE_M.top + ph + 4}" stroke="#444"/>`,
      `<text x="${x}" y="${y0 + LINE_M.top + ph + 16}" text-anchor="middle">${pow2(2 ** e)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + LINE_M.left + pw / 2}" y="${y0 + LINE_H - 6}" text-anchor="middle">elements (n)</text>`,
    `<text transform="translate(${x0 + 14} ${y0 + LINE_M.top + ph / 2}) rotate(-90)" text-anchor="middle">time / relu's (log scale)</text>`,
  );
  // references last, so that they are drawn on top
  const names = [...new Set(p.points.map((q) => q.activation))].sort(
    (a, b) => Number(a === 'relu' || a === 'copy') - Number(b === 'relu' || b === 'copy'),
  );
  const ends: Array<{ name: string; y: number; color: string }> = [];
  for (const name of names) {
    const pts = p.points.filter((q) => q.activation === name).sort((a, b) => a.n - b.n);
    const s = styleOf(name, order.indexOf(name));
    const d = pts.map((q) => `${sx(q.n).toFixed(1)},${sy(q.ratio).toFixed(1)}`).join(' ');
    const attrs = `fill="none" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}`;
    const last = pts[pts.length - 1];
    parts.push(
      pts.length > 1
        ? `<polyline points="${d}" ${attrs}><title>${esc(name)}</title></polyline>`
        : `<circle cx="${sx(last.n).toFixed(1)}" cy="${sy(last.ratio).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(name)}</title></circle>`,
    );
    ends.push({ name, y: sy(last.ratio), color: s.color });
  }
  // Names at the right edge, in the order of the lines' ends, pushed apart to be legible.
  ends.sort((a, b) => a.y - b.y);
  const gap = 11;
  const placed = spread(
    ends.map((e) => e.y),
    gap,
    y0 + LINE_M.top,
    y0 + LINE_M.top + ph,
  );
  const xr = x0 + LINE_M.left + pw;
  ends.forEach((e, i) => {
    parts.push(
      `<line x1="${xr}" x2="${xr + 8}" y1="${e.y.toFixed(1)}" y2="${placed[i].toFixed(1)}" stroke="${e.color}"/>`,
      `<text x="${xr + 11}" y="${placed[i].toFixed(1)}" dominant-baseline="middle" fill="${e.color === '#000000' ? '#000' : e.color}">${esc(label(e.name))}</text>`,
    );
  });
  return parts.join('\n');
}

/** Positions near `ys` (sorted), at least `gap` apart, within [lo, hi] when they fit. Pure. */
export function spread(ys: number[], gap: number, lo: number, hi: number): number[] {
  const out = ys.map((y) => Math.min(hi, Math.max(lo, y)));
  for (let i = 1; i < out.length; i++) out[i] = Math.max(out[i], out[i - 1] + gap);
  const over = out.length ? out[out.length - 1] - hi : 0;
  if (over > 0) {
    out[out.length - 1] -= over;
    for (let i = out.length - 2; i >= 0; i--) out[i] = Math.min(out[i], out[i + 1] - gap);
  }
  return out;
}

const label = (name: string): string => (name === 'copy' ? 'copy (memory bound)' : name);
const rank = (name: string, order: string[]): number =>
  name === 'relu' ? -2 : name === 'copy' ? -1 : order.indexOf(name);

/** The whole chart: panels two per row (forward, backward). */
export function chart(doc: Results): string {
  const ps = panels(doc);
  const order = [...new Set(doc.rows.map((r) => r.activation))].filter((a) => a !== 'relu' && a !== 'copy');
  const cols = 2;
  const oneSize = ps.every((p) => p.sizes.length === 1);
  const cellW = oneSize ? BAR_W : LINE_W;
  const rowH: number[] = [];
  for (let i = 0; i < ps.length; i += cols)
    rowH.push(Math.max(...ps.slice(i, i + cols).map((p) => (p.sizes.length === 1 ? barHeight(p) : LINE_H))));
  const width = cols * cellW;
  const height = 40 + rowH.reduce((a, b) => a + b, 0) + 10;
  const body = ps.map((p, i) => {
    const x0 = (i % cols) * cellW;
    const y0 = 40 + rowH.slice(0, Math.floor(i / cols)).reduce((a, b) => a + b, 0);
    return p.sizes.length === 1 ? bars(p, x0, y0, order) : lines(p, x0, y0, order);
  });
  const m = doc.machine;
  const what = oneSize ? 'Time relative to relu' : 'Time relative to relu, by size';
  const title = `${what}: ${m.cpu} (${m.isa})${m.gpu ? ` and ${m.gpu}` : ''}, ${doc.date.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
