// The generated pages: docs/benchmarks.md (every figure it shows comes from a committed results
// JSON listed in PUBLISHED), the speed list of docs/targets.md (from bench/targets.ts) and the
// README's speed summary (a subset of docs/benchmarks.md). `npm run bench:docs` writes them;
// `npm run bench:docs -- --check` (and test/bench-docs.test.ts) fails when one is stale. Pure
// apart from reading files: generate() returns the new text of each file.
import fs from 'node:fs';
import path from 'node:path';
import { dtypeTables, markdownTable, peerStatusLines, pow2, sideBySide, type Table } from './format';
import { dtypeOf } from './half';
import { checkSchema, type Results, type Row, verdicts } from './results';
import { targetsMarkdown } from './targets';

/** The runs docs/benchmarks.md shows, newest first; the first is the one the README and report quote. */
export const PUBLISHED = ['bench/results/intel-xeon-2t-2026-12-06-custom.json'];

const TEMPLATE = 'bench/benchmarks.template.md';

export interface Run {
  file: string;
  doc: Results;
}

export function loadRun(root: string, file: string): Run {
  const doc = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Results;
  checkSchema(doc);
  return { file, doc };
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(3));
const ratio = (v: number | null | undefined): string => (v == null ? '–' : `${v.toFixed(2)}×`);
const pick = (rows: Row[], activation: string, pass: string, n: number, threads: number) =>
  rows.find(
    (r) =>
      r.backend === 'cpu' &&
      !r.roundTrip &&
      dtypeOf(r) === 'float32' &&
      r.activation === activation &&
      r.pass === pass &&
      r.n === n &&
      r.threads === threads,
  );

/** The skipped GPU's reason, from the run's notes. */
const gpuSkipped = (doc: Results): string | undefined =>
  doc.notes.find((n) => n.startsWith('GPU rows skipped: '))?.slice('GPU rows skipped: '.length);

/** The verdicts of the current targets on a run's rows (older runs were judged on older targets). */
export const judged = (doc: Results) => verdicts(doc.rows, doc.peers, gpuSkipped(doc));

export function verdictMarkdown(doc: Results): string[] {
  return judged(doc).map(
    (v) => `- ${v.met === null ? 'not measured' : v.met ? 'met' : '**NOT MET**'}: ${v.target} (${v.measured})`,
  );
}

/** One line naming the run: machine, ISA, threads, load at the start and end, date, commit. */
export function runLine(run: Run): string {
  const { doc } = run;
  const m = doc.machine;
  const load = doc.load
    ? `load average ${doc.load.start.toFixed(1)} at the start and ${doc.load.end.toFixed(1)} at the end on ${doc.load.cores} cores`
    : 'load average not recorded';
  return `${m.cpu}, ${m.isa} path, ${m.threads} threads, GPU: ${m.gpu ?? 'none'}, Node ${m.node}; ${load}; ${doc.date.slice(0, 16).replace('T', ' ')} UTC, commit ${doc.commit ?? 'not recorded'}; \`${doc.mode}\` run, from [${run.file}](../${run.file})`;
}

// The float32 tables: a run's 16-bit rows have their own (dtypeTables).
const functionsOf = (doc: Results) =>
  [...new Set(doc.rows.filter((r) => r.backend === 'cpu' && dtypeOf(r) === 'float32').map((r) => r.activation))].filter(
    (a) => a !== 'copy',
  );

/** ms per call and time / relu's at one size: one row per function, forward and backward per thread count. */
export function sizeTable(doc: Results, n: number): Table | undefined {
  const threads = [...new Set(doc.rows.filter((r) => r.backend === 'cpu' && r.n === n).map((r) => r.threads))].sort(
    (a, b) => a - b,
  );
  if (threads.length === 0) return undefined;
  const head = ['function'];
  for (const t of threads) head.push(`${t}t forward ms (×relu)`, `${t}t backward ms (×relu)`);
  const body = ['copy', ...functionsOf(doc)].map((a) => {
    const cells = [a];
    for (const t of threads)
      for (const pass of ['forward', 'backward']) {
        const r = pick(doc.rows, a, pass, n, t);
        cells.push(r ? `${ms(r.ms)} (${ratio(r.vsRelu)})` : '–');
      }
    return cells;
  });
  const copyNote = 'copy: TypedArray.set of x, one thread, in every column';
  return {
    title: `n = ${pow2(n)}: ms per call (time / relu's at the same size, pass and threads); ${copyNote}`,
    head,
    body,
  };
}

/** The cost of one call on one element (n = 1, with out). */
export function perCallTable(doc: Results): Table | undefined {
  const rows = doc.rows.filter((r) => r.backend === 'cpu' && r.n === 1 && r.threads === 1);
  if (rows.length === 0) return undefined;
  return {
    title: 'Per call: n = 1 with `{ out }`, one thread, µs per call',
    head: ['function', 'forward µs', 'backward µs'],
    body: functionsOf(doc).map((a) => [
      a,
      ...['forward', 'backward'].map((p) => {
        const r = pick(rows, a, p, 1, 1);
        return r ? (r.ms * 1e3).toFixed(3) : '–';
      }),
    ]),
  };
}

