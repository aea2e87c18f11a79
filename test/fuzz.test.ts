// Hostile input (docs/targets.md, Bad input), property-based: a seeded generator throws random values of random
// types, lengths, views and parameters at every public function and factory, and at the addon's
// own functions called directly. Only TypeError or RangeError may come out (or the documented
// Error saying CUDA is not available); nothing crashes; nothing is written outside `out` (the
// arrays are views into one buffer whose every other byte is checked after each call).
import { afterAll, describe, expect, it } from 'vitest';
import * as ak from '../lib';
import { native } from '../lib/native';
import { random } from './helpers/data';

const initialIsa = ak.cpu.isa();
const initialThreads = ak.cpu.threads();
afterAll(() => {
  ak.cpu.setIsa(initialIsa);
  ak.cpu.setThreads(initialThreads);
});

const FLOATS = 4096;
type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];

// One buffer holds every Float32Array the generator hands out, so a stray write shows.
class Guarded {
  readonly buffer = new ArrayBuffer(FLOATS * 4);
  readonly all = new Float32Array(this.buffer);
  constructor(rng: Rng) {
    for (let i = 0; i < FLOATS; i++) this.all[i] = rng() * 40 - 20;
  }
  view(rng: Rng, length?: number): Float32Array {
    const n = length ?? pick(rng, [0, 1, 2, 7, 8, 15, 16, 17, 33, 64, 100, 255, 1000]);
    const offset = Math.floor(rng() * (FLOATS - n));
    return this.all.subarray(offset, offset + n);
  }
  snapshot(): Uint8Array {
    return new Uint8Array(this.buffer.slice(0));
  }
  // The first byte that changed outside `out` (a view of this buffer, or not), or -1.
  strayWrite(before: Uint8Array, out: unknown): number {
    const now = new Uint8Array(this.buffer);
    const inOut =
      out instanceof Float32Array && out.buffer === this.buffer
        ? (i: number) => i >= out.byteOffset && i < out.byteOffset + out.byteLength
        : () => false;
    for (let i = 0; i < now.length; i++) if (now[i] !== before[i] && !inOut(i)) return i;
    return -1;
  }
}

const NUMBERS = [0, -0, 1, -1, 0.5, 2, 3, 6, 1.5, -2.5, 1024, 1025, 2 ** 31, -(2 ** 31), 2 ** 53, 1e-45, 1e-310];
const SPECIAL_NUMBERS = [Number.NaN, Infinity, -Infinity, 3.4028234663852886e38, 3.5e38, -1e39, Number.MAX_VALUE];
const STRINGS = [
  '',
  'mish',
  'aptx',
  'relu',
  'swish',
  'blend',
  'avx2',
  'avx512',
  'scalar',
  'neon',
  'cpu',
  'cuda',
  'auto',
];
const KEYS = ['out', 'device', 'beta', 'alpha', 'gamma', 'shift', 'cap', 't', 'foo', '__proto__', 'constructor'];

