// The results: rows, their derived figures (GB/s, ratios to relu and copy), the JSON document
// and the DESIGN §4 verdicts. Pure functions: test/bench.test.ts checks them.

import type { Accuracy } from './accuracy';

export type Backend = 'cpu' | 'cuda';
export type Pass = 'forward' | 'backward' | 'paramGrad';

export interface Measurement {
  backend: Backend;
  threads: number;
  activation: string; // an activation, or 'copy' (the memory-bandwidth reference)
  pass: Pass;
  n: number;
  ms: number;
  /** GPU only: a host array with device: 'cuda' (upload, kernel, download), not a GpuArray. */
  roundTrip?: boolean;
  /** GPU only: the arrays fit in the device's L2 cache, so this times the cache, not memory. */
  cacheResident?: boolean;
  rme?: number; // relative margin of error of the mean, percent (benchmark.js)
}

export interface Row extends Measurement {
  elementsPerS: number;
  gbps: number;
  vsRelu: number | null;
  vsCopy: number | null;
  /** roundTrip rows: time / the CPU's time (all threads) at the same size and pass. */
  vsCpu?: number | null;
}

export interface Peer {
  /** 'onnxruntime-node', 'javascript', or a native peer: 'oneDNN', 'XNNPACK', 'libmvec', 'SLEEF', 'PyTorch', 'memcpy' */
  name: string;
  version: string;
  backend?: Backend; // 'cuda': PyTorch's CUDA kernels in scripts/gpu-check.sh (name 'torch')
  activation: string; // this library's name for the function ('memcpy' for memcpy)
  pass: Pass; // the direction: forward or backward
  n: number;
  ms: number;
  threads: number;
  how: string;
  vsRelu: number | null; // time / this library's relu at the same size, pass, threads
  /** this library's time / the peer's at the same size, pass, threads (> 1: the peer is faster) */
  vsOurs?: number | null;
  /** native peers: the worst error in ulp on the accuracy sweep (null: not checked), and wrong special values */
  maxUlp?: number | null;
  maxUlp30?: number | null; // the same for |x| <= 30
  wrong?: string | null;
}

/** Accuracy on the peers' sweep, of a peer's op or of this library ('ours') on the same inputs. */
export interface AccuracyRow extends Accuracy {
  name: string;
  activation: string;
  pass: Pass;
}

/** A native peer as the run found it: its version, or why it was skipped. */
export interface PeerStatusRow {
  name: string;
  version: string | null;
  package?: string | null;
  skipped: string | null;
}

export interface Verdict {
  target: string;
  met: boolean | null; // null: not measured in this run
  measured: string;
}

export interface Machine {
  cpu: string;
  isa: string;
  threads: number;
  gpu: string | null;
  node: string;
}

export interface Results {
  machine: Machine;
  date: string;
  mode: string;
  /** the 1-minute load average at the start and the end of the timing, and the cores it is over */
  load?: { start: number; end: number; cores: number };
  /** the commit measured ("+dirty": with uncommitted changes) */
  commit?: string;
  bytes: Record<string, string>;
  notes: string[];
  rows: Row[];
  peers: Peer[];
  /** the native peers (absent when the run left them out) */
  nativePeers?: PeerStatusRow[];
  accuracy?: AccuracyRow[];
  verdicts: Verdict[];
}

/** Bytes each pass moves per element: forward reads x and writes y, backward reads x and dy. */
export const BYTES_PER_ELEMENT: Record<Pass, number> = { forward: 8, backward: 12, paramGrad: 8 };
export const BYTES_NOTE = {
  forward: 'reads 4n, writes 4n bytes (x, y)',
  backward: 'reads 8n, writes 4n bytes (x, dy, dx)',
  paramGrad: 'reads 8n bytes (x, dy); vsRelu is against relu backward',
  copy: 'reads 4n, writes 4n bytes',
};

/** The L2 assumed when the device does not report one: 50 MiB, an H100's or H200's. */
export const DEFAULT_L2_BYTES = 50 * 2 ** 20;

