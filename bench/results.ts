// The results: rows, their derived figures (GB/s, ratios to relu and copy), the JSON document
// and the verdicts on the targets of docs/targets.md. Pure functions: test/bench.test.ts checks them.

import type { Accuracy } from './accuracy';
import { bytesOf, DTYPES, type Dtype, dtypeOf } from './half';
import { judgeTargets } from './targets';

export type Backend = 'cpu' | 'cuda';
export type Pass = 'forward' | 'backward' | 'paramGrad';

export interface Measurement {
  backend: Backend;
  threads: number;
  activation: string; // an activation, or 'copy' (the memory-bandwidth reference)
  pass: Pass;
  /** The element type of x, dy and out; absent: float32. 'copy' rows copy n elements of it. */
  dtype?: Dtype;
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
  /** time / float32 relu's at the same size, pass, backend and threads (in every dtype) */
  vsRelu: number | null;
  /** time / the copy of the same bytes (n elements of the row's dtype) at the same size and backend */
  vsCopy: number | null;
  /** 16-bit rows: time / the same function's float32 time at the same size, pass and threads */
  vsFloat32?: number | null;
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
  /** the element type it computes on; absent: float32 */
  dtype?: Dtype;
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
  /** 16-bit ops: ulp of that format, on the sweep rounded to it; absent: float32 */
  dtype?: Dtype;
}

/** A native peer as the run found it: its version, or why it was skipped. */
export interface PeerStatusRow {
  name: string;
  version: string | null;
  package?: string | null;
  skipped: string | null;
}

export interface Verdict {
  /** the target's id in bench/targets.ts */
  id?: string;
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

/** Bytes each pass moves per float32 element: forward reads x and writes y, backward reads x and dy. */
export const BYTES_PER_ELEMENT: Record<Pass, number> = { forward: 8, backward: 12, paramGrad: 8 };
/** The same in a row's dtype: half of it for the 16-bit formats. */
export const bytesPerElement = (pass: Pass, dtype: Dtype = 'float32'): number =>
  (BYTES_PER_ELEMENT[pass] * bytesOf(dtype)) / 4;
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

/**
 * GB/s, elements/s and the ratios of every measurement: to float32 relu, to the copy of the same
 * bytes, and (16-bit rows) to the same function in float32.
 */
export function deriveRows(measured: Measurement[]): Row[] {
  const find = (like: Measurement, activation: string, pass: Pass, dtype: Dtype) =>
    measured.find((m) => sameGroup(m, like) && m.activation === activation && m.pass === pass && dtypeOf(m) === dtype);
  return measured.map((m) => {
    const dtype = dtypeOf(m);
    const relu = find(m, 'relu', m.pass === 'paramGrad' ? 'backward' : m.pass, 'float32');
    const copy = find(m, 'copy', 'forward', dtype);
    const row: Row = {
      ...m,
      elementsPerS: m.n / (m.ms / 1e3),
      gbps: (bytesPerElement(m.pass, dtype) * m.n) / (m.ms / 1e3) / 1e9,
      vsRelu: relu ? m.ms / relu.ms : null,
      vsCopy: copy ? m.ms / copy.ms : null,
    };
    if (dtype !== 'float32') {
      const own = find(m, m.activation, m.pass, 'float32');
      row.vsFloat32 = own ? m.ms / own.ms : null;
    }
    if (m.roundTrip) {
      const host = measured
        .filter(
          (h) =>
            h.backend === 'cpu' &&
            h.n === m.n &&
            h.activation === m.activation &&
            h.pass === m.pass &&
            dtypeOf(h) === dtype,
        )
        .sort((a, b) => b.threads - a.threads)[0];
      row.vsCpu = host ? m.ms / host.ms : null;
    }
    return row;
  });
}

/**
 * Each speed target of docs/targets.md (bench/targets.ts), met, NOT MET or not measured, with
 * the measured figure. gpuSkipped: why the run has no GPU rows. Never throws.
 */
export function verdicts(rows: Row[], peers: Peer[], gpuSkipped?: string): Verdict[] {
  return judgeTargets({ rows, peers, ...(gpuSkipped ? { gpuSkipped } : {}) });
}

/** The native peers' rows (oneDNN, XNNPACK, libmvec, SLEEF, PyTorch; memcpy apart). */
export const isNativePeer = (p: Peer): boolean => p.backend === 'cpu' && p.name !== 'memcpy';

const validDtype = (d: unknown): boolean => d === undefined || (DTYPES as readonly unknown[]).includes(d);

/** Throws when a results document does not have the shape of a results document. */
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
    if (!validDtype(r.dtype)) fail(`row dtype ${r.dtype} of ${r.activation}`);
    if (r.vsFloat32 != null && !(r.vsFloat32 > 0)) fail(`row vsFloat32 of ${r.activation}`);
  }
  for (const p of doc.peers) {
    if (typeof p.name !== 'string' || typeof p.version !== 'string' || !(p.ms > 0) || !(p.n > 0)) fail('peer');
    if (p.maxUlp != null && !(p.maxUlp >= 0)) fail(`peer maxUlp of ${p.name} ${p.activation}`);
    if (!validDtype(p.dtype)) fail(`peer dtype ${p.dtype} of ${p.name} ${p.activation}`);
  }
  for (const s of doc.nativePeers ?? [])
    if (typeof s.name !== 'string' || (s.version === null) === (s.skipped === null)) fail(`native peer ${s.name}`);
}
