// The native peers in a bench run: which of their ops run (those of functions this library has,
// as the filter chooses), their accuracy on one sweep before any timing, and their times. The
// inputs go to the runners as float32 files in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Reference, sweep } from '../reference/reference';
import { accuracyOf } from './accuracy';
import { type Dtype, dtypeOf, type HalfDtype, isHalf } from './half';
import { ak } from './library';
import { opId, type PeerOp, type PeerTime, parsePeerLines, type Runner, runLines } from './native-peers';
import type { AccuracyRow } from './results';

/** The accuracy sweep: 2^20 inputs across every exponent, 2^20 dense in [-30, 30], the specials. */
export const PEER_SWEEP = 1 << 21;
const KINKS = [-3, -2, 2, 3];

export interface Selected {
  runner: Runner;
  op: PeerOp;
  version: string;
}

/**
 * The ops to run: those whose activation `wanted` accepts in an element type of the run
 * (float32 unless --dtype says more), and memcpy when any runs.
 */
export function selectOps(
  runners: Runner[],
  wanted: (activation: string) => boolean,
  dtypes: readonly Dtype[] = ['float32'],
): Selected[] {
  const all = runners.flatMap((runner) =>
    runner.peers.flatMap((p) => p.ops.map((op) => ({ runner, op, version: p.version }))),
  );
  const chosen = all.filter(
    (s) => s.op.activation !== 'memcpy' && wanted(s.op.activation) && dtypes.includes(dtypeOf(s.op)),
  );
  return chosen.length ? [...chosen, ...all.filter((s) => s.op.activation === 'memcpy')] : [];
}

export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ak-bench-peers-'));

const writeFloats = (file: string, v: Float32Array) =>
  fs.writeFileSync(file, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
function readFloats(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const byRunner = (ops: Selected[]): Map<Runner, Selected[]> => {
  const m = new Map<Runner, Selected[]>();
  for (const s of ops) m.set(s.runner, [...(m.get(s.runner) ?? []), s]);
  return m;
};

export interface Ours {
  forward(x: Float32Array): Float32Array;
  backward(x: Float32Array, dy: Float32Array): Float32Array;
}

/** This library in a 16-bit format: the inputs and the results as float32 values of that format. */
export type OursHalf = (activation: string, dtype: HalfDtype) => Ours | undefined;

/**
 * Every selected op once on the sweep, against the double reference; this library's own
 * functions on the same inputs as 'ours'. Ops without a reference (memcpy) are not checked.
 */
export async function checkOps(
  ops: Selected[],
  dir: string,
  refOf: (activation: string) => Reference | undefined,
  ours: (activation: string) => Ours | undefined,
  dy: (n: number) => Float32Array,
  oursHalf?: OursHalf,
): Promise<AccuracyRow[]> {
  const x = sweep(PEER_SWEEP, [-30, 30], KINKS);
  const d = dy(x.length);
  writeFloats(path.join(dir, 'check-x.f32'), x);
  writeFloats(path.join(dir, 'check-dy.f32'), d);
  // A 16-bit op computes on the sweep rounded to its format: its reference is taken there too.
  const rounded = new Map<HalfDtype, { x: Float32Array; dy: Float32Array }>();
  const inputsOf = (dtype: Dtype) => {
    if (!isHalf(dtype)) return { x, dy: d };
    let r = rounded.get(dtype);
    if (!r) {
      r = { x: ak.fromHalf(ak.toHalf(x, dtype), dtype), dy: ak.fromHalf(ak.toHalf(d, dtype), dtype) };
      rounded.set(dtype, r);
    }
    return r;
  };
  const rows: AccuracyRow[] = [];
  for (const [runner, list] of byRunner(ops.filter((s) => refOf(s.op.activation)))) {
    const byId = new Map(list.map((s) => [opId(s.op), s.op]));
    await runLines(runner, ['--check', dir, [...byId.keys()].join(',')], (line) => {
      const parsed = parsePeerLines(line);
      if (parsed.errors.length) throw new Error(`${runner.label} --check: ${parsed.errors[0]}`);
      for (const c of parsed.checks) {
        const op = byId.get(c.id);
        const ref = op && refOf(op.activation);
        if (!op || !ref) continue;
        const got = readFloats(c.file);
        fs.unlinkSync(c.file);
        const dtype = dtypeOf(op);
        const at = inputsOf(dtype);
        rows.push({
          name: op.peer,
          activation: op.activation,
          pass: op.pass,
          ...(isHalf(dtype) ? { dtype } : {}),
          ...accuracyOf(op.activation, op.pass, at.x, at.dy, got, ref, dtype),
        });
      }
    });
  }
  for (const key of new Set(ops.map((s) => `${s.op.activation}|${dtypeOf(s.op)}`))) {
    const [activation, dtype] = key.split('|') as [string, Dtype];
    const fn = isHalf(dtype) ? oursHalf?.(activation, dtype) : ours(activation);
    const ref = refOf(activation);
    if (!fn || !ref) continue;
    const at = inputsOf(dtype);
    const typed = isHalf(dtype) ? { dtype } : {};
    rows.push({
      name: 'ours',
      activation,
      pass: 'forward',
      ...typed,
      ...accuracyOf(activation, 'forward', at.x, at.dy, fn.forward(at.x), ref, dtype),
    });
    rows.push({
      name: 'ours',
      activation,
      pass: 'backward',
      ...typed,
      ...accuracyOf(activation, 'backward', at.x, at.dy, fn.backward(at.x, at.dy), ref, dtype),
    });
  }
  return rows;
}

/** The selected ops of one runner at every size, on bench's inputs(n); one thread. */
export async function timeOps(
  runner: Runner,
  ops: Selected[],
  dir: string,
  sizes: number[],
  budget: { minTime: number; maxTime: number; minSamples: number },
  inputs: (n: number) => { x: Float32Array; dy: Float32Array },
): Promise<PeerTime[]> {
  for (const n of sizes) {
    const file = path.join(dir, `x-${n}.f32`);
    if (fs.existsSync(file)) continue;
    const { x, dy } = inputs(n);
    writeFloats(file, x);
    writeFloats(path.join(dir, `dy-${n}.f32`), dy);
  }
  const ids = ops.filter((s) => s.runner === runner).map((s) => opId(s.op));
  const times: PeerTime[] = [];
  const args = ['--time', dir, sizes.join(','), ids.join(','), String(budget.minTime), String(budget.maxTime)];
  await runLines(runner, [...args, String(budget.minSamples)], (line) => {
    const parsed = parsePeerLines(line);
    if (parsed.errors.length) throw new Error(`${runner.label} --time: ${parsed.errors[0]}`);
    times.push(...parsed.times);
  });
  return times;
}
