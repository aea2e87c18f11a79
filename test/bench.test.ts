// The pure parts of `npm run bench`: options, figures and verdicts, the JSON shape, the chart,
// the hand-written ONNX graphs. No timing here (speed is the benchmark's job).
import { describe, expect, it } from 'vitest';
import { FULL_GPU_SIZES, FULL_HOST_SIZES, parseArgs, parseSizes, selected } from '../bench/args';
import { markdownReport, terminalReport, textTable } from '../bench/format';
import { onnxModel, peerGraphs, varint } from '../bench/onnx';
import { checkSchema, deriveRows, type Measurement, type Peer, type Results, verdicts } from '../bench/results';
import { chart, niceStep, spread } from '../bench/svg';
import { mishRef } from './reference';

describe('bench options', () => {
  it('runs 2^10..2^24 on the host and 2^16..2^28 on the GPU by default', () => {
    const o = parseArgs([]);
    expect(o.mode).toBe('full');
    expect(o.hostSizes[0]).toBe(2 ** 10);
    expect(o.hostSizes.at(-1)).toBe(2 ** 24);
    expect(o.gpuSizes[0]).toBe(2 ** 16);
    expect(o.gpuSizes.at(-1)).toBe(2 ** 28);
    expect(FULL_HOST_SIZES.length).toBeGreaterThan(5);
    expect(FULL_GPU_SIZES).toContain(2 ** 26);
  });

  it('--quick is 2^20 on the host and 2^26 on the GPU', () => {
    expect(parseArgs(['--quick'])).toMatchObject({ mode: 'quick', hostSizes: [2 ** 20], gpuSizes: [2 ** 26] });
  });

  it('reads sizes as powers, ranges and counts', () => {
    expect(parseSizes('16,2^18')).toEqual([2 ** 16, 2 ** 18]);
    expect(parseSizes('2^10..2^12')).toEqual([1024, 2048, 4096]);
    expect(parseSizes('1000000,20')).toEqual([2 ** 20, 1e6].sort((a, b) => a - b));
    expect(parseArgs(['--sizes=20,28'])).toMatchObject({
      mode: 'custom',
      hostSizes: [2 ** 20],
      gpuSizes: [2 ** 20, 2 ** 28],
    });
    expect(() => parseSizes('big')).toThrow('Expected a size like 20, 2^20 or 1048576 for --sizes but received "big"');
    expect(() => parseSizes('2^20..2^10')).toThrow(RangeError);
  });

  it('filters by substring, always keeping the references', () => {
    const o = parseArgs(['--filter', 'Mish,aptx', '--json-only', '--out', '/tmp/x']);
    expect(o).toMatchObject({ filter: ['mish', 'aptx'], jsonOnly: true, outDir: '/tmp/x', mode: 'custom' });
    expect(selected('hardMish', o.filter)).toBe(true);
    expect(selected('relu', o.filter)).toBe(true);
    expect(selected('copy', o.filter)).toBe(true);
    expect(selected('silu', o.filter)).toBe(false);
    expect(selected('silu', [])).toBe(true);
  });

  it('rejects unknown options and missing values', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/but received "--fast"/);
    expect(() => parseArgs(['--sizes'])).toThrow('Expected a value for --sizes but received none');
  });
});

const m = (activation: string, pass: Measurement['pass'], ms: number, extra: Partial<Measurement> = {}) =>
  ({ backend: 'cpu', threads: 1, n: 2 ** 20, activation, pass, ms, ...extra }) as Measurement;

const sample: Measurement[] = [
  m('copy', 'forward', 0.5),
  m('relu', 'forward', 1),
  m('mish', 'forward', 1.2),
  m('aptx', 'forward', 2),
  m('relu', 'backward', 2),
  m('mish', 'backward', 2.5),
  m('aptx', 'paramGrad', 3),
];
const peer = (name: string, ms: number): Peer => ({
  name,
  version: '1',
  activation: 'mish',
  pass: 'forward',
  n: 2 ** 20,
  ms,
  threads: 1,
  how: '',
  vsRelu: null,
});

describe('bench figures and verdicts', () => {
  it('derives GB/s and the ratios to relu and copy', () => {
    const rows = deriveRows(sample);
    const mish = rows.find((r) => r.activation === 'mish' && r.pass === 'forward')!;
    expect(mish.gbps).toBeCloseTo((8 * 2 ** 20) / 1.2e-3 / 1e9, 9);
    expect(mish.elementsPerS).toBeCloseTo(2 ** 20 / 1.2e-3, 3);
    expect(mish.vsRelu).toBeCloseTo(1.2);
    expect(mish.vsCopy).toBeCloseTo(2.4);
    const back = rows.find((r) => r.activation === 'mish' && r.pass === 'backward')!;
    expect(back.gbps).toBeCloseTo((12 * 2 ** 20) / 2.5e-3 / 1e9, 9);
    expect(rows.find((r) => r.pass === 'paramGrad')!.vsRelu).toBeCloseTo(1.5); // against relu backward
    expect(deriveRows([m('mish', 'forward', 1)])[0].vsRelu).toBeNull();
  });

  it('says met, not met (with the ratio) or not measured for each target', () => {
    const v = verdicts(deriveRows(sample), [peer('onnxruntime-node', 12), peer('javascript', 30)]);
    expect(v).toHaveLength(6);
    expect(v[0]).toMatchObject({ met: false, measured: 'worst aptx 2.00x; over 1.5x: aptx 2.00x' });
    expect(v[1]).toMatchObject({ met: true, measured: 'worst mish 1.25x' });
    expect(v[2]).toMatchObject({ met: true, measured: '10.00x faster' });
    expect(v[3]).toMatchObject({ met: false, measured: '25.00x faster' });
    expect(v[4].met).toBeNull();
    expect(v[5].met).toBeNull();
  });

  it('judges the GPU at 2^26 and more against relu and copy bandwidth', () => {
    const g = (activation: string, pass: Measurement['pass'], ms: number) =>
      m(activation, pass, ms, { backend: 'cuda', n: 2 ** 26 });
    const rows = deriveRows([g('copy', 'forward', 1), g('relu', 'forward', 1.02), g('mish', 'forward', 1.04)]);
    const [, , , , same, bandwidth] = verdicts(rows, []);
    expect(same).toMatchObject({ met: true, measured: 'worst mish forward at 2^26: 1.02x' });
    expect(bandwidth).toMatchObject({ met: true, measured: 'lowest mish forward at 2^26: 96.2% of copy' });
    const slow = verdicts(
      deriveRows([g('copy', 'forward', 1), g('relu', 'forward', 1), g('mish', 'forward', 1.2)]),
      [],
    );
    expect(slow[4].met).toBe(false);
    expect(slow[5].met).toBe(false);
  });
});