/** Whether a GPU pass over n elements keeps its arrays (x, dy, out) in an L2 of l2Bytes. */
export function cacheResident(pass: Pass, n: number, l2Bytes?: number | null): boolean {
  return BYTES_PER_ELEMENT[pass] * n <= (l2Bytes && l2Bytes > 0 ? l2Bytes : DEFAULT_L2_BYTES);
}

const sameGroup = (a: Measurement, b: Measurement): boolean =>
  a.backend === b.backend && a.threads === b.threads && a.n === b.n && !!a.roundTrip === !!b.roundTrip;

/** GB/s, elements/s and the ratios of every measurement. */
export function deriveRows(measured: Measurement[]): Row[] {
  const find = (like: Measurement, activation: string, pass: Pass) =>
    measured.find((m) => sameGroup(m, like) && m.activation === activation && m.pass === pass);
  return measured.map((m) => {
    const relu = find(m, 'relu', m.pass === 'paramGrad' ? 'backward' : m.pass);
    const copy = find(m, 'copy', 'forward');
    const row: Row = {
      ...m,
      elementsPerS: m.n / (m.ms / 1e3),
      gbps: (BYTES_PER_ELEMENT[m.pass] * m.n) / (m.ms / 1e3) / 1e9,
      vsRelu: relu ? m.ms / relu.ms : null,
      vsCopy: copy ? m.ms / copy.ms : null,
    };
    if (m.roundTrip) {
      const host = measured
        .filter((h) => h.backend === 'cpu' && h.n === m.n && h.activation === m.activation && h.pass === m.pass)
        .sort((a, b) => b.threads - a.threads)[0];
      row.vsCpu = host ? m.ms / host.ms : null;
    }
    return row;
  });
}

const fmt = (r: number): string => `${r.toFixed(2)}x`;

/** Each DESIGN §4 speed target, met or not, with the measured ratio. Never throws. */
export function verdicts(rows: Row[], peers: Peer[]): Verdict[] {
  return [...ownVerdicts(rows, peers), ...peerVerdicts(rows, peers)];
}

/** The native peers' rows (oneDNN, XNNPACK, libmvec, SLEEF, PyTorch; memcpy apart). */
export const isNativePeer = (p: Peer): boolean => p.backend === 'cpu' && p.name !== 'memcpy';

const listed = (items: string[]) => (items.length > 6 ? `${items.slice(0, 6).join(', ')}, ...` : items.join(', '));

