// The pure parts of `npm run bench`: options, figures and verdicts, the JSON shape, the chart,
// the hand-written ONNX graphs. No timing here (speed is the benchmark's job).
import { describe, expect, it } from 'vitest';
import { accuracyOf, describeUlp, ulpNumber } from '../bench/accuracy';
import {
  FULL_GPU_SIZES,
  FULL_HOST_SIZES,
  fileSuffix,
  parseArgs,
  parseDtypes,
  parseSizes,
  peerSelected,
  selected,
} from '../bench/args';
import {
  dtypeTables,
  markdownReport,
  peerStatusLines,
  ratioTables,
  sideBySide,
  terminalReport,
  textTable,
} from '../bench/format';
import { halfError } from '../bench/half';
import { notInstalled, opId, type PeerOp, parsePeerLines, probeFailure, type Runner } from '../bench/native-peers';
import { onnxModel, peerGraphs, varint } from '../bench/onnx';
import { selectOps } from '../bench/peer-run';
import {
  bytesPerElement,
  cacheResident,
  checkSchema,
  deriveRows,
  type Measurement,
  type Peer,
  type Results,
  verdicts,
} from '../bench/results';
import { chart, niceStep, rate, THREAD_COLOURS } from '../bench/svg';
import { mishRef, ulp32 } from '../reference/reference';
import { measurement, peerRow } from './helpers/bench-rows';

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

  it('--quick is 1 (the per-call cost) and 2^20 on the host and 2^26 on the GPU', () => {
    expect(parseArgs(['--quick'])).toMatchObject({ mode: 'quick', hostSizes: [1, 2 ** 20], gpuSizes: [2 ** 26] });
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

  it('matches a whole name after =, so that relu does not bring leakyRelu and relu6', () => {
    const { filter } = parseArgs(['--filter', '=relu,=Mish,gelu']);
    expect(filter).toEqual(['=relu', '=mish', 'gelu']);
    expect(
      ['relu', 'leakyRelu', 'relu6', 'mish', 'hardMish', 'gelu', 'geluTanh'].filter((a) => selected(a, filter)),
    ).toEqual(['relu', 'mish', 'gelu', 'geluTanh']);
    expect(peerSelected('relu', filter)).toBe(true);
    expect(peerSelected('leakyRelu', filter)).toBe(false);
    expect(peerSelected('hardMish', filter)).toBe(false);
  });

  it('rejects unknown options and missing values', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/but received "--fast"/);
    expect(() => parseArgs(['--sizes'])).toThrow('Expected a value for --sizes but received none');
  });
});

