// The speed targets (bench/targets.ts) as the bench judges them, and the generated pages
// (bench/docs.ts): docs/targets.md, docs/benchmarks.md and the README's summary are what the
// committed results make. No timing here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, MARKS, PUBLISHED, runSection, sizeTable, stale } from '../bench/docs';
import { deriveRows, type Measurement, type Peer, verdicts } from '../bench/results';
import { blendSides, judgeTargets, TARGETS } from '../bench/targets';
import { measurement, peerRow } from './helpers/bench-rows';

const root = join(__dirname, '..');
const m = measurement;
const byId = (rows: Measurement[], id: string) =>
  verdicts(deriveRows(rows), []).find((v) => v.id === id) ?? expect.fail(`no target ${id}`);

describe('the speed targets', () => {
  it('are the list docs/targets.md shows, in its order, and the bench judges every one', () => {
    const page = readFileSync(join(root, 'docs/targets.md'), 'utf8');
    const [begin, end] = MARKS.targets;
    const list = page
      .slice(page.indexOf(begin) + begin.length, page.indexOf(end))
      .trim()
      .split('\n');
    expect(list).toEqual(TARGETS.map((t) => `- ${t.text}`));
    expect(judgeTargets({ rows: [], peers: [] }).map((v) => v.id)).toEqual(TARGETS.map((t) => t.id));
    // none of the targets the page dropped
    expect(page).not.toContain('1.15× relu');
    expect(TARGETS.map((t) => t.text).join('\n')).not.toMatch(/onnxruntime|JavaScript loop|1\.5x relu/);
  });

  it('say why a target is not measured', () => {
    const v = judgeTargets({ rows: [], peers: [], gpuSkipped: 'no NVIDIA driver' });
    expect(v.every((x) => x.met === null && x.measured.startsWith('not measured: '))).toBe(true);
    expect(v.find((x) => x.id === 'gpu-relu')!.measured).toBe(
      'not measured: no GPU rows in this run (no NVIDIA driver)',
    );
    expect(v.find((x) => x.id === 'cpu-2^24-per-element')!.measured).toContain('--sizes 20,24');
  });

  it('judge 2^24 against copy and against the same function at 2^20, one thread and all', () => {
    const big = (a: string, pass: Measurement['pass'], ms: number, threads = 1) =>
      m(a, pass, ms, { n: 2 ** 24, threads });
    const rows = [
      m('relu', 'forward', 1),
      m('mish', 'forward', 2),
      m('mish', 'backward', 2),
      big('copy', 'forward', 16),
      big('relu', 'forward', 16.5), // 1.03x copy: met
      big('mish', 'forward', 16 * 2 * 1.2), // 1.2x its per-element time at 2^20: over 1.15
      big('mish', 'backward', 16 * 2 * 1.1),
      big('copy', 'forward', 16, 2),
      big('relu', 'forward', 18, 2), // 1.125x copy: over 1.05
    ];
    const copy = byId(rows, 'cpu-2^24-relu-copy');
    expect(copy.met).toBe(false);
    expect(copy.measured).toBe(
      'worst relu forward 2t 1.13x (limit 1.05x), 7% over; 1 of 2 over: relu forward 2t 1.13x',
    );
    const per = byId(rows, 'cpu-2^24-per-element');
    expect(per.met).toBe(false);
    expect(per.measured).toMatch(/^worst mish forward 1t 1\.20x \(limit 1\.15x\), 4% over; 1 of 3 over/);
  });

  it('judge a blend against its dearer side', () => {
    expect(blendSides('blend(mish,hardMish,0.5)')).toEqual(['mish', 'hardMish']);
    expect(blendSides('mish')).toBeNull();
    const rows = [
      m('relu', 'forward', 1),
      m('mish', 'forward', 2),
      m('hardMish', 'forward', 1),
      m('blend(mish,hardMish,0.5)', 'forward', 2.2), // 1.10x mish: met
    ];
    expect(byId(rows, 'cpu-blend')).toMatchObject({ met: true, measured: expect.stringContaining('1.10x') });
    rows[3] = m('blend(mish,hardMish,0.5)', 'forward', 2.4);
    expect(byId(rows, 'cpu-blend').met).toBe(false);
  });

  it('judge the per-call time in microseconds', () => {
    const rows = [m('relu', 'forward', 0.0002, { n: 1 }), m('mish', 'forward', 0.0003, { n: 1 })];
    const v = byId(rows, 'per-call');
    expect(v.met).toBe(false);
    expect(v.measured).toBe('worst mish forward 0.30 µs (limit 0.25 µs), 20% over; 1 of 2 over: mish forward 0.30 µs');
  });
});