export function runSection(run: Run, level = '##'): string {
  const { doc } = run;
  const svg = run.file.replace(/\.json$/, '.svg');
  const md = run.file.replace(/\.json$/, '.md');
  const tables = [
    sizeTable(doc, 2 ** 20),
    sizeTable(doc, 2 ** 24),
    perCallTable(doc),
    sideBySide(doc),
    ...dtypeTables(doc),
  ].filter((t): t is Table => t !== undefined);
  const status = peerStatusLines(doc);
  return [
    `${level} ${doc.machine.cpu}, ${doc.machine.isa}, ${doc.date.slice(0, 10)}`,
    '',
    `Run: ${runLine(run)}. Every size, the GPU and peer notes: [${path.basename(md)}](../${md}).`,
    '',
    `![Throughput and time relative to relu, ${doc.machine.cpu}](../${svg})`,
    '',
    "The targets of [targets.md](targets.md#speed), judged on this run's rows:",
    '',
    ...verdictMarkdown(doc),
    '',
    ...tables.flatMap((t) => [markdownTable(t), '']),
    ...(status.length ? ['Native peers in this run:', '', ...status.map((s) => `- ${s}`), ''] : []),
  ].join('\n');
}

/** The README's summary: the first published run's one-thread 2^20 ratios, per call, and the link. */
export function readmeSummary(run: Run): string {
  const { doc } = run;
  const one = (a: string, pass: string) => pick(doc.rows, a, pass, 2 ** 20, 1);
  const call = (a: string, pass: string) => pick(doc.rows, a, pass, 1, 1);
  const body = functionsOf(doc)
    .filter((a) => one(a, 'forward'))
    .map((a) => [
      a,
      ratio(one(a, 'forward')?.vsRelu),
      ratio(one(a, 'backward')?.vsRelu),
      call(a, 'forward') ? `${((call(a, 'forward') as Row).ms * 1e3).toFixed(2)} µs` : '–',
    ]);
  return [
    `Time relative to relu's, one thread, 2^20 float32 elements, and the cost of a call on one element, from the run in [docs/benchmarks.md](docs/benchmarks.md) (${doc.machine.cpu}, ${doc.machine.isa} path, load average ${doc.load ? `${doc.load.start.toFixed(1)} to ${doc.load.end.toFixed(1)} on ${doc.load.cores} cores` : 'not recorded'}, ${doc.date.slice(0, 10)}). That page has every size, both thread counts, the peers and each target of [docs/targets.md](docs/targets.md) judged; \`npm run bench\` measures your machine.`,
    '',
    '| function | forward ×relu | backward ×relu | per call (n = 1) |',
    '| --- | ---: | ---: | ---: |',
    ...body.map((c) => `| \`${c[0]}\` | ${c.slice(1).join(' | ')} |`),
  ].join('\n');
}

/** Replaces the text between a begin marker line and an end marker line. */
export function between(text: string, begin: string, end: string, inner: string, file: string): string {
  const b = text.indexOf(begin);
  const e = text.indexOf(end);
  if (b < 0 || e < b) throw new Error(`${file}: the markers ${begin} ... ${end} are missing`);
  return `${text.slice(0, b + begin.length)}\n${inner}\n${text.slice(e)}`;
}

export const MARKS = {
  targets: ['<!-- targets:begin (generated by npm run bench:docs from bench/targets.ts) -->', '<!-- targets:end -->'],
  readme: [
    "<!-- bench:begin (generated by npm run bench:docs from docs/benchmarks.md's first run) -->",
    '<!-- bench:end -->',
  ],
} as const;

/** The new text of each generated file, keyed by its path from the root. */
export function generate(root: string): Map<string, string> {
  const runs = PUBLISHED.map((f) => loadRun(root, f));
  const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
  const out = new Map<string, string>();
  const header =
    '<!-- generated by npm run bench:docs from bench/benchmarks.template.md and the results JSON it lists; edit those -->\n';
  out.set(
    'docs/benchmarks.md',
    header +
      read(TEMPLATE)
        .replace('<!-- runs -->', runs.map((r) => runSection(r)).join('\n'))
        .trimEnd() +
      '\n',
  );
  out.set('docs/targets.md', between(read('docs/targets.md'), ...MARKS.targets, targetsMarkdown(), 'docs/targets.md'));
  out.set('README.md', between(read('README.md'), ...MARKS.readme, readmeSummary(runs[0]), 'README.md'));
  return out;
}

/** The files whose committed text differs from what generate() makes. */
export function stale(root: string): string[] {
  return [...generate(root)]
    .filter(([file, text]) => fs.readFileSync(path.join(root, file), 'utf8') !== text)
    .map(([file]) => file);
}
