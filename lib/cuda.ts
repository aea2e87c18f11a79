// The CUDA side of the API: GpuArray and `cuda`. The kernels live in cuda/; this file wraps
// what the addon exports when it was built with CUDA, validates every argument (the addon only
// guards against crashes) and explains why CUDA is unavailable when it is.
import { native } from './native';
import { checkFloat32Array, checkOptions, rangeError, typeError } from './validate';

/** A CUDA device as cuda.devices() lists it: `{ index: 0, name, computeCapability: '9.0', totalMemory }`. */
export interface CudaDevice {
  index: number;
  name: string;
  computeCapability: string;
  totalMemory: number;
  /** Bytes of L2 cache (cudaDeviceProp.l2CacheSize). */
  l2CacheSize: number;
}

/** cuda.status(): whether CUDA was compiled in and is usable, and why not (reason) when it is not. */
export interface CudaStatus {
  compiled: boolean;
  available: boolean;
  devices: CudaDevice[];
  reason: string | null;
}

const NOT_COMPILED = 'the addon was built without CUDA (no nvcc at build time, or ACTIVATION_KERNELS_CUDA=off)';

// The devices do not change while the process runs: asked once.
let cached: CudaStatus | undefined;

function status(): CudaStatus {
  if (cached) return structuredClone(cached);
  const n = native();
  if (typeof n.cudaStatus !== 'function')
    cached = { compiled: false, available: false, devices: [], reason: NOT_COMPILED };
  else cached = n.cudaStatus() as CudaStatus;
  return structuredClone(cached);
}

/**
 * The CUDA backend: whether it can be used and on which devices. Never throws.
 * @example if (cuda.available()) mish.forward(GpuArray.from(x))
 */
export const cuda = {
  /** True when a CUDA device can be used; never throws. */
  available(): boolean {
    try {
      return status().available;
    } catch {
      return false;
    }
  },
  /** [{ index, name, computeCapability, totalMemory }], empty without CUDA. */
  devices(): CudaDevice[] {
    return status().devices;
  },
  /** { compiled, available, devices, reason }: reason says why CUDA is unavailable, else null. */
  status,
};

export function cudaUnavailable(what: string): Error {
  return new Error(`${what} needs CUDA, which is not available: ${status().reason}`);
}

const KEY = Symbol('GpuArray'); // only this module constructs GpuArrays

// The addon's handle of one device allocation, shared by an array and its views.
interface Storage {
  handle: unknown;
  device: number;
  length: number;
  owned: boolean;
  freed: boolean;
}

// A device index of this machine; `given` is how the caller wrote it (for the message).
function checkDeviceIndex(device: number, given: string): number {
  const count = cuda.devices().length;
  if (!Number.isInteger(device) || device < 0 || device >= count)
    throw rangeError(`a device index in [0, ${count - 1}]`, 'device', given);
  return device;
}

// options.device of GpuArray.from/alloc/fromPointer: an index, or undefined when not given.
function checkDevice(options: unknown, what: string): number | undefined {
  const o = checkOptions<{ device: number }>(options, 'options', 'an option name', ['device']);
  if (!cuda.available()) throw cudaUnavailable(what);
  if (o.device === undefined) return undefined;
  if (typeof o.device !== 'number') throw typeError('a device index', 'device', o.device);
  return checkDeviceIndex(o.device, String(o.device));
}

// What CUDA knows of a device address (cudaPointerGetAttributes).
interface PointerInfo {
  type: 'device' | 'managed' | 'host' | 'unregistered';
  device: number;
}

const NOT_DEVICE_MEMORY: Record<string, string> = {
  host: 'pinned host memory',
  unregistered: 'an address CUDA does not know',
};

function checkLengthArg(value: unknown, name: string): number {
  if (typeof value !== 'number') throw typeError('a length', name, value);
  if (!Number.isSafeInteger(value) || value < 0) throw rangeError('a non-negative integer', name, String(value));
  return value;
}

/**
 * Float32 data in GPU memory, on one device. Work on it is queued on the device's stream and
 * returns at once; toFloat32Array() waits for it. dispose() frees the memory now; the garbage
 * collector frees what is not disposed. Made by GpuArray.from(x), GpuArray.alloc(n) (device 0
 * unless `{ device }`) or GpuArray.fromPointer(ptr, n) (the device the memory is on).
 * @example const y = await mish.forward(GpuArray.from(x)).toFloat32Array();
 */
export class GpuArray {
  readonly #storage: Storage;
  readonly #offset: number;
  readonly #view: boolean;
  #disposed = false;
  /** Number of float32 elements. */
  readonly length: number;
  /** The CUDA device index the memory lives on. */
  readonly device: number;

  private constructor(key: typeof KEY, storage: Storage, offset: number, length: number, view = false) {
    if (key !== KEY)
      throw new TypeError(
        'Expected GpuArray.from(x), GpuArray.alloc(length) or GpuArray.fromPointer(ptr, length) for a new GpuArray but received a call of the constructor',
      );
    this.#storage = storage;
    this.#offset = offset;
    this.#view = view;
    this.length = length;
    this.device = storage.device;
  }

