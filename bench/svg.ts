// The chart: throughput (elements/s) against size, one line per activation, relu and copy as
// the references; one panel per pass (forward, backward) and per backend/thread count. Pure.
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
  return { color: PALETTE[index % PALETTE.length], width: 1.6, dash: DASHES[Math.floor(index / 4) % DASHES.length] };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// A round step (1, 2 or 5 times a power of ten) giving about `count` ticks up to `max`.
export function niceStep(max: number, count = 5): number {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

interface Panel {
  title: string;
  rows: Row[];
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
      const own = rows.filter((r) => r.pass === pass || (pass === 'backward' && r.activation === 'copy'));
      if (own.some((r) => r.activation !== 'copy')) out.push({ title: `${name}: ${pass}`, rows: own });
    }
  return out;
}

const W = 460;
const H = 300;
const M = { left: 58, right: 14, top: 30, bottom: 42 };

function panel(p: Panel, x0: number, y0: number, order: string[]): string {
  const sizes = [...new Set(p.rows.map((r) => r.n))].sort((a, b) => a - b);
  const lo = Math.log2(sizes[0]);
  const hi = Math.max(Math.log2(sizes.at(-1) ?? sizes[0]), lo + 1);
  const top = Math.max(...p.rows.map((r) => r.elementsPerS / 1e9));
  const step = niceStep(top);
  const yMax = Math.ceil(top / step) * step || 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (n: number) => x0 + M.left + ((Math.log2(n) - lo) / (hi - lo)) * pw;
  const sy = (g: number) => y0 + M.top + ph - (g / yMax) * ph;
  const parts: string[] = [
    `<text x="${x0 + M.left}" y="${y0 + 18}" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
  ];
  for (let g = 0; g <= yMax + step / 2; g += step) {
    const y = sy(g).toFixed(1);
    parts.push(
      `<line x1="${x0 + M.left}" x2="${x0 + M.left + pw}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${x0 + M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${+g.toPrecision(3)}</text>`,
    );
  }
  const every = hi - lo > 12 ? 2 : 1; // label every other power when they would crowd
  for (let e = Math.ceil(lo); e <= hi; e += every) {
    const x = sx(2 ** e).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${y0 + M.top + ph}" y2="${y0 + M.top + ph + 4}" stroke="#444"/>`,
      `<text x="${x}" y="${y0 + M.top + ph + 16}" text-anchor="middle">2<tspan dy="-5" font-size="8">${e}</tspan></text>`,
    );
  }
  parts.push(
    `<text x="${x0 + M.left + pw / 2}" y="${y0 + H - 6}" text-anchor="middle">elements (n)</text>`,
    `<text transform="translate(${x0 + 14} ${y0 + M.top + ph / 2}) rotate(-90)" text-anchor="middle">G elements/s</text>`,
  );
  // references last, so that they are drawn on top
  const names = [...new Set(p.rows.map((r) => r.activation))].sort(
    (a, b) => Number(a === 'relu' || a === 'copy') - Number(b === 'relu' || b === 'copy'),
  );
  for (const name of names) {
    const pts = p.rows.filter((r) => r.activation === name).sort((a, b) => a.n - b.n);
    const s = styleOf(name, order.indexOf(name));
    const d = pts.map((r) => `${sx(r.n).toFixed(1)},${sy(r.elementsPerS / 1e9).toFixed(1)}`).join(' ');
    const attrs = `fill="none" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}`;
    parts.push(
      pts.length > 1
        ? `<polyline points="${d}" ${attrs}><title>${esc(name)}</title></polyline>`
        : `<circle cx="${sx(pts[0].n)}" cy="${sy(pts[0].elementsPerS / 1e9)}" r="3" fill="${s.color}"><title>${esc(name)}</title></circle>`,
    );
  }
  return parts.join('\n');
}

/** The whole chart: panels two per row (forward, backward), then a legend. */
export function chart(doc: Results): string {
  const ps = panels(doc);
  const order = [...new Set(doc.rows.map((r) => r.activation))].filter((a) => a !== 'relu' && a !== 'copy');
  const legendNames = ['relu', 'copy', ...order];
  const cols = 2;
  const rowsOfPanels = Math.ceil(ps.length / cols);
  const legendCols = 4;
  const legendH = 24 + Math.ceil(legendNames.length / legendCols) * 18;
  const width = cols * W;
  const height = 36 + rowsOfPanels * H + legendH;
  const body = ps.map((p, i) => panel(p, (i % cols) * W, 36 + Math.floor(i / cols) * H, order));
  const legend = legendNames.map((name, i) => {
    const s = styleOf(name, order.indexOf(name));
    const x = 20 + (i % legendCols) * ((width - 40) / legendCols);
    const y = 36 + rowsOfPanels * H + 16 + Math.floor(i / legendCols) * 18;
    const label = name === 'copy' ? 'copy (memory bound)' : name;
    return (
      `<line x1="${x}" x2="${x + 30}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>` +
      `<text x="${x + 36}" y="${y}" dominant-baseline="middle">${esc(label)}</text>`
    );
  });
  const m = doc.machine;
  const title = `Throughput against size: ${m.cpu} (${m.isa})${m.gpu ? ` and ${m.gpu}` : ''}, ${doc.date.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
