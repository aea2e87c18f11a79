// The results as text: a compact table for the terminal and the Markdown file. Pure.
import { describeUlp } from './accuracy';
import { BYTES_NOTE, type Pass, type Peer, type Results, type Row } from './results';

export type Table = { title: string; head: string[]; body: string[][] };

export const pow2 = (n: number): string => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));
const num = (v: number, digits = 3): string =>
  v >= 1000 ? v.toFixed(0) : v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(digits);
const ratio = (v: number | null | undefined): string => (v == null ? '-' : `${v.toFixed(2)}x`);

/** The size whose full figures are shown: 2^20 on the host, 2^26 on the GPU (docs/targets.md), else the largest. */
export function headlineSize(rows: Row[], preferred: number): number | undefined {
  const sizes = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
  return sizes.includes(preferred) ? preferred : sizes.at(-1);
}

const groupName = (r: Row): string =>
  r.backend === 'cpu'
    ? `CPU, ${r.threads} thread${r.threads > 1 ? 's' : ''}`
    : r.roundTrip
      ? 'GPU round trip from host arrays'
      : 'GPU';

const groups = (rows: Row[]): Row[][] => {
  const map = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${groupName(r)}|${r.pass}`;
    map.set(k, [...(map.get(k) ?? []), r]);
  }
  return [...map.values()];
};

/** Per group at the headline size: ms, elements/s, GB/s, vs relu, vs copy. */
export function detailTables(doc: Results): Table[] {
  const tables: Table[] = [];
  const kinds: Array<[(r: Row) => boolean, number]> = [
    [(r) => r.backend === 'cpu', 2 ** 20],
    [(r) => r.backend === 'cuda' && !r.roundTrip, 2 ** 26],
    [(r) => r.backend === 'cuda' && !!r.roundTrip, 2 ** 20],
  ];
  for (const [kind, preferred] of kinds) {
    const rows = doc.rows.filter(kind);
    const n = headlineSize(rows, preferred);
    if (n === undefined) continue;
    for (const g of groups(rows.filter((r) => r.n === n))) {
      const trip = g[0].roundTrip;
      tables.push({
        title: `${groupName(g[0])}, ${g[0].pass}, n = ${pow2(n)}`,
        head: ['activation', 'ms', 'Melem/s', 'GB/s', 'vs relu', trip ? 'vs CPU' : 'vs copy'],
        body: g.map((r) => [
          r.activation,
          num(r.ms),
          num(r.elementsPerS / 1e6),
          num(r.gbps),
          ratio(r.vsRelu),
          ratio(trip ? r.vsCpu : r.vsCopy),
        ]),
      });
    }
  }
  const peerSize = headlineSize(
    doc.rows.filter((r) => r.backend === 'cpu'),
    2 ** 20,
  );
  const peers = doc.peers.filter((p) => p.n === peerSize);
  if (peers.length)
    tables.push({
      title: `Peers on the CPU, n = ${pow2(peers[0].n)} (vs relu: against this library's relu; ours / peer: this library's time over the peer's, above 1 the peer is faster)`,
      head: ['peer', 'activation', 'pass', 'threads', 'ms', 'vs relu', 'ours / peer', 'max ulp', 'how'],
      body: peers.map((p) => [
        `${p.name} ${p.version}`,
        p.activation,
        p.pass,
        String(p.threads),
        num(p.ms),
        ratio(p.vsRelu),
        ratio(p.vsOurs),
        p.maxUlp == null ? '-' : ulpText(p),
        p.how,
      ]),
    });
  return tables;
}

const ulpText = (p: Pick<Peer, 'maxUlp' | 'maxUlp30' | 'wrong'>): string =>
  p.maxUlp == null ? '' : describeUlp({ maxUlp: p.maxUlp, maxUlp30: p.maxUlp30 ?? p.maxUlp, wrong: p.wrong ? 1 : 0 });

/** The side-by-side columns: each is one peer or two (libmvec / SLEEF). */
export const SIDE_COLUMNS: string[][] = [['oneDNN'], ['XNNPACK'], ['libmvec', 'SLEEF'], ['PyTorch']];

/**
 * One row per function and pass that a native peer computes, at 2^20 (else the largest size) on
 * one thread: this library's ms, each peer's ms with its max ulp, and memcpy of the same bytes.
 */
export function sideBySide(doc: Results): Table | undefined {
  const native = doc.peers.filter((p) => p.threads === 1 && p.maxUlp !== undefined && p.name !== 'memcpy');
  const n = headlineSize(
    doc.rows.filter((r) => r.backend === 'cpu'),
    2 ** 20,
  );
  const at = native.filter((p) => p.n === n);
  if (!at.length || n === undefined) return undefined;
  const order = [...new Set([...doc.rows.map((r) => r.activation), ...at.map((p) => p.activation)])];
  const ops = [...new Set(at.map((p) => `${p.activation}|${p.pass}`))].sort((a, b) => {
    const [aa, ap] = a.split('|');
    const [ba, bp] = b.split('|');
    return ap === bp ? order.indexOf(aa) - order.indexOf(ba) : ap === 'forward' ? -1 : 1;
  });
  const ourUlp = (activation: string, pass: string) =>
    doc.accuracy?.find((a) => a.name === 'ours' && a.activation === activation && a.pass === pass);
  const cell = (p: Peer | undefined) => (!p ? '-' : p.maxUlp == null ? num(p.ms) : `${num(p.ms)} (${ulpText(p)})`);
  const memcpy = (pass: string) => doc.peers.find((p) => p.name === 'memcpy' && p.pass === pass && p.n === n);
  return {
    title: `Side by side: ms per call, n = ${pow2(n)}, one thread; in parentheses the max ulp in [-30, 30] / over every float32 exponent where worse, "wrong specials" where some result is NaN, Inf or 0 and should not be, or the reverse`,
    head: ['op', `ours (${doc.machine.isa})`, ...SIDE_COLUMNS.map((c) => c.join(' / ')), 'memcpy (same bytes)'],
    body: ops.map((key) => {
      const [activation, pass] = key.split('|');
      const own = doc.rows.find(
        (r) => r.backend === 'cpu' && r.threads === 1 && r.n === n && r.activation === activation && r.pass === pass,
      );
      const u = ourUlp(activation, pass);
      const find = (name: string) => at.find((p) => p.name === name && p.activation === activation && p.pass === pass);
      return [
        `${activation} ${pass === 'forward' ? 'fwd' : 'bwd'}`,
        own ? `${num(own.ms)}${u ? ` (${describeUlp(u)})` : ''}` : '-',
        ...SIDE_COLUMNS.map((names) => {
          const found = names.map(find);
          return found.every((f) => !f) ? '-' : found.map(cell).join(' / ');
        }),
        memcpy(pass) ? num(memcpy(pass)!.ms) : '-',
      ];
    }),
  };
}