function doc(): Results {
  const rows = deriveRows([
    ...sample,
    m('relu', 'forward', 0.1, { n: 2 ** 16 }),
    m('mish', 'forward', 0.15, { n: 2 ** 16 }),
    m('copy', 'forward', 0.05, { n: 2 ** 16 }),
  ]);
  const peers = [peer('onnxruntime-node', 12)];
  return {
    machine: { cpu: 'Test <CPU>', isa: 'avx2', threads: 2, gpu: null, node: 'v20.0.0' },
    date: '2026-01-02T03:04:05.000Z',
    mode: 'custom',
    bytes: {},
    notes: ['a note'],
    rows,
    peers,
    verdicts: verdicts(rows, peers),
  };
}

describe('bench output', () => {
  it('has the JSON shape of the issue', () => {
    const d = doc();
    expect(() => checkSchema(d)).not.toThrow();
    for (const r of d.rows)
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(['backend', 'threads', 'activation', 'pass', 'n', 'ms', 'gbps', 'vsRelu', 'vsCopy']),
      );
    expect(Object.keys(d.peers[0])).toEqual(
      expect.arrayContaining(['name', 'version', 'activation', 'pass', 'n', 'ms']),
    );
    const bad = JSON.parse(JSON.stringify(d)) as Results;
    bad.rows[0].backend = 'tpu' as 'cpu';
    expect(() => checkSchema(bad)).toThrow('results JSON: row backend tpu');
    const noDate = { ...d, date: 'yesterday' };
    expect(() => checkSchema(noDate)).toThrow('results JSON: date');
  });

  it('draws lines of time over relu against size, and bars where there is one size', () => {
    const svg = chart(doc());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Test &lt;CPU&gt;');
    expect(svg).toContain('CPU, 1 thread: forward');
    expect(svg).toContain('CPU, 1 thread: backward, n = 2');
    // forward has two sizes: lines for relu, mish and copy, a dot for aptx (one size only)
    expect((svg.match(/<polyline/g) ?? []).length).toBe(3);
    expect((svg.match(/<circle/g) ?? []).length).toBe(1);
    // backward has relu at one size only: bars for relu, copy and mish, each with its ratio
    expect((svg.match(/<rect class="bar"/g) ?? []).length).toBe(3);
    expect(svg).toContain('<title>mish: 1.25×</title>');
    expect(svg).toContain('<title>copy: 0.25×</title>'); // copy against relu backward
    expect(svg).toContain("time / relu's (log scale)");
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect([niceStep(7), niceStep(0.9), niceStep(40)]).toEqual([2, 0.2, 10]);
  });

  it('the quick run (one size) is all bars; the names at line ends do not collide', () => {
    const quick = { ...doc(), rows: doc().rows.filter((r) => r.n === 2 ** 20) };
    const svg = chart(quick);
    expect(svg).not.toContain('<polyline');
    expect((svg.match(/<rect class="bar"/g) ?? []).length).toBe(7); // forward: relu, copy, mish, aptx; backward: 3
    expect(spread([10, 12, 13, 100], 5, 0, 200)).toEqual([10, 15, 20, 100]);
    expect(spread([190, 195, 199], 5, 0, 196)).toEqual([186, 191, 196]);
  });

  it('prints tables, verdicts and the Markdown file', () => {
    const d = doc();
    const text = terminalReport(d);
    expect(text).toContain('CPU, 1 thread, forward, n = 2^20');
    expect(text).toContain('NOT MET: CPU, 1 thread, 2^20: every forward <= 1.5x relu forward');
    const md = markdownReport(d, 'chart.svg');
    expect(md).toContain('![time relative to relu](chart.svg)');
    expect(md).toContain('## Speed targets ([docs/targets.md](../../docs/targets.md))');
    expect(text).toContain('Speed targets (docs/targets.md):');
    expect(md).toContain('| activation | ms | Melem/s | GB/s | vs relu | vs copy |');
    expect(textTable({ title: 't', head: ['a', 'b'], body: [['x', '1.5']] })).toBe('t\na    b\n-  ---\nx  1.5');
  });
});

describe('bench ONNX graphs', () => {
  it('writes protobuf varints', () => {
    expect(varint(1)).toEqual([1]);
    expect(varint(300)).toEqual([0xac, 0x02]);
  });

  it('builds a Mish graph that onnxruntime-node runs', async () => {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(onnxModel(peerGraphs.mish.nodes));
    const x = Float32Array.from([-5, -1, 0, 0.5, 3]);
    const out = await session.run({ x: new ort.Tensor('float32', x, [x.length]) });
    const y = out.y.data as Float32Array;
    x.forEach((v, i) => {
      const want = mishRef().f(v);
      expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want));
    });
  });
});