  /** Uploads x to a new array on device 0 (or options.device). */
  static from(x: Float32Array, options?: { device?: number }): GpuArray {
    const host = checkFloat32Array(x, 'x');
    const device = checkDevice(options, 'GpuArray.from') ?? 0;
    const g = GpuArray.#allocate(host.length, device);
    native().cudaUpload(g.#storage.handle, 0, host);
    return g;
  }

  /** A new array of `length` elements, uninitialized. */
  static alloc(length: number, options?: { device?: number }): GpuArray {
    const n = checkLengthArg(length, 'length');
    return GpuArray.#allocate(n, checkDevice(options, 'GpuArray.alloc') ?? 0);
  }

  /**
   * A view of `length` floats of device memory owned by someone else (another CUDA library);
   * never freed by this package. Synchronize the other library's work on it first. The device
   * is the one the memory is on (asked of CUDA); options.device, when given, must be it.
   */
  static fromPointer(ptr: bigint, length: number, options?: { device?: number }): GpuArray {
    if (typeof ptr !== 'bigint') throw typeError('a bigint device address', 'ptr', ptr);
    if (ptr <= 0n || ptr >= 2n ** 64n || ptr % 4n !== 0n)
      throw rangeError('a non-zero, 4-byte aligned 64-bit device address', 'ptr', `${ptr}n`);
    const n = checkLengthArg(length, 'length');
    const wanted = checkDevice(options, 'GpuArray.fromPointer');
    const info = native().cudaPointerInfo(ptr) as PointerInfo;
    if (info.type !== 'device' && info.type !== 'managed')
      throw rangeError('device memory', 'ptr', `${NOT_DEVICE_MEMORY[info.type] ?? info.type} (${ptr}n)`);
    if (wanted !== undefined && info.device !== wanted)
      throw rangeError(`memory on device ${wanted} (options.device)`, 'ptr', `memory on device ${info.device}`);
    const device = info.device;
    if (n > 1) {
      const last = native().cudaPointerInfo(ptr + 4n * BigInt(n - 1)) as PointerInfo;
      if (last.type !== info.type || last.device !== device)
        throw rangeError(`a length that stays in the device memory at ptr`, 'length', String(n));
    }
    const handle = native().cudaWrap(device, ptr, n);
    return new GpuArray(KEY, { handle, device, length: n, owned: false, freed: false }, 0, n);
  }

  static #allocate(length: number, device: number): GpuArray {
    const handle = native().cudaAlloc(device, length);
    return new GpuArray(KEY, { handle, device, length, owned: true, freed: false }, 0, length);
  }