/** Each native peer's version, or why it is not in this run. */
export function peerStatusLines(doc: Results): string[] {
  return (doc.nativePeers ?? []).map(
    (s) => s.skipped ?? `${s.name}: ${s.version}${s.package ? ` (Debian ${s.package})` : ''}`,
  );
}

/** Time relative to relu for every size (with ms per call, for the file): one row per activation, one column per size. */
export function ratioTables(doc: Results, withMs = true): Table[] {
  const tables: Table[] = [];
  for (const g of groups(doc.rows)) {
    const sizes = [...new Set(g.map((r) => r.n))].sort((a, b) => a - b);
    if (sizes.length < 2) continue;
    const names = [...new Set(g.map((r) => r.activation))];
    tables.push({
      title: `${groupName(g[0])}, ${g[0].pass}: ${withMs ? "ms per call (time / relu's)" : "time / relu's"} by size`,
      head: [
        'activation',
        ...sizes.map((n) => (g.some((r) => r.n === n && r.cacheResident) ? `${pow2(n)} (in L2)` : pow2(n))),
      ],
      body: names.map((name) => [
        name,
        ...sizes.map((n) => {
          const r = g.find((x) => x.activation === name && x.n === n);
          if (!r) return '-';
          return withMs ? `${num(r.ms)} (${ratio(r.vsRelu)})` : ratio(r.vsRelu);
        }),
      ]),
    });
  }
  return tables;
}

// Numbers to the right, words to the left.
const wordColumns = (t: Table): boolean[] => t.head.map((_, i) => i === 0 || t.body.some((r) => /^[a-z]/i.test(r[i])));

export function textTable(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.body.map((r) => r[i].length)));
  const words = wordColumns(t);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (words[i] ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [t.title, line(t.head), widths.map((w) => '-'.repeat(w)).join('  '), ...t.body.map(line)].join('\n');
}

export function markdownTable(t: Table): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `**${t.title}**`,
    '',
    row(t.head),
    row(wordColumns(t).map((word) => (word ? '---' : '---:'))),
    ...t.body.map(row),
  ].join('\n');
}

export function verdictLines(doc: Results): string[] {
  return doc.verdicts.map(
    (v) => `${v.met === null ? 'not measured' : v.met ? 'met' : 'NOT MET'}: ${v.target} (${v.measured})`,
  );
}

function sideBySideSection(doc: Results, render: (t: Table) => string, bullet = ''): string[] {
  const t = sideBySide(doc);
  const status = peerStatusLines(doc);
  if (!t && !status.length) return [];
  return [...(t ? [render(t), ''] : []), ...(status.length ? [...status.map((l) => `${bullet}${l}`), ''] : [])];
}

export function terminalReport(doc: Results): string {
  const m = doc.machine;
  return [
    `${m.cpu}, ${m.isa}, ${m.threads} threads; GPU: ${m.gpu ?? 'none'}; node ${m.node}`,
    '',
    ...detailTables(doc).flatMap((t) => [textTable(t), '']),
    ...sideBySideSection(doc, textTable),
    ...ratioTables(doc, false).flatMap((t) => [textTable(t), '']),
    ...doc.notes.map((n) => `note: ${n}`),
    '',
    'Speed targets (docs/targets.md):',
    ...verdictLines(doc).map((l) => `  ${l}`),
  ].join('\n');
}

export function markdownReport(doc: Results, svgName: string): string {
  const m = doc.machine;
  const passes = Object.entries(BYTES_NOTE).map(([pass, note]) => `${pass as Pass | 'copy'}: ${note}`);
  return [
    `# Benchmark: ${m.cpu}`,
    '',
    `${doc.date}, \`${doc.mode}\` run. CPU path ${m.isa}, ${m.threads} threads; GPU: ${m.gpu ?? 'none'}; Node ${m.node}.`,
    '',
    `Bytes counted for GB/s: ${passes.join('; ')}.`,
    '',
    `![throughput and time relative to relu](${svgName})`,
    '',
    '## Speed targets ([docs/targets.md](../../docs/targets.md))',
    '',
    ...verdictLines(doc).map((l) => `- ${l}`),
    '',
    '## At the headline size',
    '',
    ...detailTables(doc).flatMap((t) => [markdownTable(t), '']),
    ...sideBySideSection(doc, markdownTable, '- '),
    ...(ratioTables(doc).length ? ['## By size', ''] : []),
    ...ratioTables(doc).flatMap((t) => [markdownTable(t), '']),
    '## Notes',
    '',
    ...doc.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
