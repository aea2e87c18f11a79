// Where a call runs: host arrays on the CPU kernels (or the GPU with device: 'cuda'),
// GpuArrays on their device. A GpuArray is never silently copied to the host.

import { isFloat32Array } from 'node:util/types';
import { GpuArray, gpuRun, isGpuArray } from './cuda';
import { bits, checkDtype, type Dtype, type Elements, elements, FLOAT32 } from './half';
import { native, type ProgramHandle } from './native';
import {
  checkArray,
  checkLength,
  checkOptions,
  checkOut,
  describe,
  type HostArray,
  hint,
  quote,
  rangeError,
  typeError,
} from './validate';

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
type Result = Float32Array | GpuArray | Promise<Float32Array | GpuArray>; // a half call's Uint16Array too

interface Options {
  out?: Float32Array | GpuArray;
  device?: Device;
  dtype?: Dtype;
}

// The device option, parsed: where, and for 'cuda:N' or N the index (with how it was written,
// for messages); the dtype as given (undefined: none).
interface Where {
  out?: Float32Array | GpuArray;
  where: 'auto' | 'cpu' | 'cuda';
  index?: { value: number; given: string };
  dtype?: Dtype;
}

const DEVICE_KINDS = 'one of auto, cpu, cuda, cuda:N or a device index';

function options(value: unknown, allowOut: boolean): Where {
  const o = device(value, allowOut);
  const dtype = (value as Options | undefined)?.dtype;
  if (dtype !== undefined) o.dtype = checkDtype(dtype);
  return o;
}

function device(value: unknown, allowOut: boolean): Where {
  // forward(x, y) or backward(x, dy, dy): an array where the options go
  if (ArrayBuffer.isView(value) || isGpuArray(value))
    throw new TypeError(
      `Expected an options object for options but received ${isGpuArray(value) ? 'GpuArray' : describe(value)}` +
        (allowOut ? ': to write the result into that array, pass { out: array }' : ''),
    );
  const opts = checkOptions<Options>(
    value,
    'options',
    'an option name',
    allowOut ? ['out', 'device', 'dtype'] : ['device', 'dtype'],
  );
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
  const gpu = arrays.find(isGpuArray);
  if (gpu && device === 'cpu') {
    const download = gpu.dtype === 'float32' ? 'toFloat32Array()' : 'toUint16Array()';
    throw new TypeError(`A GpuArray was passed with device: 'cpu'; download it with ${download} first`);
  }
  return gpu !== undefined;
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

// Host arrays: check, make out, compute. dy is NO_DY for forward. dtype: the call's element
// type (Elements).
const NO_DY = Symbol('no dy');
function hostCall(
  x: unknown,
  dy: unknown,
  out: unknown,
  withOut: boolean,
  e: Elements = FLOAT32,
): { x: HostArray; dy?: HostArray; out?: HostArray } {
  const hx = checkArray(x, 'x', e.kind, e.label('x'), e.hint);
  let hdy: HostArray | undefined;
  if (dy !== NO_DY) {
    hdy = checkArray(dy, 'dy', e.kind, e.label('dy'), e.hint);
    checkLength(hdy, 'dy', hx.length, 'x');
  }
  if (!withOut) return { x: hx, dy: hdy };
  let hout: HostArray;
  if (out === undefined) hout = e.make(hx.length);
  else {
    hout = checkArray(out, 'out', e.kind, e.label('out'), e.hint);
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

// A half-precision call on the CPU.
function halfCall(
  pass: 'forward' | 'backward',
  f: Encoded,
  e: Elements,
  a: { x: HostArray; dy?: HostArray; out?: HostArray },
  given: boolean,
  async: boolean,
): HostArray | Promise<HostArray> {
  const out = a.out as HostArray;
  // async without out: null, so that the addon makes the result (no copy back); a Float16Array
  // is made here, as the addon makes Uint16Arrays.
  const made = given || e.kind === 'Float16Array' ? bits(out) : null;
  const n = native();
  const p = program(f);
  const done =
    pass === 'forward'
      ? async
        ? n.forwardAsync(p, bits(a.x), made, e.code)
        : n.forward(p, bits(a.x), bits(out), e.code)
      : async
        ? n.backwardAsync(p, bits(a.x), bits(a.dy as HostArray), made, e.code)
        : n.backward(p, bits(a.x), bits(a.dy as HostArray), bits(out), e.code);
  if (typeof done === 'string') throw overlapError(done as Overlap);
  if (!async) return out;
  return made === null ? (done as Promise<HostArray>) : (done as Promise<HostArray>).then(() => out);
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
  const e = elements(o.dtype, x);
  const h = hostCall(x, NO_DY, o.out, true, e);
  if (o.where === 'cuda') return gpuHostCall('forward', f, e, h, o, async) as Result;
  if (e.code !== undefined) return halfCall('forward', f, e, h, !!o.out, async) as Result;
  const a = h as { x: Float32Array; out: Float32Array };
  const out = a.out;
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
  const e = elements(o.dtype, x);
  const h = hostCall(x, dy, o.out, true, e);
  if (o.where === 'cuda') return gpuHostCall('backward', f, e, h, o, async) as Result;
  if (e.code !== undefined) return halfCall('backward', f, e, h, !!o.out, async) as Result;
  const a = h as { x: Float32Array; dy: Float32Array; out: Float32Array };
  const out = a.out;
  const hdy = a.dy;
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
  const e = elements(o.dtype, x);
  const h = hostCall(x, dy, undefined, false, e);
  if (o.where === 'cuda') return gpuHostCall('paramGrad', f, e, h, o, async) as Float64Array;
  const hx = bits(h.x);
  const hdy = bits(h.dy as HostArray);
  return async ? native().paramGradAsync(program(f), hx, hdy, e.code) : native().paramGrad(program(f), hx, hdy, e.code);
}

// The GPU half of every call on GpuArrays (lib/cuda.ts): their dtype is their own, and the
// dtype option, where given, must be it.
function gpuCall(
  pass: 'forward' | 'backward' | 'paramGrad',
  f: Encoded,
  arrays: unknown[],
  o: Where,
  async: boolean,
): HostArray | GpuArray | Float64Array | Promise<HostArray | GpuArray> {
  return gpuRun(pass, { name: f.name, program: program(f) }, arrays, o.out, async, o.index, o.dtype);
}

// Host arrays (checked) computed on a device: device 'cuda' or an index. A Float16Array goes as
// its bits, and out (the caller's, or made here) is the result.
function gpuHostCall(
  pass: 'forward' | 'backward' | 'paramGrad',
  f: Encoded,
  e: Elements,
  a: { x: HostArray; dy?: HostArray; out?: HostArray },
  o: Where,
  async: boolean,
): HostArray | Float64Array | Promise<HostArray> {
  const inputs = a.dy ? [bits(a.x), bits(a.dy)] : [bits(a.x)];
  const out = a.out;
  const done = gpuRun(pass, { name: f.name, program: program(f) }, inputs, out && bits(out), async, o.index, e.dtype);
  if (pass === 'paramGrad') return done as Float64Array; // a Promise<Float64Array> when async
  return async ? (done as Promise<unknown>).then(() => out as HostArray) : (out as HostArray);
}
