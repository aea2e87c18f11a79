// Where a call runs: host arrays on the CPU kernels (or the GPU with device: 'cuda'),
// GpuArrays on their device. A GpuArray is never silently copied to the host.
import { GpuArray, gpuRun, isGpuArray } from './cuda';
import { native } from './native';
import { checkFloat32Array, checkLength, checkOneOf, checkOptions, checkOut } from './validate';

export { GpuArray };
/** What a call needs of an activation: its name (for messages) and its code for the addon. */
export interface Kernel {
  readonly name: string;
  readonly code: Float64Array;
}
/** Where a call runs: 'auto' (where the data lives, the default), 'cpu', or 'cuda' (a host array through the GPU). */
export type Device = 'auto' | 'cpu' | 'cuda';
const DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda'];
type Result = Float32Array | GpuArray | Promise<Float32Array | GpuArray>;

interface Options {
  out?: Float32Array | GpuArray;
  device?: Device;
}

function options(value: unknown, allowOut: boolean): Options {
  // forward(x, y) or backward(x, dy, dy): an array where the options go
  if (value instanceof Float32Array || isGpuArray(value))
    throw new TypeError(
      `Expected an options object for options but received ${value instanceof Float32Array ? 'Float32Array' : 'GpuArray'}` +
        (allowOut ? ': to write the result into that array, pass { out: array }' : ''),
    );
  const opts = checkOptions<Options>(value, 'options', 'an option name', allowOut ? ['out', 'device'] : ['device']);
  if (opts.device !== undefined) checkOneOf(opts.device, 'device', DEVICES, { gpu: 'cuda' });
  return opts;
}

function onGpu(arrays: unknown[], device: Device | undefined): boolean {
  const gpu = arrays.some(isGpuArray);
  if (gpu && device === 'cpu')
    throw new TypeError("A GpuArray was passed with device: 'cpu'; download it with toFloat32Array() first");
  return gpu;
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
  f: Kernel,
  x: unknown,
  opts: unknown,
  async: boolean,
): Float32Array | GpuArray | Promise<Float32Array | GpuArray> {
  const o = options(opts, true);
  if (onGpu([x, o.out], o.device)) return gpuCall('forward', f, [x], o, async) as Result;
  const a = hostCall(x, NO_DY, o.out, true);
  const out = a.out as Float32Array;
  if (o.device === 'cuda') return gpuCall('forward', f, [a.x], { out }, async) as Result;
  if (async)
    return native()
      .forwardAsync(f.code, a.x, out)
      .then(() => out);
  native().forward(f.code, a.x, out);
  return out;
}

export function runBackward(
  f: Kernel,
  x: unknown,
  dy: unknown,
  opts: unknown,
  async: boolean,
): Float32Array | GpuArray | Promise<Float32Array | GpuArray> {
  const o = options(opts, true);
  if (onGpu([x, dy, o.out], o.device)) return gpuCall('backward', f, [x, dy], o, async) as Result;
  const a = hostCall(x, dy, o.out, true);
  const out = a.out as Float32Array;
  const hdy = a.dy as Float32Array;
  if (o.device === 'cuda') return gpuCall('backward', f, [a.x, hdy], { out }, async) as Result;
  if (async)
    return native()
      .backwardAsync(f.code, a.x, hdy, out)
      .then(() => out);
  native().backward(f.code, a.x, hdy, out);
  return out;
}

export function runParamGrad(
  f: Kernel,
  x: unknown,
  dy: unknown,
  opts: unknown,
  async: boolean,
): Float64Array | Promise<Float64Array> {
  const o = options(opts, false);
  if (onGpu([x, dy], o.device)) return gpuCall('paramGrad', f, [x, dy], o, async) as Float64Array;
  const a = hostCall(x, dy, undefined, false);
  const hdy = a.dy as Float32Array;
  if (o.device === 'cuda') return gpuCall('paramGrad', f, [a.x, hdy], {}, async) as Float64Array;
  if (async) return native().paramGradAsync(f.code, a.x, hdy);
  return native().paramGrad(f.code, a.x, hdy);
}

// The GPU half of every call (lib/cuda.ts).
function gpuCall(
  pass: 'forward' | 'backward' | 'paramGrad',
  f: Kernel,
  arrays: unknown[],
  o: Options,
  async: boolean,
): Float32Array | GpuArray | Float64Array | Promise<Float32Array | GpuArray> {
  return gpuRun(pass, f, arrays, o.out, async);
}