const m = measurement;

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

  it('judges the GPU at 2^26 and more against relu and copy bandwidth', () => {
    const g = (activation: string, pass: Measurement['pass'], ms: number) =>
      m(activation, pass, ms, { backend: 'cuda', n: 2 ** 26 });
    const rows = deriveRows([g('copy', 'forward', 1), g('relu', 'forward', 1.02), g('mish', 'forward', 1.04)]);
    const byId = (v: ReturnType<typeof verdicts>, id: string) => v.find((x) => x.id === id)!;
    const v = verdicts(rows, []);
    expect(byId(v, 'gpu-relu')).toMatchObject({
      met: true,
      measured: 'worst mish forward at 2^26 1.02x (limit 1.03x)',
    });
    expect(byId(v, 'gpu-copy-bandwidth')).toMatchObject({
      met: true,
      measured: 'worst mish forward at 2^26 96.2% (limit 90.0%)',
    });
    const slow = verdicts(
      deriveRows([g('copy', 'forward', 1), g('relu', 'forward', 1), g('mish', 'forward', 1.2)]),
      [],
    );
    expect(byId(slow, 'gpu-relu')).toMatchObject({ met: false });
    expect(byId(slow, 'gpu-relu').measured).toContain('17% over');
    expect(byId(slow, 'gpu-copy-bandwidth').met).toBe(false);
  });

  it('marks GPU sizes whose arrays fit in the L2 as cache-resident, and leaves them out of the targets', () => {
    const l2 = 50 * 2 ** 20; // an H200's
    expect(cacheResident('forward', 2 ** 22, l2)).toBe(true); // x and y: 32 MiB
    expect(cacheResident('backward', 2 ** 22, l2)).toBe(true); // x, dy and dx: 48 MiB
    expect(cacheResident('forward', 2 ** 23, l2)).toBe(false); // 64 MiB
    expect(cacheResident('backward', 2 ** 22, 40 * 2 ** 20)).toBe(false);
    expect(cacheResident('forward', 2 ** 22, null)).toBe(true); // unknown L2: 50 MiB assumed
    expect(cacheResident('forward', 2 ** 24, undefined)).toBe(false);
    const g = (activation: string, ms: number, n: number) =>
      m(activation, 'forward', ms, { backend: 'cuda', n, cacheResident: cacheResident('forward', n, l2) });
    // A 2^26 run on a GPU with a 1 GiB L2 would time the cache: not judged.
    const huge = (activation: string, ms: number) =>
      m(activation, 'forward', ms, { backend: 'cuda', n: 2 ** 26, cacheResident: true });
    expect(
      verdicts(deriveRows([huge('copy', 1), huge('relu', 1), huge('mish', 2)]), []).find((x) => x.id === 'gpu-relu')!
        .met,
    ).toBeNull();
    const rows = deriveRows([
      g('relu', 0.01, 2 ** 20),
      g('mish', 0.02, 2 ** 20),
      g('relu', 1, 2 ** 26),
      g('mish', 1, 2 ** 26),
    ]);
    const [table] = ratioTables({ ...doc(), rows });
    expect(table.head).toEqual(['activation', '2^20 (in L2)', '2^26']);
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

  it('draws throughput bars with the ratio to relu, one x scale for every CPU panel', () => {
    const svg = chart(doc());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Test &lt;CPU&gt;');
    expect(svg).toContain('CPU forward, n = 2<tspan dy="-5" font-size="8">20</tspan>');
    expect(svg).toContain('CPU backward, n = 2<tspan dy="-5" font-size="8">20</tspan>');
    // 2^20 only (the size of the targets; 2^16 is in the tables): forward copy, relu, mish,
    // aptx; backward copy, relu, mish (paramGrad is not drawn)
    expect((svg.match(/<rect class="bar"/g) ?? []).length).toBe(7);
    expect(svg).toContain('>874 M/s, 1.20× relu</text>'); // 2^20 / 1.2 ms
    expect(svg).toContain('load average not recorded');
    // the same copy row in both panels: the same length, since the panels share one scale
    const widths = [...svg.matchAll(/<rect class="bar"[^>]*width="([\d.]+)"[^>]*><title>copy, /g)].map((w) => w[1]);
    expect(widths).toHaveLength(2);
    expect(widths[0]).toBe(widths[1]);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect([niceStep(7), niceStep(0.9), niceStep(40)]).toEqual([2, 0.2, 10]);
    expect([rate(2.5e9), rate(8.74e8), rate(1234)]).toEqual(['2.50 G/s', '874 M/s', '1.23 k/s']);
  });

  it('gives each thread count its own colour and puts the load at the start and end in the caption', () => {
    const two = deriveRows([...sample, ...sample.map((r) => ({ ...r, threads: 2, ms: r.ms * 1.3 }))]);
    const svg = chart({ ...doc(), rows: two, load: { start: 0.5, end: 2.5, cores: 2 }, commit: 'abc123' });
    expect(svg).toContain('load average 0.5 at the start, 2.5 at the end, on 2 cores');
    expect(svg).toContain('commit abc123');
    expect(svg).toContain(`fill="${THREAD_COLOURS[0]}"/><text x="38" y="71">1 thread</text>`);
    expect(svg).toContain(`fill="${THREAD_COLOURS[1]}"/><text x="168" y="71">2 threads</text>`);
    expect(new Set(THREAD_COLOURS).size).toBe(THREAD_COLOURS.length);
    expect((svg.match(/<rect class="bar"/g) ?? []).length).toBe(14);
  });

  it('prints tables, verdicts and the Markdown file', () => {
    const d = doc();
    const text = terminalReport(d);
    expect(text).toContain('CPU, 1 thread, forward, n = 2^20');
    expect(text).toContain(
      'met: CPU, one thread, 2^20: every forward no slower than its own backward. (worst relu 0.50x (limit 1.00x))',
    );
    expect(text).toContain('not measured: Per call (n = 1, with `out`)');
    const md = markdownReport(d, 'chart.svg');
    expect(md).toContain('![throughput and time relative to relu](chart.svg)');
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

const nativePeer = peerRow;

describe('bench native peers: what the runners say', () => {
  it('parses info, check, time and error lines, and flags anything else', () => {
    const text = [
      '{"peer":{"name":"oneDNN","version":"2.6.3","ops":[{"activation":"mish","pass":"forward","how":"eltwise_mish"},{"activation":"mish","pass":"sideways","how":"?"}]}}',
      '{"check":{"id":"oneDNN/mish/forward","file":"/tmp/out-0.f32"}}',
      '{"time":{"id":"oneDNN/mish/forward","n":1048576,"ms":0.444,"samples":11}}',
      '{"time":{"id":"oneDNN/mish/forward","n":1048576,"ms":0,"samples":11}}',
      '{"error":{"id":"XNNPACK/mish/forward","message":"no such op"}}',
      'Segmentation fault',
      '',
    ].join('\n');
    const p = parsePeerLines(text);
    expect(p.peers).toEqual([
      {
        name: 'oneDNN',
        version: '2.6.3',
        ops: [{ peer: 'oneDNN', activation: 'mish', pass: 'forward', how: 'eltwise_mish' }],
      },
    ]);
    expect(p.checks).toEqual([{ id: 'oneDNN/mish/forward', file: '/tmp/out-0.f32' }]);
    expect(p.times).toEqual([{ id: 'oneDNN/mish/forward', n: 2 ** 20, ms: 0.444, samples: 11 }]);
    expect(p.errors).toEqual([
      'unexpected line: {"time":{"id":"oneDNN/mish/forward","n":1048576,"ms":0,"samples":11}}',
      'XNNPACK/mish/forward: no such op',
      'not JSON: Segmentation fault',
    ]);
    expect(opId(p.peers[0].ops[0])).toBe('oneDNN/mish/forward');
  });

  it('says why a peer is skipped, with the package that installs it', () => {
    expect(notInstalled('oneDNN')).toBe('oneDNN: not installed (apt-get install libdnnl-dev)');
    expect(probeFailure('oneDNN', 'probe.cpp:1:10: fatal error: oneapi/dnnl/dnnl.h: No such file or directory')).toBe(
      'oneDNN: not installed (apt-get install libdnnl-dev)',
    );
    expect(
      probeFailure('XNNPACK', '/usr/include/xnnpack.h:15:10: fatal error: pthreadpool.h: No such file or directory'),
    ).toBe('XNNPACK: not installed (apt-get install libxnnpack-dev libpthreadpool-dev); pthreadpool.h is missing');
    expect(probeFailure('SLEEF', '/usr/bin/ld: cannot find -lsleef: No such file or directory')).toBe(
      'SLEEF: not installed (apt-get install libsleef-dev)',
    );
    expect(probeFailure('libmvec', "probe.cpp:3:5: error: '_mm256_set1_ps' was not declared")).toBe(
      "libmvec: does not build here (probe.cpp:3:5: error: '_mm256_set1_ps' was not declared)",
    );
  });

  it('runs the ops of functions this library has and the filter chooses, with memcpy beside them', () => {
    const op = (peer: string, activation: string): PeerOp => ({ peer, activation, pass: 'forward', how: '' });
    const runner: Runner = {
      label: 'native',
      command: 'native',
      args: [],
      peers: [
        { name: 'oneDNN', version: '2.6.3', ops: [op('oneDNN', 'mish'), op('oneDNN', 'gelu'), op('oneDNN', 'relu')] },
        { name: 'memcpy', version: 'glibc', ops: [op('memcpy', 'memcpy')] },
      ],
    };
    const ours = new Set(['mish', 'relu']);
    const pick = (filter: string[]) =>
      selectOps([runner], (a) => ours.has(a) && peerSelected(a, filter)).map((s) => opId(s.op));
    expect(pick([])).toEqual(['oneDNN/mish/forward', 'oneDNN/relu/forward', 'memcpy/memcpy/forward']);
    expect(pick(['mish'])).toEqual(['oneDNN/mish/forward', 'memcpy/memcpy/forward']);
    expect(pick(['hmish'])).toEqual([]); // the CI smoke run: nothing to compile or run
    expect(selectOps([runner], () => true)[0].version).toBe('2.6.3');
  });

  it('leaves every peer out with --no-peers', () => {
    expect(parseArgs([]).peers).toBe(true);
    expect(parseArgs(['--no-peers', '--quick'])).toMatchObject({ peers: false, mode: 'quick' });
  });
});

describe('bench native peers: accuracy', () => {
  const mish = mishRef();
  const x = Float32Array.from([-Infinity, -40, -1, 0, 0.5, 2, 100]);
  const exact = () => Float32Array.from(x, (v) => mish.f(v));

  it('is 0.5 ulp at most for correctly rounded results, and finds the worst input', () => {
    const a = accuracyOf('mish', 'forward', x, new Float32Array(x.length), exact(), mish);
    expect(a.maxUlp).toBeLessThanOrEqual(0.5);
    expect(a).toMatchObject({ wrong: 0, example: null, inputs: 7 });
    const off = exact();
    off[4] += 3 * ulp32(off[4]); // mish(0.5) off by 3 ulp
    off[6] = 100 + 40 * ulp32(100); // mish(100) off by 40 ulp, outside [-30, 30]
    const b = accuracyOf('mish', 'forward', x, new Float32Array(x.length), off, mish);
    expect(b.maxUlp).toBeCloseTo(40, 0);
    expect(b.at).toBe(100);
    expect(b.maxUlp30).toBeGreaterThan(2.5);
    expect(b.maxUlp30).toBeLessThan(3.5);
    expect(describeUlp({ maxUlp: 40, maxUlp30: 3, wrong: 0 })).toBe('3.0 / 40 ulp');
    expect(describeUlp({ maxUlp: 2.25, maxUlp30: 2.25, wrong: 0 })).toBe('2.3 ulp');
  });

  it('counts wrong special values apart, with the first of them', () => {
    const got = exact();
    got[0] = Number.NaN; // oneDNN's mish(-Inf)
    const a = accuracyOf('mish', 'forward', x, new Float32Array(x.length), got, mish);
    expect(a).toMatchObject({ wrong: 1, example: 'mish(-Infinity) = NaN, want -0' });
    expect(describeUlp({ maxUlp: 1.7e7, maxUlp30: 4.4, wrong: 1 })).toBe('4.4 / 1.7e+7 ulp, wrong specials');
    expect(ulpNumber(98303)).toBe('98303');
  });

  it('allows backward its 2^-24 |dy| and says which dy', () => {
    const dy = Float32Array.from(x, (_, i) => (i % 2 ? 0.5 : -1));
    const g = Float32Array.from(x, (v, i) => mish.df(v) * dy[i] + 2 ** -27);
    expect(accuracyOf('mish', 'backward', x, dy, g, mish).maxUlp).toBe(0);
    g[3] = Number.POSITIVE_INFINITY;
    expect(accuracyOf('mish', 'backward', x, dy, g, mish).example).toBe(
      "mish'(0) * 0.5 = Infinity, want 0.30000001192092896",
    );
  });
});

function peerDoc(): Results {
  const d = doc();
  d.machine.isa = 'avx512';
  d.rows = deriveRows([...sample, m('silu', 'forward', 0.8)]);
  d.peers = [
    nativePeer('oneDNN', 'mish', 'forward', 0.444, {
      maxUlp: 1.7e7,
      maxUlp30: 1.7e7,
      wrong: '1 of 9 wrong, e.g. mish(-Infinity) = NaN, want -0',
      vsOurs: 1.2 / 0.444,
    }),
    nativePeer('oneDNN', 'mish', 'backward', 0.8),
    nativePeer('libmvec', 'silu', 'forward', 0.386, { maxUlp: 1.7e7, maxUlp30: 3.5 }),
    nativePeer('SLEEF', 'silu', 'forward', 0.407, { maxUlp: 2.2, maxUlp30: 2.2 }),
    nativePeer('memcpy', 'memcpy', 'forward', 0.09, { maxUlp: null, maxUlp30: null }),
    peer('onnxruntime-node', 12),
  ];
  d.nativePeers = [
    { name: 'oneDNN', version: '2.6.3', package: 'libdnnl-dev 2.6.3-1', skipped: null },
    {
      name: 'XNNPACK',
      version: null,
      skipped: 'XNNPACK: not installed (apt-get install libxnnpack-dev libpthreadpool-dev)',
    },
  ];
  d.verdicts = verdicts(d.rows, d.peers);
  d.accuracy = [
    {
      name: 'ours',
      activation: 'mish',
      pass: 'forward',
      maxUlp: 2.4,
      maxUlp30: 2.4,
      at: -2,
      wrong: 0,
      example: null,
      inputs: 9,
    },
  ];
  return d;
}

describe('bench side by side', () => {
  it('judges the targets against the native peers and memcpy', () => {
    const d = peerDoc();
    const ids = ['cpu-copy-speed', 'cpu-fastest-peer', 'cpu-forward-backward', 'cpu-onednn-backward'];
    const pick = (v: ReturnType<typeof verdicts>) => ids.map((id) => v.find((x) => x.id === id)!);
    const v = pick(verdicts(d.rows, d.peers));
    expect(v.map((x) => x.met)).toEqual([false, false, true, false]);
    expect(v[0].measured).toBe('worst relu forward 11.11x (limit 1.05x), 958% over; 1 of 1 over: relu forward 11.11x');
    expect(v[1].measured).toBe(
      'worst mish backward (vs oneDNN) 3.13x (limit 1.00x), 213% over; 3 of 3 over: mish backward (vs oneDNN) 3.13x, mish forward (vs oneDNN) 2.70x, silu forward (vs libmvec) 2.07x',
    );
    expect(v[2]).toMatchObject({ target: expect.stringContaining('every forward no slower than its own backward') });
    expect(v[2].measured).toBe('worst relu 0.50x (limit 1.00x)');
    const none = pick(verdicts(d.rows, []));
    expect(none.map((x) => x.met)).toEqual([null, null, true, null]);
    expect(none[0].measured).toMatch(/^not measured: needs the memcpy peer/);
  });

  it('puts ours, each peer with its ulp, and memcpy in one row per function and pass', () => {
    const t = sideBySide(peerDoc())!;
    expect(t.title).toContain('n = 2^20, one thread');
    expect(t.head).toEqual([
      'op',
      'ours (avx512)',
      'oneDNN',
      'XNNPACK',
      'libmvec / SLEEF',
      'PyTorch',
      'memcpy (same bytes)',
    ]);
    expect(t.body).toEqual([
      ['mish fwd', '1.20 (2.4 ulp)', '0.444 (1.7e+7 ulp, wrong specials)', '-', '-', '-', '0.0900'],
      ['silu fwd', '0.800', '-', '-', '0.386 (3.5 / 1.7e+7 ulp) / 0.407 (2.2 ulp)', '-', '0.0900'],
      ['mish bwd', '2.50', '0.800 (2.0 ulp)', '-', '-', '-', '-'],
    ]);
    expect(sideBySide(doc())).toBeUndefined(); // no native peers: no table
  });

  it('shows the table, the versions and the skipped peers in the Markdown and on the terminal', () => {
    const d = peerDoc();
    expect(() => checkSchema(d)).not.toThrow();
    expect(peerStatusLines(d)).toEqual([
      'oneDNN: 2.6.3 (Debian libdnnl-dev 2.6.3-1)',
      'XNNPACK: not installed (apt-get install libxnnpack-dev libpthreadpool-dev)',
    ]);
    const md = markdownReport(d, 'c.svg');
    expect(md).toContain('| op | ours (avx512) | oneDNN | XNNPACK | libmvec / SLEEF | PyTorch | memcpy (same bytes) |');
    expect(md).toContain('| mish fwd | 1.20 (2.4 ulp) | 0.444 (1.7e+7 ulp, wrong specials) | - | - | - | 0.0900 |');
    expect(md).toContain('- XNNPACK: not installed (apt-get install libxnnpack-dev libpthreadpool-dev)');
    expect(md).toContain('| oneDNN 1.0 | mish | forward | 1 | 0.444 | - | 2.70x | 1.7e+7 ulp, wrong specials |  |');
    expect(terminalReport(d)).toContain('XNNPACK: not installed (apt-get install libxnnpack-dev libpthreadpool-dev)');
    expect(md).toContain(
      "- NOT MET: CPU, one thread, 2^20: every backward ahead of oneDNN's, where oneDNN computes it. (worst mish 3.13x (limit 1.00x), 213% over; 1 of 1 over: mish 3.13x)",
    );
    const bad = { ...d, nativePeers: [{ name: 'SLEEF', version: null, skipped: null }] };
    expect(() => checkSchema(bad)).toThrow('results JSON: native peer SLEEF');
  });
});

describe('bench element types: options', () => {
  it('times float32 alone unless --dtype names the 16-bit formats, float32 always first', () => {
    expect(parseArgs([]).dtypes).toEqual(['float32']);
    expect(parseArgs(['--sizes', '2^12', '--filter', 'hMish', '--json-only']).dtypes).toEqual(['float32']);
    expect(parseArgs(['--dtype', 'float16,bfloat16']).dtypes).toEqual(['float32', 'bfloat16', 'float16']);
    expect(parseArgs(['--dtype=bfloat16']).dtypes).toEqual(['float32', 'bfloat16']);
    expect(parseDtypes('float32, float32')).toEqual(['float32']);
    expect(() => parseDtypes('float64')).toThrow(
      'Expected float32, bfloat16 or float16 for --dtype but received "float64"',
    );
    expect(() => parseArgs(['--dtype'])).toThrow('Expected a value for --dtype but received none');
  });

  it('names a run with 16-bit rows apart, so that it never overwrites a float32 run of the day', () => {
    expect(fileSuffix({ mode: 'full', dtypes: ['float32'] })).toBe('');
    expect(fileSuffix({ mode: 'custom', dtypes: ['float32'] })).toBe('-custom');
    expect(fileSuffix({ mode: 'quick', dtypes: ['float32'] })).toBe('-quick');
    expect(fileSuffix(parseArgs(['--dtype', 'bfloat16', '--sizes', '20,24']))).toBe('-dtype');
    expect(fileSuffix(parseArgs(['--dtype', 'float16']))).toBe('-dtype');
    expect(fileSuffix(parseArgs(['--quick', '--dtype', 'float16']))).toBe('-quick-dtype');
  });
});

describe('bench element types: the 16-bit formats', () => {
  it('measures a 16-bit result in ulps of its format, with the special values exact', () => {
    expect(halfError(1, 1 + 2 ** -11, 'float16')).toBeCloseTo(0.5, 12);
    expect(halfError(1 + 2 ** -9, 1, 'float16')).toBeCloseTo(2, 12);
    expect(halfError(Number.NaN, Number.NaN, 'bfloat16')).toBe(0);
    expect(halfError(0, Number.NaN, 'bfloat16')).toBe(Number.POSITIVE_INFINITY);
    expect(halfError(Number.POSITIVE_INFINITY, 70000, 'float16')).toBe(0); // 70000 rounds to Inf
    expect(halfError(65504, 70000, 'float16')).toBe(Number.POSITIVE_INFINITY);
    expect(halfError(0, 2 ** -20, 'float16')).toBe(0); // below the smallest normal: within it
    expect(halfError(2 ** -13, 0, 'float16')).toBe(Number.POSITIVE_INFINITY);
    // backward: the float32 allowance of 2^-24 |dy|
    expect(halfError(2 ** -24, 0, 'bfloat16', 1)).toBe(0);
    expect(
      accuracyOf(
        'mish',
        'forward',
        Float32Array.of(1),
        Float32Array.of(0),
        Float32Array.of(0.8671875),
        mishRef(),
        'bfloat16',
      ).maxUlp,
    ).toBeLessThan(1);
    expect(bytesPerElement('backward', 'bfloat16')).toBe(6);
    expect(bytesPerElement('forward')).toBe(8);
  });
});

const h = (
  dtype: 'bfloat16' | 'float16',
  activation: string,
  pass: Measurement['pass'],
  ms: number,
  extra: Partial<Measurement> = {},
) => m(activation, pass, ms, { dtype, ...extra });

describe('bench element types: figures, JSON, tables and chart', () => {
  const rows = () =>
    deriveRows([
      ...sample,
      h('bfloat16', 'copy', 'forward', 0.25),
      h('bfloat16', 'relu', 'forward', 0.5),
      h('bfloat16', 'mish', 'forward', 1),
      h('bfloat16', 'mish', 'backward', 2),
      h('float16', 'copy', 'forward', 0.3),
      h('float16', 'mish', 'forward', 1.5),
    ]);

  it('reads the 16-bit rows against float32 relu, a copy of their own bytes and their function in float32', () => {
    const r = rows();
    const bf = (a: string, pass = 'forward') =>
      r.find((x) => x.dtype === 'bfloat16' && x.activation === a && x.pass === pass)!;
    expect(bf('mish').vsRelu).toBeCloseTo(1); // float32 relu: 1 ms
    expect(bf('mish').vsCopy).toBeCloseTo(4); // the bfloat16 copy: 0.25 ms
    expect(bf('mish').vsFloat32).toBeCloseTo(1 / 1.2);
    expect(bf('mish', 'backward').vsFloat32).toBeCloseTo(2 / 2.5);
    expect(bf('mish').gbps).toBeCloseTo((4 * 2 ** 20) / 1e-3 / 1e9, 9); // 2 bytes in, 2 out
    const f16 = r.find((x) => x.dtype === 'float16' && x.activation === 'mish')!;
    expect(f16.vsCopy).toBeCloseTo(5);
    expect(f16.vsFloat32).toBeCloseTo(1.25);
    // the float32 rows are what they were: relu and copy of their own dtype, no vsFloat32
    const f32 = r.find((x) => x.dtype === undefined && x.activation === 'mish' && x.pass === 'forward')!;
    expect(f32).toMatchObject({ vsRelu: 1.2, vsCopy: 2.4 });
    expect('vsFloat32' in f32).toBe(false);
  });

  it('keeps the dtype of rows, peers and accuracy through the JSON, and rejects an unknown one', () => {
    const d = { ...doc(), rows: rows() };
    d.peers = [...d.peers, nativePeer('PyTorch', 'mish', 'forward', 2, { dtype: 'bfloat16' })];
    const back = JSON.parse(JSON.stringify(d)) as Results;
    expect(() => checkSchema(back)).not.toThrow();
    expect(back.rows.filter((r) => r.dtype === 'bfloat16')).toHaveLength(4);
    expect(back.peers.at(-1)!.dtype).toBe('bfloat16');
    expect(back).toEqual(d);
    const bad = JSON.parse(JSON.stringify(d)) as Results;
    bad.rows[8].dtype = 'float64' as 'float16';
    expect(() => checkSchema(bad)).toThrow('results JSON: row dtype float64 of');
  });

  it('gives each element type its tables, its chart panels and its column beside float32', () => {
    const d = { ...doc(), rows: rows() };
    d.peers = [nativePeer('PyTorch', 'mish', 'forward', 2, { dtype: 'bfloat16' })];
    const md = markdownReport(d, 'c.svg');
    expect(md).toContain('**CPU, 1 thread, bfloat16, forward, n = 2^20 (vs relu: float32 relu');
    expect(md).toContain('| activation | ms | Melem/s | GB/s | vs relu | vs copy | vs float32 |');
    expect(md).toContain('| mish | 1.00 | 1049 | 4.19 | 1.00x | 4.00x | 0.83x |');
    expect(md).toContain('the bfloat16 and float16 rows (x, dy, out of 16 bits) half of each');
    const [t] = dtypeTables(d);
    expect(t.head).toEqual(['op', 'float32 1t', 'bfloat16 1t', 'float16 1t', 'PyTorch bf16 1t']);
    expect(t.body).toEqual([
      ['copy fwd', '0.500', '0.250 (2.00x)', '0.300 (1.67x)', '-'],
      ['relu fwd', '1.00', '0.500 (2.00x)', '-', '-'],
      ['mish fwd', '1.20', '1.00 (1.20x)', '1.50 (0.80x)', '2.00'],
      ['mish bwd', '2.50', '2.00 (1.25x)', '-', '-'],
    ]);
    expect(dtypeTables(doc())).toEqual([]);
    const svg = chart(d);
    expect(svg).toContain('CPU forward, bfloat16, n = 2<tspan dy="-5" font-size="8">20</tspan>');
    expect(svg).toContain('CPU backward, bfloat16, n = 2<tspan');
    expect(svg).toContain('CPU forward, float16, n = 2<tspan');
    expect(svg).toContain('>1.05 G/s, 1.20× float32</text>'); // bfloat16 mish: 2^20 / 1 ms
    expect(svg).toContain('copy (1 thread, 16-bit)');
    expect(svg).toContain('In the bfloat16 and float16 panels');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(chart(doc())).not.toContain('bfloat16');
  });
});

describe('bench element types: the peers', () => {
  it('reads 16-bit ops from the runners, with their own ids, and runs them only in a run of their dtype', () => {
    const p = parsePeerLines(
      '{"peer":{"name":"oneDNN","version":"2.6.3","ops":[{"activation":"mish","pass":"forward","how":"f32"},{"activation":"mish","pass":"forward","how":"bf16","dtype":"bfloat16"},{"activation":"mish","pass":"forward","how":"?","dtype":"int8"}]}}',
    );
    const ops = p.peers[0].ops;
    expect(ops.map((o) => opId(o))).toEqual(['oneDNN/mish/forward', 'oneDNN/mish/forward/bfloat16']);
    const runner: Runner = { label: 'native', command: 'native', args: [], peers: p.peers };
    const pick = (dtypes?: Array<'float32' | 'bfloat16' | 'float16'>) =>
      selectOps([runner], () => true, dtypes).map((s) => opId(s.op));
    expect(pick()).toEqual(['oneDNN/mish/forward']);
    expect(pick(['float32', 'float16'])).toEqual(['oneDNN/mish/forward']);
    expect(pick(['float32', 'bfloat16'])).toEqual(['oneDNN/mish/forward', 'oneDNN/mish/forward/bfloat16']);
  });

  it('leaves the 16-bit peers out of the float32 side by side and targets', () => {
    const d = peerDoc();
    const before = sideBySide(d);
    d.peers = [...d.peers, nativePeer('oneDNN', 'mish', 'forward', 0.1, { dtype: 'bfloat16' })];
    d.peers.push(nativePeer('memcpy', 'memcpy', 'forward', 0.01, { dtype: 'bfloat16', maxUlp: null, maxUlp30: null }));
    expect(sideBySide(d)).toEqual(before);
    const ids = ['cpu-copy-speed', 'cpu-fastest-peer'];
    const judged = (peers: Peer[]) => verdicts(d.rows, peers).filter((v) => ids.includes(v.id!));
    expect(judged(d.peers)).toEqual(judged(peerDoc().peers));
  });
});
