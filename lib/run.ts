// Where a call runs: host arrays on the CPU kernels (or the GPU with device: 'cuda'),
// GpuArrays on their device. A GpuArray is never silently copied to the host.

import { isFloat32Array } from 'node:util/types';
import { GpuArray, gpuRun, isGpuArray } from './cuda';
import { native, type ProgramHandle } from './native';
import { checkFloat32Array, checkLength, checkOptions, checkOut, hint, quote, rangeError, typeError } from './validate';

export { GpuArray };
/** What a call needs of an activation: its name (for messages) and its code for the addon. */
export interface Encoded {
  readonly name: string;
  readonly code: Float64Array;
}
/**
 * Where a call runs: 'auto' (where the data lives, the default), 'cpu', 'cuda' (a host array
 * through GPU 0; GpuArrays on their own device), or one CUDA device by index: 'cuda:1' or 1.
 */
export type Device = 'auto' | 'cpu' | 'cuda' | `cuda:${number}` | number;
type Result = Float32Array | GpuArray | Promise<Float32Array | GpuArray>;

interface Options {
  out?: Float32Array | GpuArray;
  device?: Device;
}

// The device option, parsed: where, and for 'cuda:N' or N the index (with how it was written,
// for messages).
interface Where {
  out?: Float32Array | GpuArray;
  where: 'auto' | 'cpu' | 'cuda';
  index?: { value: number; given: string };
}

const DEVICE_KINDS = 'one of auto, cpu, cuda, cuda:N or a device index';

function options(value: unknown, allowOut: boolean): Where {
  // forward(x, y) or backward(x, dy, dy): an array where the options go
  if (value instanceof Float32Array || isGpuArray(value))
    throw new TypeError(
      `Expected an options object for options but received ${value instanceof Float32Array ? 'Float32Array' : 'GpuArray'}` +
        (allowOut ? ': to write the result into that array, pass { out: array }' : ''),
    );
  const opts = checkOptions<Options>(value, 'options', 'an option name', allowOut ? ['out', 'device'] : ['device']);
  const d: unknown = opts.device;
  if (d === undefined || d === 'auto' || d === 'cpu' || d === 'cuda') return { out: opts.out, where: d ?? 'auto' };
  if (typeof d === 'number') {
    if (!Number.isInteger(d) || d < 0) throw rangeError(DEVICE_KINDS, 'device', String(d));
    return { out: opts.out, where: 'cuda', index: { value: d, given: String(d) } };
  }
  if (typeof d !== 'string') throw typeError(DEVICE_KINDS, 'device', d);
  const m = /^cuda:(0|[1-9][0-9]{0,3})$/.exec(d);
  if (!m) {
    // 'cuda:x' is near 'cuda' but meant 'cuda:N', which the expected list shows
    const fix = /^cuda:/i.test(d)
      ? ''
      : d.toLowerCase() === 'gpu'
        ? "; did you mean 'cuda'?"
        : hint(d, ['auto', 'cpu', 'cuda']);
    throw rangeError(DEVICE_KINDS, 'device', quote(d) + fix);
  }
  return { out: opts.out, where: 'cuda', index: { value: Number(m[1]), given: JSON.stringify(d) } };
}

function onGpu(arrays: unknown[], device: Where['where']): boolean {
  const gpu = arrays.some(isGpuArray);
  if (gpu && device === 'cpu')
    throw new TypeError("A GpuArray was passed with device: 'cpu'; download it with toFloat32Array() first");
  return gpu;
}

// The activation as the addon decoded it (its program), once per Activation object. Kept here,
// out of every caller's reach: an activation is shared by the whole process, so nothing a
// caller can write may change what it computes.
const programs = new WeakMap<Encoded, ProgramHandle>();
export function program(f: Encoded): ProgramHandle {
  let p = programs.get(f);
  if (p === undefined) {
    p = native().program(f.code);
    programs.set(f, p);
  }
  return p;
}

// The addon's entry points of the fast path, read once from its (dictionary-mode) exports.
// Each returns the name of the input out partly overlaps ('x' or 'dy'), computing nothing; the
// async forms take null for out (the addon makes the array) and resolve with out.
type Overlap = 'x' | 'dy';
interface Fast {
  forward(f: ProgramHandle, x: Float32Array, out: Float32Array): undefined | Overlap;
  backward(f: ProgramHandle, x: Float32Array, dy: Float32Array, out: Float32Array): undefined | Overlap;
  forwardAsync(f: ProgramHandle, x: Float32Array, out: Float32Array | null): Promise<Float32Array> | Overlap;
  backwardAsync(
    f: ProgramHandle,
    x: Float32Array,
    dy: Float32Array,
    out: Float32Array | null,
  ): Promise<Float32Array> | Overlap;
}
let fastCalls: Fast | undefined;
function fast(): Fast {
  if (fastCalls) return fastCalls;
  const n = native();
  fastCalls = {
    forward: n.forward as Fast['forward'],
    backward: n.backward as Fast['backward'],
    forwardAsync: n.forwardAsync as Fast['forwardAsync'],
    backwardAsync: n.backwardAsync as Fast['backwardAsync'],
  };
  return fastCalls;
}

// Only the addon sees out sharing memory with an input through another buffer object (two
// SharedArrayBuffers over one memory); checkOut catches it within one buffer.
function overlapError(input: Overlap): RangeError {
  return rangeError(
    `${input} itself or memory disjoint from ${input}`,
    'out',
    `a view that partly overlaps ${input} (the same memory through another buffer object)`,
  );
}

const F32 = Float32Array.prototype;