/** The targets against the native peers and memcpy (DESIGN §4, issue 11), one thread, 2^20. */
function peerVerdicts(rows: Row[], peers: Peer[]): Verdict[] {
  const N = 2 ** 20;
  const own = rows.filter((r) => r.backend === 'cpu' && r.threads === 1 && r.n === N && r.activation !== 'copy');
  const ours = (activation: string, pass: Pass) => own.find((r) => r.activation === activation && r.pass === pass);
  const at = peers.filter((p) => p.threads === 1 && p.n === N);
  const out: Verdict[] = [];
  const judge = (target: string, checks: { name: string; ratio: number; limit: number }[]) => {
    if (checks.length === 0) return out.push({ target, met: null, measured: 'not measured in this run' });
    const worst = [...checks].sort((a, b) => b.ratio / b.limit - a.ratio / a.limit)[0];
    const over = checks.filter((c) => !(c.ratio <= c.limit));
    out.push({
      target,
      met: over.length === 0,
      measured:
        `worst ${worst.name} ${fmt(worst.ratio)}` +
        (over.length ? `; over: ${listed(over.map((c) => `${c.name} ${fmt(c.ratio)}`))}` : ''),
    });
  };
  const copyBound: { name: string; ratio: number; limit: number }[] = [];
  for (const activation of ['relu', 'hardSwish', 'hardMish', 'hMish'])
    for (const pass of ['forward', 'backward'] as const) {
      const r = ours(activation, pass);
      const copy = at.find((p) => p.name === 'memcpy' && p.pass === pass);
      if (r && copy) copyBound.push({ name: `${activation} ${pass}`, ratio: r.ms / copy.ms, limit: 1.05 });
    }
  judge(
    'CPU, 1 thread, 2^20: relu and the hard-* family, forward and backward, <= 1.05x memcpy of the same bytes',
    copyBound,
  );
  const fastest: { name: string; ratio: number; limit: number }[] = [];
  for (const key of new Set(at.filter(isNativePeer).map((p) => `${p.activation}|${p.pass}`))) {
    const [activation, pass] = key.split('|') as [string, Pass];
    const r = ours(activation, pass);
    const best = at
      .filter((p) => isNativePeer(p) && p.activation === activation && p.pass === pass)
      .sort((a, b) => a.ms - b.ms)[0];
    if (r) fastest.push({ name: `${activation} ${pass} (vs ${best.name})`, ratio: r.ms / best.ms, limit: 1 });
  }
  judge(
    'CPU, 1 thread, 2^20: every function no slower than the fastest native peer computing it (time / peer time)',
    fastest,
  );
  const ownOrder: { name: string; ratio: number; limit: number }[] = [];
  for (const f of own.filter((r) => r.pass === 'forward')) {
    const b = ours(f.activation, 'backward');
    if (b) ownOrder.push({ name: f.activation, ratio: f.ms / b.ms, limit: 1 });
  }
  judge('CPU, 1 thread, 2^20: every forward no slower than its own backward (forward / backward time)', ownOrder);
  const dnnl: { name: string; ratio: number; limit: number }[] = [];
  for (const p of at.filter((q) => q.name === 'oneDNN' && q.pass === 'backward')) {
    const r = ours(p.activation, 'backward');
    if (r) dnnl.push({ name: p.activation, ratio: r.ms / p.ms, limit: 1 });
  }
  judge("CPU, 1 thread, 2^20: every backward ahead of oneDNN's (time / oneDNN's)", dnnl);
  return out;
}

function ownVerdicts(rows: Row[], peers: Peer[]): Verdict[] {
  const out: Verdict[] = [];
  const N = 2 ** 20;
  const host = rows.filter((r) => r.backend === 'cpu' && r.threads === 1 && r.n === N && r.activation !== 'copy');
  for (const pass of ['forward', 'backward'] as const) {
    const target = `CPU, 1 thread, 2^20: every ${pass} <= 1.5x relu ${pass}`;
    const own = host.filter((r) => r.pass === pass && r.activation !== 'relu' && r.vsRelu !== null);
    if (own.length === 0) {
      out.push({ target, met: null, measured: 'not measured in this run' });
      continue;
    }
    const sorted = [...own].sort((a, b) => (b.vsRelu ?? 0) - (a.vsRelu ?? 0));
    const over = sorted.filter((r) => (r.vsRelu ?? 0) > 1.5);
    out.push({
      target,
      met: over.length === 0,
      measured:
        `worst ${sorted[0].activation} ${fmt(sorted[0].vsRelu ?? 0)}` +
        (over.length ? `; over 1.5x: ${over.map((r) => `${r.activation} ${fmt(r.vsRelu ?? 0)}`).join(', ')}` : ''),
    });
  }
  const mish = host.find((r) => r.activation === 'mish' && r.pass === 'forward');
  for (const [name, factor] of [
    ['onnxruntime-node', 10],
    ['javascript', 50],
  ] as const) {
    const target = `CPU, 1 thread, 2^20: mish forward >= ${factor}x faster than ${name === 'javascript' ? 'a plain JavaScript loop' : "onnxruntime-node's Mish"}`;
    const peer = peers.find(
      (p) => p.name === name && p.activation === 'mish' && p.pass === 'forward' && p.n === N && p.threads === 1,
    );
    if (!mish || !peer) out.push({ target, met: null, measured: 'not measured in this run' });
    else {
      const speedup = peer.ms / mish.ms;
      out.push({ target, met: speedup >= factor, measured: `${fmt(speedup)} faster` });
    }
  }
  const gpu = rows.filter(
    (r) => r.backend === 'cuda' && !r.roundTrip && !r.cacheResident && r.n >= 2 ** 26 && r.activation !== 'copy',
  );
  const gpuOwn = gpu.filter((r) => r.pass !== 'paramGrad' && r.activation !== 'relu');
  const t1 = 'GPU, >= 2^26: every forward and backward within 3% of relu';
  const t2 = 'GPU, >= 2^26: every forward and backward >= 90% of device-to-device copy bandwidth';
  if (gpuOwn.length === 0) {
    out.push({ target: t1, met: null, measured: 'not measured in this run (no GPU rows)' });
    out.push({ target: t2, met: null, measured: 'not measured in this run (no GPU rows)' });
    return out;
  }
  const worstRelu = [...gpuOwn].sort((a, b) => (b.vsRelu ?? 0) - (a.vsRelu ?? 0))[0];
  out.push({
    target: t1,
    met: gpuOwn.every((r) => r.vsRelu !== null && r.vsRelu <= 1.03),
    measured: `worst ${worstRelu.activation} ${worstRelu.pass} at 2^${Math.log2(worstRelu.n)}: ${fmt(worstRelu.vsRelu ?? Number.NaN)}`,
  });
  const copyGbps = (n: number) =>
    rows.find((r) => r.backend === 'cuda' && !r.roundTrip && r.activation === 'copy' && r.n === n)?.gbps;
  const shares = gpu
    .filter((r) => r.pass !== 'paramGrad')
    .map((r) => ({ r, share: r.gbps / (copyGbps(r.n) ?? Number.NaN) }))
    .sort((a, b) => a.share - b.share);
  if (shares.length === 0 || Number.isNaN(shares[0].share))
    out.push({ target: t2, met: null, measured: 'not measured in this run (no device-to-device copy row)' });
  else {
    const w = shares[0];
    out.push({
      target: t2,
      met: shares.every((s) => s.share >= 0.9),
      measured: `lowest ${w.r.activation} ${w.r.pass} at 2^${Math.log2(w.r.n)}: ${(100 * w.share).toFixed(1)}% of copy`,
    });
  }
  return out;
}