function detached(): Float32Array {
  const a = new Float32Array(16);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

// Anything a caller could pass. depth bounds nesting.
function anything(rng: Rng, g: Guarded, depth = 0): unknown {
  const kind = Math.floor(rng() * 22);
  switch (kind) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return rng() < 0.5;
    case 3:
      return pick(rng, NUMBERS);
    case 4:
      return pick(rng, SPECIAL_NUMBERS);
    case 5:
      return (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 4);
    case 6:
      return pick(rng, STRINGS);
    case 7:
      return pick(rng, [1n, Symbol('x'), () => 1, new Date(0), /x/, new Map()]);
    case 8:
    case 9:
    case 10:
      return g.view(rng); // the common case: a valid array
    case 11:
      return pick(rng, [new Float64Array(8), new Int32Array(8), new Uint8Array(32), new DataView(new ArrayBuffer(8))]);
    case 12:
      return pick(rng, [detached(), new Float32Array(new SharedArrayBuffer(64)), new Float32Array(0)]);
    case 13:
      return Array.from({ length: Math.floor(rng() * 5) }, () => rng());
    case 14:
    case 15:
    case 16: {
      // an options or parameters object
      if (depth > 1) return {};
      const o: Record<string, unknown> = {};
      const keys = Math.floor(rng() * 3);
      for (let i = 0; i < keys; i++) o[pick(rng, KEYS)] = anything(rng, g, depth + 1);
      if (rng() < 0.5) o.out = g.view(rng);
      return o;
    }
    case 17:
      return Object.create(null);
    case 18:
      return pick(rng, [ak.mish, ak.relu, ak.swish, ak.aptx({ beta: 2 }), ak.blend(ak.mish, ak.hMish, 0.3)]);
    case 19:
      return { length: 4, 0: 1, byteOffset: 0, buffer: new ArrayBuffer(16) }; // array-like impostor
    case 20:
      return Object.create(Float32Array.prototype); // passes instanceof, is no typed array
    default:
      return pick(rng, [new Proxy({}, {}), [g.view(rng)], new Float32Array(3).fill(Number.NaN)]);
  }
}

const activations = [
  ak.relu,
  ak.mish,
  ak.silu,
  ak.hardSwish,
  ak.hardMish,
  ak.hMish,
  ak.approxMish,
  ak.linearSwish,
  ak.swish,
  ak.hardGate,
  ak.aptx,
  ak.swish({ beta: -0.5 }),
  ak.aptx({ alpha: 2, beta: 0.1, gamma: -3 }),
  ak.blend(ak.mish, ak.blend(ak.relu, ak.hardMish, 0.2), 0.9),
];

// A call of the public API on random arguments; returns what it returned and the `out` it used.
function publicCall(rng: Rng, g: Guarded): { name: string; run: () => unknown; out: unknown } {
  const f = pick(rng, activations);
  const arg = () => (rng() < 0.7 ? g.view(rng) : anything(rng, g));
  const n = pick(rng, [0, 1, 7, 16, 17, 100]);
  const x = rng() < 0.5 ? g.view(rng, n) : arg();
  const dy = rng() < 0.5 ? g.view(rng, n) : arg();
  const opts = rng() < 0.4 ? undefined : rng() < 0.5 ? { out: rng() < 0.3 ? x : g.view(rng, n) } : anything(rng, g);
  const out = (opts as { out?: unknown } | undefined)?.out;
  const fa = f as unknown as Record<string, (...a: unknown[]) => unknown>;
  const calls: Array<[string, () => unknown]> = [
    ['forward', () => fa.forward.call(f, x, opts)],
    ['backward', () => fa.backward.call(f, x, dy, opts)],
    ['forwardAsync', () => fa.forwardAsync.call(f, x, opts)],
    ['backwardAsync', () => fa.backwardAsync.call(f, x, dy, opts)],
    ['paramGrad', () => fa.paramGrad.call(f, x, dy, opts)],
    ['paramGradAsync', () => fa.paramGradAsync.call(f, x, dy, opts)],
    ['forward(no this)', () => fa.forward.call(anything(rng, g), x, opts)],
    ['blend', () => (ak.blend as (...a: unknown[]) => unknown)(anything(rng, g), pick(rng, activations), arg())],
    ['blend(t)', () => ak.blend(ak.mish, ak.relu, anything(rng, g) as number)],
    ['activation', () => (ak.activation as (...a: unknown[]) => unknown)(anything(rng, g), anything(rng, g))],
    ['activation(name)', () => ak.activation(pick(rng, ak.activation.names), anything(rng, g) as never)],
    ['swish()', () => (ak.swish as (...a: unknown[]) => unknown)(anything(rng, g))],
    ['hardGate()', () => (ak.hardGate as (...a: unknown[]) => unknown)({ cap: anything(rng, g), shift: arg() })],
    ['aptx()', () => (ak.aptx as (...a: unknown[]) => unknown)({ [pick(rng, KEYS)]: anything(rng, g) })],
    ['cpu.setThreads', () => (ak.cpu.setThreads as (v: unknown) => void)(anything(rng, g))],
    ['cpu.setIsa', () => (ak.cpu.setIsa as (v: unknown) => void)(rng() < 0.5 ? pick(rng, STRINGS) : anything(rng, g))],
    ['GpuArray.from', () => (ak.GpuArray.from as (...a: unknown[]) => unknown)(arg(), anything(rng, g))],
    ['cuda', () => [ak.cuda.available(), ak.cuda.devices()]],
  ];
  const [name, run] = pick(rng, calls);
  return { name, run, out: name.startsWith('forward') || name.startsWith('backward') ? out : undefined };
}