// The common call, checked in a few comparisons: attached, non-empty plain host Float32Arrays
// (not a subclass, whose length may say anything, nor a Proxy) of one length, options undefined
// or exactly { out } (the addon checks that out does not partly overlap an input). Returns out,
// null where none was given (the caller makes it), or undefined for every other call: those
// take the full checks below, which say what is wrong.
function fastOut(x: unknown, dy: unknown, opts: unknown): Float32Array | null | undefined {
  // A detached array has length 0, so every array here is attached.
  if (!isFloat32Array(x) || Object.getPrototypeOf(x) !== F32 || x.length === 0) return undefined;
  if (dy !== NO_DY && !(isFloat32Array(dy) && Object.getPrototypeOf(dy) === F32 && dy.length === x.length))
    return undefined;
  if (opts === undefined) return null;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) return undefined;
  const out = (opts as Options).out;
  if (!isFloat32Array(out) || Object.getPrototypeOf(out) !== F32 || out.length !== x.length) return undefined;
  let keys = 0; // for-in allocates nothing; an inherited key only sends the call the long way
  for (const key in opts) if (key !== 'out' || ++keys > 1) return undefined;
  return out;
}

// Host arrays: check, make out, compute. dy is NO_DY for forward.
const NO_DY = Symbol('no dy');
function hostCall(
  x: unknown,
  dy: unknown,
  out: unknown,
  withOut: boolean,
): { x: Float32Array; dy?: Float32Array; out?: Float32Array } {
  const hx = checkFloat32Array(x, 'x');
  let hdy: Float32Array | undefined;
  if (dy !== NO_DY) {
    hdy = checkFloat32Array(dy, 'dy');
    checkLength(hdy, 'dy', hx.length, 'x');
  }
  if (!withOut) return { x: hx, dy: hdy };
  let hout: Float32Array;
  if (out === undefined) hout = new Float32Array(hx.length);
  else {
    hout = checkFloat32Array(out, 'out');
    checkLength(hout, 'out', hx.length, 'x');
    checkOut(
      hout,
      hdy
        ? [
            [hx, 'x'],
            [hdy, 'dy'],
          ]
        : [[hx, 'x']],
    );
  }
  return { x: hx, dy: hdy, out: hout };
}

export function runForward(
  f: Encoded,
  x: unknown,
  opts: unknown,
  async: boolean,
): Float32Array | GpuArray | Promise<Float32Array | GpuArray> {
  const y = fastOut(x, NO_DY, opts);
  if (y !== undefined) {
    const hx = x as Float32Array;
    if (async) {
      const done = fast().forwardAsync(program(f), hx, y);
      if (typeof done !== 'string') return done;
    } else {
      const out = y ?? new Float32Array(hx.length);
      if (fast().forward(program(f), hx, out) === undefined) return out;
    }
  }
  const o = options(opts, true);
  if (onGpu([x, o.out], o.where)) return gpuCall('forward', f, [x], o, async) as Result;
  const a = hostCall(x, NO_DY, o.out, true);
  const out = a.out as Float32Array;
  if (o.where === 'cuda') return gpuCall('forward', f, [a.x], { ...o, out }, async) as Result;
  // async without out: null, so that the addon makes the result (no copy back)
  const made = o.out === undefined ? null : out;
  const done = async ? native().forwardAsync(program(f), a.x, made) : native().forward(program(f), a.x, out);
  if (typeof done === 'string') throw overlapError(done as Overlap);
  return async ? (done as Promise<Float32Array>) : out;
}

export function runBackward(
  f: Encoded,
  x: unknown,
  dy: unknown,
  opts: unknown,
  async: boolean,
): Float32Array | GpuArray | Promise<Float32Array | GpuArray> {
  const g = fastOut(x, dy, opts);
  if (g !== undefined) {
    const hx = x as Float32Array;
    const hdy = dy as Float32Array;
    if (async) {
      const done = fast().backwardAsync(program(f), hx, hdy, g);
      if (typeof done !== 'string') return done;
    } else {
      const out = g ?? new Float32Array(hx.length);
      if (fast().backward(program(f), hx, hdy, out) === undefined) return out;
    }
  }
  const o = options(opts, true);
  if (onGpu([x, dy, o.out], o.where)) return gpuCall('backward', f, [x, dy], o, async) as Result;
  const a = hostCall(x, dy, o.out, true);
  const out = a.out as Float32Array;
  const hdy = a.dy as Float32Array;
  if (o.where === 'cuda') return gpuCall('backward', f, [a.x, hdy], { ...o, out }, async) as Result;
  const made = o.out === undefined ? null : out;
  const done = async
    ? native().backwardAsync(program(f), a.x, hdy, made)
    : native().backward(program(f), a.x, hdy, out);
  if (typeof done === 'string') throw overlapError(done as Overlap);
  return async ? (done as Promise<Float32Array>) : out;
}

export function runParamGrad(
  f: Encoded,
  x: unknown,
  dy: unknown,
  opts: unknown,
  async: boolean,
): Float64Array | Promise<Float64Array> {
  const o = options(opts, false);
  if (onGpu([x, dy], o.where)) return gpuCall('paramGrad', f, [x, dy], o, async) as Float64Array;
  const a = hostCall(x, dy, undefined, false);
  const hdy = a.dy as Float32Array;
  if (o.where === 'cuda') return gpuCall('paramGrad', f, [a.x, hdy], o, async) as Float64Array;
  if (async) return native().paramGradAsync(program(f), a.x, hdy);
  return native().paramGrad(program(f), a.x, hdy);
}

// The GPU half of every call (lib/cuda.ts).
function gpuCall(
  pass: 'forward' | 'backward' | 'paramGrad',
  f: Encoded,
  arrays: unknown[],
  o: Where,
  async: boolean,
): Float32Array | GpuArray | Float64Array | Promise<Float32Array | GpuArray> {
  return gpuRun(pass, { name: f.name, program: program(f) }, arrays, o.out, async, o.index);
}
