// Where a call runs: host arrays on the CPU kernels (or the GPU with device: 'cuda'),
// GpuArrays on their device. A GpuArray is never silently copied to the host.
import { GpuArray, gpuRun, isGpuArray } from './cuda';
import { native, type ProgramHandle } from './native';
import { checkFloat32Array, checkLength, checkOptions, checkOut, hint, rangeError, typeError } from './validate';

export { GpuArray };
/** What a call needs of an activation: its name (for messages) and its code for the addon. */
export interface Encoded {
  readonly name: string;
  readonly code: Float64Array;
  /** where program() keeps the addon's program of code */
  readonly cache: { program?: unknown };
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
    throw rangeError(DEVICE_KINDS, 'device', JSON.stringify(d) + fix);
  }
  return { out: opts.out, where: 'cuda', index: { value: Number(m[1]), given: JSON.stringify(d) } };
}

function onGpu(arrays: unknown[], device: Where['where']): boolean {
  const gpu = arrays.some(isGpuArray);
  if (gpu && device === 'cpu')
    throw new TypeError("A GpuArray was passed with device: 'cpu'; download it with toFloat32Array() first");
  return gpu;
}

// The activation as the addon decoded it (its program), once per Activation object.
export function program(f: Encoded): ProgramHandle {
  const cache = f.cache;
  if (cache.program === undefined) cache.program = native().program(f.code);
  return cache.program;
}

// The addon's entry points of the fast path, read once from its (dictionary-mode) exports.
// Each returns false, computing nothing, when out partly overlaps an input.
interface Fast {
  forward(f: ProgramHandle, x: Float32Array, out: Float32Array): undefined | false;
  backward(f: ProgramHandle, x: Float32Array, dy: Float32Array, out: Float32Array): undefined | false;
  forwardAsync(f: ProgramHandle, x: Float32Array, out: Float32Array): Promise<void> | false;
  backwardAsync(f: ProgramHandle, x: Float32Array, dy: Float32Array, out: Float32Array): Promise<void> | false;
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

// The common call, checked in a few comparisons: attached, non-empty host Float32Arrays of one
// length, options undefined or exactly { out } (the addon checks that out does not partly
// overlap an input). Returns out (made when not given), or undefined for every other call:
// those take the full checks below, which say what is wrong.
function fastOut(x: unknown, dy: unknown, opts: unknown): Float32Array | undefined {
  // A detached array has length 0, so every array here is attached.
  if (!(x instanceof Float32Array) || x.length === 0) return undefined;
  if (dy !== NO_DY && !(dy instanceof Float32Array && dy.length === x.length)) return undefined;
  if (opts === undefined) return new Float32Array(x.length);
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) return undefined;
  const out = (opts as Options).out;
  if (!(out instanceof Float32Array) || out.length !== x.length) return undefined;
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
    if (async) {
      const done = fast().forwardAsync(program(f), x as Float32Array, y);
      if (done !== false) return done.then(() => y);
    } else if (fast().forward(program(f), x as Float32Array, y) !== false) return y;
  }
  const o = options(opts, true);
  if (onGpu([x, o.out], o.where)) return gpuCall('forward', f, [x], o, async) as Result;
  const a = hostCall(x, NO_DY, o.out, true);
  const out = a.out as Float32Array;
  if (o.where === 'cuda') return gpuCall('forward', f, [a.x], { ...o, out }, async) as Result;
  if (async)
    return native()
      .forwardAsync(program(f), a.x, out)
      .then(() => out);
  native().forward(program(f), a.x, out);
  return out;
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
    if (async) {
      const done = fast().backwardAsync(program(f), x as Float32Array, dy as Float32Array, g);
      if (done !== false) return done.then(() => g);
    } else if (fast().backward(program(f), x as Float32Array, dy as Float32Array, g) !== false) return g;
  }
  const o = options(opts, true);
  if (onGpu([x, dy, o.out], o.where)) return gpuCall('backward', f, [x, dy], o, async) as Result;
  const a = hostCall(x, dy, o.out, true);
  const out = a.out as Float32Array;
  const hdy = a.dy as Float32Array;
  if (o.where === 'cuda') return gpuCall('backward', f, [a.x, hdy], { ...o, out }, async) as Result;
  if (async)
    return native()
      .backwardAsync(program(f), a.x, hdy, out)
      .then(() => out);
  native().backward(program(f), a.x, hdy, out);
  return out;
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