// A direct call of the addon (lib/ bypassed): it must only throw TypeErrors.
function nativeCall(rng: Rng, g: Guarded): { name: string; run: () => unknown; out: unknown } {
  const n = native();
  const names = ['forward', 'backward', 'paramGrad', 'forwardAsync', 'backwardAsync', 'paramGradAsync'];
  const name = pick(rng, [...names, 'setIsa', 'setThreads']);
  const code =
    rng() < 0.5
      ? pick(rng, activations).code
      : Float64Array.from({ length: pick(rng, [0, 3, 4, 8, 12, 16]) }, () =>
          pick(rng, [0, 1, 2, 3, 6, 7, 99, 100, 101, -1, 0.5, Number.NaN, 1e300, -1e300, Infinity]),
        );
  const len = pick(rng, [0, 1, 17, 64]);
  const args = [
    rng() < 0.8 ? code : anything(rng, g),
    ...[0, 1, 2].map(() => (rng() < 0.7 ? g.view(rng, len) : anything(rng, g))),
  ];
  // the half-precision format after the arrays: mostly none (float32), else 0, 1 or anything
  args[name.startsWith('backward') ? 4 : 3] =
    rng() < 0.9 ? undefined : rng() < 0.6 ? pick(rng, [0, 1]) : anything(rng, g);
  const out = name.startsWith('forward') ? args[2] : name.startsWith('backward') ? args[3] : undefined;
  return { name: `native ${name}`, run: () => (n[name] as (...a: unknown[]) => unknown)(...args), out };
}

function allowed(e: unknown, direct: boolean): boolean {
  if (e instanceof TypeError || e instanceof RangeError) return !direct || e instanceof TypeError;
  return !direct && e instanceof Error && / needs CUDA, which is not available/.test(e.message);
}

async function fuzz(seed: number, iterations: number, make: typeof publicCall, direct: boolean) {
  const rng = random(seed);
  const g = new Guarded(rng);
  let succeeded = 0;
  for (let i = 0; i < iterations; i++) {
    const call = make(rng, g);
    const before = g.snapshot();
    const where = `seed ${seed}, iteration ${i}: ${call.name}`;
    let error: unknown;
    try {
      const result = call.run();
      if (result instanceof Promise) await result;
    } catch (e) {
      error = e;
    }
    if (error === undefined) succeeded++;
    else if (!allowed(error, direct))
      expect.fail(`${where} threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    const stray = g.strayWrite(before, error === undefined ? call.out : undefined);
    if (stray >= 0) expect.fail(`${where} wrote byte ${stray} outside out`);
  }
  ak.cpu.setIsa(initialIsa);
  ak.cpu.setThreads(initialThreads);
  // The generator reaches both sides: calls that compute and calls that are refused.
  expect(succeeded).toBeGreaterThan(iterations * 0.1);
  expect(succeeded).toBeLessThan(iterations * 0.9);
}

describe('hostile input', () => {
  it.each([1, 2, 3, 4])('the public API, seed %i: only TypeError/RangeError, no stray writes', async (seed) => {
    await fuzz(seed, 5000, publicCall, false);
  });
  it.each([11, 12])('the addon called directly, seed %i: only TypeError, no stray writes', async (seed) => {
    await fuzz(seed, 5000, nativeCall, true);
  });
});
