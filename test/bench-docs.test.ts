// The speed targets (bench/targets.ts) as the bench judges them, and the generated pages
// (bench/docs.ts): docs/targets.md, docs/benchmarks.md and the README's summary are what the
// committed results make. No timing here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, MARKS, PUBLISHED, stale } from '../bench/docs';
import { deriveRows, type Measurement, verdicts } from '../bench/results';
import { blendSides, judgeTargets, TARGETS } from '../bench/targets';

const root = join(__dirname, '..');
const m = (activation: string, pass: Measurement['pass'], ms: number, extra: Partial<Measurement> = {}) =>
  ({ backend: 'cpu', threads: 1, n: 2 ** 20, activation, pass, ms, ...extra }) as Measurement;
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

describe('the generated pages', () => {
  it('are what npm run bench:docs writes from the committed results', () => {
    expect(stale(root)).toEqual([]);
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
