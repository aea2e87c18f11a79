// A small SVG line chart: axes with ticks and grid, a legend, lines with colours and dashes,
// optional point markers. Self-contained files that read well in a browser and on GitHub.

export interface Series {
  label: string;
  x: ArrayLike<number>;
  /** NaN leaves a gap (a jump is not drawn as a vertical line) */
  y: ArrayLike<number>;
  color: string;
  /** stroke-dasharray, e.g. '6 3'; solid when absent */
  dash?: string;
  width?: number;
  opacity?: number;
}

export interface Marker {
  x: number;
  y: number;
  color: string;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xRange: [number, number];
  /** from the data (with a margin) when absent */
  yRange?: [number, number];
  markers?: Marker[];
  width?: number;
  height?: number;
  /** the id of the plot's clip path: distinct for each chart drawn into one file */
  clipId?: string;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const MARGIN = { left: 64, right: 190, top: 44, bottom: 52 };

/** About `count` round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, count = 8): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(i * step);
  return out.map((t) => Number(t.toPrecision(12)));
}

function formatTick(t: number): string {
  return t === 0 ? '0' : String(Number(t.toPrecision(6))).replace('-', '−');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const round = (v: number) => Math.round(v * 10) / 10;

// Drops points that lie within `tolerance` pixels of the line through their neighbours
// (Ramer-Douglas-Peucker), so that straight and gently curving stretches cost few points.
function simplify(points: [number, number][], tolerance = 0.15): [number, number][] {
  if (points.length < 3) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop()!;
    const [x0, y0] = points[first];
    const [x1, y1] = points[last];
    const length = Math.hypot(x1 - x0, y1 - y0) || 1;
    let worst = -1;
    let at = first;
    for (let i = first + 1; i < last; i++) {
      const [x, y] = points[i];
      const d = Math.abs((y1 - y0) * x - (x1 - x0) * y + x1 * y0 - y1 * x0) / length;
      if (d > worst) [worst, at] = [d, i];
    }
    if (worst > tolerance) {
      keep[at] = 1;
      stack.push([first, at], [at, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function dataRange(series: Series[], xRange: [number, number]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series)
    for (let i = 0; i < s.x.length; i++) {
      const y = s.y[i];
      if (s.x[i] < xRange[0] || s.x[i] > xRange[1] || !Number.isFinite(y)) continue;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  const pad = (hi - lo) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

export function lineChart(chart: Chart): string {
  const width = chart.width ?? 900;
  const height = chart.height ?? 540;
  const clipId = chart.clipId ?? 'plot';
  const [x0, x1] = chart.xRange;
  const [y0, y1] = chart.yRange ?? dataRange(chart.series, chart.xRange);
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (right - left);
  const py = (y: number) => bottom - ((y - y0) / (y1 - y0)) * (bottom - top);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="13">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<defs><clipPath id="${clipId}"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath></defs>`,
    `<text x="${left}" y="${top - 16}" font-size="16" font-weight="600" fill="#222">${escapeXml(chart.title)}</text>`,
  );

  // Grid, zero lines, ticks and their labels.
  const xTicks = ticks(x0, x1, 12);
  const yTicks = ticks(y0, y1, 8);
  const grid: string[] = [];
  const labels: string[] = [];
  for (const t of xTicks) {
    const x = round(px(t));
    grid.push(`M${x} ${top}V${bottom}`);
    labels.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#444"/>`);
    labels.push(`<text x="${x}" y="${bottom + 19}" text-anchor="middle" fill="#333">${formatTick(t)}</text>`);
  }
  for (const t of yTicks) {
    const y = round(py(t));
    grid.push(`M${left} ${y}H${right}`);
    labels.push(`<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="#444"/>`);
    labels.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end" fill="#333">${formatTick(t)}</text>`);
  }
  out.push(`<path d="${grid.join('')}" stroke="#e6e6e6" stroke-width="1" fill="none"/>`);
  const zero: string[] = [];
  if (y0 < 0 && y1 > 0) zero.push(`M${left} ${round(py(0))}H${right}`);
  if (x0 < 0 && x1 > 0) zero.push(`M${round(px(0))} ${top}V${bottom}`);
  if (zero.length) out.push(`<path d="${zero.join('')}" stroke="#9a9a9a" stroke-width="1" fill="none"/>`);
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#444"/>`);
  out.push(...labels);
  out.push(
    `<text x="${(left + right) / 2}" y="${height - 12}" text-anchor="middle" fill="#222">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(chart.yLabel)}</text>`,
  );

  // The lines, clipped to the plot; NaN splits a line into pieces.
  out.push(`<g clip-path="url(#${clipId})" fill="none" stroke-linejoin="round" stroke-linecap="round">`);
  for (const s of chart.series) {
    const pieces: [number, number][][] = [[]];
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.y[i])) {
        if (pieces[pieces.length - 1].length) pieces.push([]);
        continue;
      }
      // Far outside the plot a line only needs to leave it: clamp so coordinates stay small.
      const y = Math.min(Math.max(py(s.y[i]), top - 100), bottom + 100);
      pieces[pieces.length - 1].push([px(s.x[i]), y]);
    }
    const d = pieces
      .filter((p) => p.length > 1)
      .map((p) =>
        simplify(p)
          .map(([x, y], i) => `${i ? 'L' : 'M'}${round(x)} ${round(y)}`)
          .join(''),
      )
      .join('');
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    const opacity = s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : '';
    out.push(`<path d="${d}" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}${opacity}/>`);
  }
  for (const m of chart.markers ?? [])
    out.push(
      `<circle cx="${round(px(m.x))}" cy="${round(py(m.y))}" r="4" fill="${m.color}" stroke="#fff" stroke-width="1.5"/>`,
    );
  out.push('</g>');

  // The legend, right of the plot.
  const lx = right + 18;
  chart.series.forEach((s, i) => {
    const y = top + 8 + i * 22;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    const opacity = s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : '';
    out.push(
      `<line x1="${lx}" y1="${y}" x2="${lx + 36}" y2="${y}" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}${opacity}/>`,
      `<text x="${lx + 44}" y="${y + 4}" fill="#222">${escapeXml(s.label)}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}

/**
 * Several line charts in one file, `cols` a row, under one title: each panel a chart of its own
 * (axes, legend) at the panel's size, so that a few lines a panel stay readable where one chart
 * of every line would not.
 */
export function panelChart(title: string, charts: Chart[], cols = 2, width = 620, height = 400): string {
  const head = 40;
  const rows = Math.ceil(charts.length / cols);
  const W = cols * width;
  const H = head + rows * height;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ${FONT} font-size="13">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="26" text-anchor="middle" font-size="18" font-weight="600" fill="#222">${escapeXml(title)}</text>`,
  ];
  charts.forEach((c, i) => {
    const inner = lineChart({ ...c, width, height, clipId: `plot${i}` })
      .split('\n')
      .filter((line) => !line.startsWith('<svg') && !line.startsWith('</svg>') && !line.startsWith('<title>'))
      .join('\n');
    out.push(`<g transform="translate(${(i % cols) * width} ${head + Math.floor(i / cols) * height})">`, inner, '</g>');
  });
  out.push('</svg>', '');
  return out.join('\n');
}