describe('the speed targets in 16 bits', () => {
  const big = (a: string, pass: Measurement['pass'], ms: number, extra: Partial<Measurement> = {}) =>
    m(a, pass, ms, { n: 2 ** 24, ...extra });
  const bf = { dtype: 'bfloat16' as const };
  const f16 = { dtype: 'float16' as const };

  it('hold relu and the hard-* family at 2^24 to 1.7x the float32 element throughput, each format and thread count', () => {
    const rows = [
      big('relu', 'forward', 16),
      big('relu', 'forward', 8.5, bf), // 1.88x: met
      big('relu', 'forward', 10, f16), // 1.60x: short of 1.7
      big('hardSwish', 'backward', 24, { threads: 2 }),
      big('hardSwish', 'backward', 12, { threads: 2, ...bf }), // 2.00x
      big('mish', 'forward', 40),
      big('mish', 'forward', 40, bf), // not of the family: not judged here
    ];
    const v = byId(rows, 'cpu-half-bandwidth');
    expect(v.met).toBe(false);
    expect(v.measured).toBe(
      'worst relu forward 1t f16 1.60x (limit 1.70x), 6% over; 1 of 3 over: relu forward 1t f16 1.60x',
    );
    expect(byId(rows.slice(0, 2), 'cpu-half-bandwidth')).toMatchObject({
      met: true,
      measured: 'worst relu forward 1t bf16 1.88x (limit 1.70x)',
    });
    expect(byId(rows.slice(0, 1), 'cpu-half-bandwidth').measured).toMatch(
      /^not measured: no bfloat16 or float16 rows in this run \(npm run bench -- --dtype float32,bfloat16,float16/,
    );
  });

  it('hold every other function to its float32 time, at 2^20 and 2^24', () => {
    const rows = [
      m('relu', 'forward', 1),
      m('mish', 'forward', 2),
      m('mish', 'forward', 1.5, bf), // faster: met
      m('gelu', 'backward', 3, { threads: 2 }),
      m('gelu', 'backward', 3.3, { threads: 2, ...f16 }), // 1.10x its float32 time
      m('relu', 'forward', 1.2, bf), // relu is held to 1.7x instead, at 2^24
      m('mish', 'forward', 0.1, { n: 2 ** 16 }),
      m('mish', 'forward', 0.3, { n: 2 ** 16, ...bf }), // 2^16: not judged
    ];
    const v = byId(rows, 'cpu-half-float32');
    expect(v.met).toBe(false);
    expect(v.measured).toBe(
      'worst gelu backward 2t f16 2^20 1.10x (limit 1.00x), 10% over; 1 of 2 over: gelu backward 2t f16 2^20 1.10x',
    );
  });

  it("hold bfloat16 to PyTorch's bfloat16 kernel of the same function, on one thread", () => {
    const torch = (activation: string, ms: number, extra: Partial<Peer> = {}): Peer =>
      peerRow('PyTorch', activation, 'forward', ms, { dtype: 'bfloat16', ...extra });
    const rows = deriveRows([m('silu', 'forward', 1, bf), m('gelu', 'forward', 2, bf), m('gelu', 'forward', 1)]);
    const judge = (peers: Peer[]) => verdicts(rows, peers).find((x) => x.id === 'cpu-half-pytorch')!;
    expect(judge([torch('silu', 4), torch('gelu', 2.5)])).toMatchObject({
      met: true,
      measured: 'worst gelu forward 2^20 0.80x (limit 1.00x)',
    });
    // PyTorch's float32 gelu is not its bfloat16 one
    expect(judge([torch('gelu', 1.5, { dtype: undefined })]).met).toBeNull();
    expect(judge([torch('gelu', 1.5)]).met).toBe(false);
    expect(judge([]).measured).toContain("PyTorch's bfloat16 CPU kernels not timed");
  });

  it('judge 2^24 against 2^20 in every format, and leave the float32 targets to the float32 rows', () => {
    const rows = [
      m('relu', 'forward', 1),
      m('relu', 'backward', 2),
      big('relu', 'forward', 16),
      m('relu', 'forward', 0.5, bf),
      big('relu', 'forward', 8 * 1.3, bf), // 1.30x its per-element time at 2^20
      m('relu', 'backward', 0.4, bf), // faster than its forward: the float32 forward-backward target does not see it
    ];
    const per = byId(rows, 'cpu-2^24-per-element');
    expect(per.met).toBe(false);
    expect(per.measured).toMatch(/^worst relu forward 1t bf16 1\.30x \(limit 1\.15x\), 13% over; 1 of 2 over/);
    expect(byId(rows, 'cpu-forward-backward')).toMatchObject({ met: true, measured: 'worst relu 0.50x (limit 1.00x)' });
  });
});

describe('the generated pages', () => {
  it('are what npm run bench:docs writes from the committed results', () => {
    expect(stale(root)).toEqual([]);
  });

  it('show a run with 16-bit rows: its float32 tables as before, and a table by element type', () => {
    const rows = deriveRows([
      m('copy', 'forward', 0.5),
      m('relu', 'forward', 1),
      m('mish', 'forward', 2),
      m('copy', 'forward', 0.25, { dtype: 'bfloat16' }),
      m('relu', 'forward', 0.5, { dtype: 'bfloat16' }),
      m('mish', 'forward', 1.6, { dtype: 'bfloat16' }),
    ]);
    const doc = {
      machine: { cpu: 'Test CPU', isa: 'avx512', threads: 2, gpu: null, node: 'v20.0.0' },
      date: '2026-01-02T03:04:05.000Z',
      mode: 'custom',
      bytes: {},
      notes: [],
      rows,
      peers: [],
      verdicts: [],
    };
    // the float32 table shows the float32 rows only
    expect(sizeTable(doc, 2 ** 20)!.body).toEqual([
      ['copy', '0.500 (0.50×)', '–'],
      ['relu', '1.00 (1.00×)', '–'],
      ['mish', '2.00 (2.00×)', '–'],
    ]);
    const section = runSection({ file: 'results/test-dtype.json', doc });
    expect(section).toContain('**By element type, n = 2^20: ms per call');
    expect(section).toContain('| mish fwd | 2.00 | 1.60 (1.25x) |');
    expect(section).toContain('not measured: CPU, bfloat16, one thread');
  });

  it('name each run and quote only what docs/benchmarks.md holds', () => {
    const pages = generate(root);
    const bench = pages.get('docs/benchmarks.md')!;
    for (const file of PUBLISHED) expect(bench).toContain(`[${file}](../${file})`);
    expect(bench).toMatch(/load average \d+\.\d at the start and \d+\.\d at the end on \d+ cores/);
    expect(bench).toMatch(/commit [0-9a-f]{7,}/);
    const readme = pages.get('README.md')!;
    const [begin, end] = MARKS.readme;
    const summary = readme.slice(readme.indexOf(begin), readme.indexOf(end));
    // every ratio of the README's summary is in the page's 2^20 table
    const ratios = [...summary.matchAll(/\| (\d+\.\d\d×) /g)].map((r) => r[1]);
    expect(ratios.length).toBeGreaterThan(10);
    for (const r of ratios) expect(bench).toContain(`(${r})`);
  });
});