  /** A view of elements [begin, end) sharing this array's memory (like TypedArray.subarray). */
  subarray(begin = 0, end: number = this.length): GpuArray {
    this.#live('subarray');
    const clamp = (v: number, name: string) => {
      if (typeof v !== 'number' || Number.isNaN(v)) throw typeError('a number', name, v);
      const i = Math.trunc(v);
      return Math.min(this.length, Math.max(0, i < 0 ? this.length + i : i));
    };
    const b = clamp(begin, 'begin');
    const e = Math.max(b, clamp(end, 'end'));
    return new GpuArray(KEY, this.#storage, this.#offset + b, e - b, true);
  }

  /**
   * The device address of element 0, for other CUDA libraries. The memory is allocated and freed
   * in the order of this package's stream: let the work queued on it finish (await
   * toFloat32Array(), or a download) before another stream uses it, and that stream's work finish
   * before dispose().
   */
  get pointer(): bigint {
    this.#live('pointer');
    return native().cudaAddress(this.#storage.handle, this.#offset);
  }

  /** True after dispose() (of this array, or of the array this is a view of). */
  get disposed(): boolean {
    return this.#disposed || this.#storage.freed;
  }

  /** Downloads the data once the work queued on it is done; never blocks the event loop. */
  async toFloat32Array(): Promise<Float32Array<ArrayBuffer>> {
    this.#live('toFloat32Array()');
    return native().cudaDownload(this.#storage.handle, this.#offset, this.length);
  }

  /**
   * Frees the memory now (after the work queued on it), and makes every view of it unusable.
   * On a view, or an array from fromPointer, it only ends this object's use of the memory.
   */
  dispose(): void {
    if (this.disposed) throw new Error('GpuArray.dispose() called on a GpuArray that is already disposed');
    this.#disposed = true;
    const s = this.#storage;
    if (s.owned && !this.#view) {
      s.freed = true;
      native().cudaFree(s.handle);
    }
  }

  #live(what: string): void {
    if (this.disposed) throw new Error(`GpuArray.${what} used after dispose()`);
  }

  /** @internal the addon's (handle, offset) of this array, checked to be usable as `name`. */
  static arg(value: unknown, name: string): { handle: unknown; offset: number; a: GpuArray } {
    if (!(value instanceof GpuArray)) throw typeError('GpuArray', name, value);
    if (value.disposed)
      throw new TypeError(`Expected a GpuArray that is not disposed for ${name} but received a disposed GpuArray`);
    return { handle: value.#storage.handle, offset: value.#offset, a: value };
  }

  /** @internal whether a and b share memory: 'same' (the same range), 'disjoint' or 'overlap'. */
  static overlap(a: GpuArray, b: GpuArray): 'same' | 'disjoint' | 'overlap' {
    if (a.device !== b.device) return 'disjoint';
    // Two allocations of this package never overlap; fromPointer memory may overlap anything.
    if (a.#storage !== b.#storage && a.#storage.owned && b.#storage.owned) return 'disjoint';
    const address = (g: GpuArray): bigint => native().cudaAddress(g.#storage.handle, g.#offset);
    return classify(address(a), address(b), 4 * a.length, 4 * b.length);
  }
}

// Byte ranges [a, a + la) and [b, b + lb).
function classify(a: bigint, b: bigint, la: number, lb: number): 'same' | 'disjoint' | 'overlap' {
  if (a === b && la === lb) return 'same';
  if (la === 0 || lb === 0 || a + BigInt(la) <= b || b + BigInt(lb) <= a) return 'disjoint';
  return 'overlap';
}

export function isGpuArray(value: unknown): value is GpuArray {
  return value instanceof GpuArray;
}

type Pass = 'forward' | 'backward' | 'paramGrad';
const INPUT_NAMES = ['x', 'dy'];

/**
 * Runs one pass on the GPU. arrays are [x] or [x, dy], each a GpuArray, or host arrays for
 * device: 'cuda' (uploaded, computed, downloaded into out). Returns out (a new GpuArray when
 * none is given), or the parameter-gradient sums for paramGrad. `index` is the device the
 * caller asked for ('cuda:N' or N): host arrays run there, GpuArrays must be there.
 */
export function gpuRun(
  pass: Pass,
  f: { name: string; program: unknown },
  arrays: unknown[],
  out: unknown,
  async: boolean,
  index?: { value: number; given: string },
): Float32Array | GpuArray | Float64Array | Promise<Float32Array | GpuArray> {
  if (!cuda.available()) throw cudaUnavailable(`${f.name}.${pass} on the GPU`);
  const n = native();
  const asked = index === undefined ? undefined : checkDeviceIndex(index.value, index.given);
  if (![...arrays, out].some(isGpuArray)) {
    // Host arrays with device: 'cuda' (lib/run.ts has checked them): upload, compute, download.
    const [x, dy] = arrays as Float32Array[];
    const result = n.cudaRunHost(pass, f.program, asked ?? 0, x, dy ?? null, (out as Float32Array) ?? null, async);
    if (pass === 'paramGrad') return result as Float64Array; // a Promise<Float64Array> when async
    return async ? (result as Promise<void>).then(() => out as Float32Array) : (out as Float32Array);
  }
  const inputs = arrays.map((a, i) => GpuArray.arg(a, INPUT_NAMES[i]));
  const x = inputs[0].a;
  if (asked !== undefined && x.device !== asked)
    throw rangeError(`a GpuArray on device ${asked} (the device option)`, 'x', `one on device ${x.device}`);
  for (const [i, input] of inputs.entries()) {
    const name = INPUT_NAMES[i];
    if (input.a.device !== x.device)
      throw rangeError(`a GpuArray on device ${x.device} (the device of x)`, name, `one on device ${input.a.device}`);
    if (input.a.length !== x.length)
      throw rangeError(`length ${x.length} (the length of x)`, name, `length ${input.a.length}`);
  }
  let target: GpuArray | undefined;
  if (pass !== 'paramGrad') {
    if (out === undefined) target = GpuArray.alloc(x.length, { device: x.device });
    else {
      const o = GpuArray.arg(out, 'out').a;
      if (o.device !== x.device)
        throw rangeError(`a GpuArray on device ${x.device} (the device of x)`, 'out', `one on device ${o.device}`);
      if (o.length !== x.length) throw rangeError(`length ${x.length} (the length of x)`, 'out', `length ${o.length}`);
      for (const [i, input] of inputs.entries()) {
        const name = INPUT_NAMES[i];
        if (GpuArray.overlap(o, input.a) === 'overlap')
          throw rangeError(
            `${name} itself or memory disjoint from ${name}`,
            'out',
            `a view that partly overlaps ${name}`,
          );
      }
      target = o;
    }
  }
  const t = target ? GpuArray.arg(target, 'out') : undefined;
  const dy = inputs[1];
  const result = n.cudaRun(
    pass,
    f.program,
    x.length,
    inputs[0].handle,
    inputs[0].offset,
    dy ? dy.handle : null,
    dy ? dy.offset : 0,
    t ? t.handle : null,
    t ? t.offset : 0,
    async,
  );
  if (pass === 'paramGrad') return result as Float64Array; // a Promise<Float64Array> when async
  return async ? (result as Promise<void>).then(() => target as GpuArray) : (target as GpuArray);
}