/** Throws when a results document does not have the shape the issue specifies. */
export function checkSchema(doc: Results): void {
  const fail = (what: string) => {
    throw new TypeError(`results JSON: ${what}`);
  };
  const { machine } = doc;
  if (!machine || typeof machine.cpu !== 'string' || typeof machine.isa !== 'string') fail('machine.cpu/isa');
  if (typeof machine.threads !== 'number' || typeof machine.node !== 'string') fail('machine.threads/node');
  if (machine.gpu !== null && typeof machine.gpu !== 'string') fail('machine.gpu');
  if (Number.isNaN(Date.parse(doc.date))) fail('date');
  if (!Array.isArray(doc.rows) || !Array.isArray(doc.peers)) fail('rows/peers');
  for (const r of doc.rows) {
    if (r.backend !== 'cpu' && r.backend !== 'cuda') fail(`row backend ${r.backend}`);
    if (!['forward', 'backward', 'paramGrad'].includes(r.pass)) fail(`row pass ${r.pass}`);
    for (const k of ['threads', 'n', 'ms', 'gbps'] as const) if (!(r[k] > 0)) fail(`row ${k} of ${r.activation}`);
    for (const k of ['vsRelu', 'vsCopy'] as const)
      if (r[k] !== null && !(r[k] > 0)) fail(`row ${k} of ${r.activation}`);
    if (typeof r.activation !== 'string') fail('row activation');
  }
  for (const p of doc.peers) {
    if (typeof p.name !== 'string' || typeof p.version !== 'string' || !(p.ms > 0) || !(p.n > 0)) fail('peer');
    if (p.maxUlp != null && !(p.maxUlp >= 0)) fail(`peer maxUlp of ${p.name} ${p.activation}`);
  }
  for (const s of doc.nativePeers ?? [])
    if (typeof s.name !== 'string' || (s.version === null) === (s.skipped === null)) fail(`native peer ${s.name}`);
}
