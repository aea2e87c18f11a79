// The results as text: a compact table for the terminal and the Markdown file. Pure.
import { describeUlp } from './accuracy';
import { type Dtype, dtypeOf, isHalf } from './half';
import { BYTES_NOTE, type Pass, type Peer, type Results, type Row } from './results';
import { gain } from './svg';

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

/** ', bfloat16' for a 16-bit row, nothing for float32 (the tables of every run before the half axis). */
const dtypeSuffix = (r: { dtype?: Dtype }): string => (isHalf(dtypeOf(r)) ? `, ${dtypeOf(r)}` : '');

const groupName = (r: Row): string =>
  (r.backend === 'cpu'
    ? `CPU, ${r.threads} thread${r.threads > 1 ? 's' : ''}`
    : r.roundTrip
      ? 'GPU round trip from host arrays'
      : 'GPU') + dtypeSuffix(r);

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
      const half = isHalf(dtypeOf(g[0]));
      tables.push({
        title: `${groupName(g[0])}, ${g[0].pass}, n = ${pow2(n)}${half ? ' (vs relu: float32 relu; vs float32: the same function in float32)' : ''}`,
        head: [
          'activation',
          'ms',
          'Melem/s',
          'GB/s',
          'vs relu',
          trip ? 'vs CPU' : 'vs copy',
          ...(half ? ['vs float32'] : []),
        ],
        body: g.map((r) => [
          r.activation,
          num(r.ms),
          num(r.elementsPerS / 1e6),
          num(r.gbps),
          ratio(r.vsRelu),
          ratio(trip ? r.vsCpu : r.vsCopy),
          ...(half ? [ratio(r.vsFloat32)] : []),
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
        `${p.activation}${isHalf(dtypeOf(p)) ? ` (${dtypeOf(p)})` : ''}`,
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
  const native = doc.peers.filter(
    (p) => p.threads === 1 && p.maxUlp !== undefined && p.name !== 'memcpy' && dtypeOf(p) === 'float32',
  );
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
    doc.accuracy?.find(
      (a) => a.name === 'ours' && a.activation === activation && a.pass === pass && dtypeOf(a) === 'float32',
    );
  const cell = (p: Peer | undefined) => (!p ? '-' : p.maxUlp == null ? num(p.ms) : `${num(p.ms)} (${ulpText(p)})`);
  const memcpy = (pass: string) =>
    doc.peers.find((p) => p.name === 'memcpy' && p.pass === pass && p.n === n && dtypeOf(p) === 'float32');
  return {
    title: `Side by side: ms per call, n = ${pow2(n)}, one thread; in parentheses the max ulp in [-30, 30] / over every float32 exponent where worse, "wrong specials" where some result is NaN, Inf or 0 and should not be, or the reverse`,
    head: ['op', `ours (${doc.machine.isa})`, ...SIDE_COLUMNS.map((c) => c.join(' / ')), 'memcpy (same bytes)'],
    body: ops.map((key) => {
      const [activation, pass] = key.split('|');
      const own = doc.rows.find(
        (r) =>
          r.backend === 'cpu' &&
          r.threads === 1 &&
          r.n === n &&
          r.activation === activation &&
          r.pass === pass &&
          dtypeOf(r) === 'float32',
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

/** The 16-bit peers shown beside this library's 16-bit rows, as [column, peer name, dtype]. */
export const HALF_PEER_COLUMNS: Array<[string, string, Dtype]> = [
  ['oneDNN bf16 1t', 'oneDNN', 'bfloat16'],
  ['PyTorch bf16 1t', 'PyTorch', 'bfloat16'],
];

/**
 * One table per size where the run has 16-bit rows: per function and pass, ms per call in
 * float32 and in each 16-bit format on each thread count, the 16-bit cells with their element
 * throughput over float32's ("2.00x" = twice the elements per second), and the 16-bit peers.
 */
export function dtypeTables(doc: Results): Table[] {
  const cpu = doc.rows.filter((r) => r.backend === 'cpu' && !r.roundTrip);
  const halves = (['bfloat16', 'float16'] as const).filter((d) => cpu.some((r) => dtypeOf(r) === d));
  if (!halves.length) return [];
  const sizes = [...new Set(cpu.filter((r) => isHalf(dtypeOf(r))).map((r) => r.n))]
    .filter((n) => n >= 2 ** 10)
    .sort((a, b) => a - b);
  const tables: Table[] = [];
  for (const n of sizes) {
    const at = cpu.filter((r) => r.n === n);
    const threads = [...new Set(at.map((r) => r.threads))].sort((a, b) => a - b);
    const dtypes: Dtype[] = ['float32', ...halves];
    const peers = HALF_PEER_COLUMNS.filter(([, name, dtype]) =>
      doc.peers.some((p) => p.name === name && dtypeOf(p) === dtype && p.n === n),
    );
    const names = [...new Set(at.filter((r) => isHalf(dtypeOf(r))).map((r) => r.activation))];
    const body: string[][] = [];
    for (const pass of ['forward', 'backward'] as const)
      for (const a of names) {
        const row = (d: Dtype, t: number) =>
          at.find((r) => r.activation === a && r.pass === pass && r.threads === t && dtypeOf(r) === d);
        if (!halves.some((d) => threads.some((t) => row(d, t)))) continue; // no 16-bit row of this pass
        const cells = [`${a} ${pass === 'forward' ? 'fwd' : 'bwd'}`];
        for (const t of threads)
          for (const d of dtypes) {
            const r = row(d, t);
            const faster = r?.vsFloat32 ? ` (${gain(1 / r.vsFloat32)}x)` : '';
            cells.push(r ? `${num(r.ms)}${faster}` : '-');
          }
        for (const [, name, dtype] of peers) {
          const p = doc.peers.find(
            (q) => q.name === name && dtypeOf(q) === dtype && q.n === n && q.activation === a && q.pass === pass,
          );
          cells.push(p ? num(p.ms) : '-');
        }
        body.push(cells);
      }
    tables.push({
      title: `By element type, n = ${pow2(n)}: ms per call; in parentheses the element throughput over the same function's in float32 (above 1: faster); copy: TypedArray.set of n elements, one thread; peers on one thread`,
      head: ['op', ...threads.flatMap((t) => dtypes.map((d) => `${d} ${t}t`)), ...peers.map(([column]) => column)],
      body,
    });
  }
  return tables;
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
    const relu = isHalf(dtypeOf(g[0])) ? 'float32 relu' : 'relu';
    tables.push({
      title: `${groupName(g[0])}, ${g[0].pass}: ${withMs ? `ms per call (time / ${relu}'s)` : `time / ${relu}'s`} by size`,
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
    ...dtypeTables(doc).flatMap((t) => [textTable(t), '']),
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
    `Bytes counted for GB/s: ${passes.join('; ')}${doc.rows.some((r) => isHalf(dtypeOf(r))) ? '; the bfloat16 and float16 rows (x, dy, out of 16 bits) half of each' : ''}.`,
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
    ...dtypeTables(doc).flatMap((t) => [markdownTable(t), '']),
    ...(ratioTables(doc).length ? ['## By size', ''] : []),
    ...ratioTables(doc).flatMap((t) => [markdownTable(t), '']),
    '## Notes',
    '',
    ...doc.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
