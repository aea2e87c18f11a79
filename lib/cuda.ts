// The CUDA side of the API: GpuArray and `cuda`. The kernels live in cuda/; this file wraps
// what the addon exports when it was built with CUDA, validates every argument (the addon only
// guards against crashes) and explains why CUDA is unavailable when it is.
import { bits, checkDtype, type Dtype, elements, halfCode } from './half';
import { native } from './native';
import { checkArray, checkOptions, type HostArray, rangeError, typeError } from './validate';

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
  dtype: Dtype;
  owned: boolean;
  freed: boolean;
}

// Bytes an element of a dtype.
const bytesOf = (dtype: Dtype): 4 | 2 => (dtype === 'float32' ? 4 : 2);

// A device index of this machine; `given` is how the caller wrote it (for the message).
function checkDeviceIndex(device: number, given: string): number {
  const count = cuda.devices().length;
  if (!Number.isInteger(device) || device < 0 || device >= count)
    throw rangeError(`a device index in [0, ${count - 1}]`, 'device', given);
  return device;
}

/** Options of GpuArray.from, alloc and fromPointer. */
export interface GpuArrayOptions {
  /** The CUDA device index (from and alloc: 0 unless given). */
  device?: number;
  /** The element type: 'float32' (default), 'bfloat16' or 'float16'. */
  dtype?: Dtype;
}

// The options of GpuArray.from/alloc/fromPointer, checked as far as they can be without a device:
// the dtype, and a device given as a number.
function checkArrayOptions(options: unknown): { device?: number; dtype?: Dtype } {
  const o = checkOptions<GpuArrayOptions>(options, 'options', 'an option name', ['device', 'dtype']);
  const dtype = o.dtype === undefined ? undefined : checkDtype(o.dtype);
  if (o.device !== undefined && typeof o.device !== 'number') throw typeError('a device index', 'device', o.device);
  return { device: o.device, dtype };
}

// The device of GpuArray.from/alloc/fromPointer, once everything else is checked: an index of
// this machine, or undefined when not given.
function checkDevice(device: number | undefined, what: string): number | undefined {
  if (!cuda.available()) throw cudaUnavailable(what);
  return device === undefined ? undefined : checkDeviceIndex(device, String(device));
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
 * Data in GPU memory, on one device: float32, or bfloat16 or float16 (`dtype`). Work on it is
 * queued on the device's stream and returns at once; toFloat32Array() (toUint16Array() for the
 * half-precision dtypes) waits for it. dispose() frees the memory now; the garbage collector
 * frees what is not disposed. Made by GpuArray.from(x), GpuArray.alloc(n) (device 0 unless
 * `{ device }`, float32 unless `{ dtype }`) or GpuArray.fromPointer(ptr, n) (the device the memory
 * is on).
 * @example const y = await mish.forward(GpuArray.from(x)).toFloat32Array();
 * @example const y = await mish.forward(GpuArray.from(bits, { dtype: 'bfloat16' })).toUint16Array();
 */
export class GpuArray {
  readonly #storage: Storage;
  readonly #offset: number;
  readonly #view: boolean;
  #disposed = false;
  /** Number of elements. */
  readonly length: number;
  /** The CUDA device index the memory lives on. */
  readonly device: number;
  /** The element type: 'float32', 'bfloat16' or 'float16'. */
  readonly dtype: Dtype;

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
    this.dtype = storage.dtype;
  }

  /**
   * Uploads x to a new array on device 0 (or options.device): a Float32Array (float32), a
   * Float16Array (float16), or a Uint16Array of half-precision bits with `{ dtype: 'bfloat16' }`
   * or `{ dtype: 'float16' }`.
   */
  static from(x: Float32Array | Uint16Array, options?: GpuArrayOptions): GpuArray {
    const o = checkArrayOptions(options);
    // a Float32Array is float32, a Float16Array float16; a Uint16Array of bits needs the dtype
    const e = elements(o.dtype, x);
    const host = checkArray(x, 'x', e.kind, e.label('x'), e.hint);
    const g = GpuArray.#allocate(host.length, checkDevice(o.device, 'GpuArray.from') ?? 0, e.dtype);
    native().cudaUpload(g.#storage.handle, 0, bits(host));
    return g;
  }

  /** A new array of `length` elements of options.dtype (float32 unless given), uninitialized. */
  static alloc(length: number, options?: GpuArrayOptions): GpuArray {
    const n = checkLengthArg(length, 'length');
    const o = checkArrayOptions(options);
    return GpuArray.#allocate(n, checkDevice(o.device, 'GpuArray.alloc') ?? 0, o.dtype ?? 'float32');
  }

  /**
   * A view of `length` elements of options.dtype (float32 unless given) of device memory owned by
   * someone else (another CUDA library); never freed by this package. Synchronize the other
   * library's work on it first. The device is the one the memory is on (asked of CUDA);
   * options.device, when given, must be it.
   */
  static fromPointer(ptr: bigint, length: number, options?: GpuArrayOptions): GpuArray {
    if (typeof ptr !== 'bigint') throw typeError('a bigint device address', 'ptr', ptr);
    const o = checkArrayOptions(options);
    const dtype = o.dtype ?? 'float32';
    const size = bytesOf(dtype);
    if (ptr <= 0n || ptr >= 2n ** 64n || ptr % BigInt(size) !== 0n)
      throw rangeError(`a non-zero, ${size}-byte aligned 64-bit device address`, 'ptr', `${ptr}n`);
    const n = checkLengthArg(length, 'length');
    const wanted = checkDevice(o.device, 'GpuArray.fromPointer');
    const info = native().cudaPointerInfo(ptr) as PointerInfo;
    if (info.type !== 'device' && info.type !== 'managed')
      throw rangeError('device memory', 'ptr', `${NOT_DEVICE_MEMORY[info.type] ?? info.type} (${ptr}n)`);
    if (wanted !== undefined && info.device !== wanted)
      throw rangeError(`memory on device ${wanted} (options.device)`, 'ptr', `memory on device ${info.device}`);
    const device = info.device;
    if (n > 1) {
      const last = native().cudaPointerInfo(ptr + BigInt(size) * BigInt(n - 1)) as PointerInfo;
      if (last.type !== info.type || last.device !== device)
        throw rangeError(`a length that stays in the device memory at ptr`, 'length', String(n));
    }
    const handle = native().cudaWrap(device, ptr, n, size);
    return new GpuArray(KEY, { handle, device, length: n, dtype, owned: false, freed: false }, 0, n);
  }

  static #allocate(length: number, device: number, dtype: Dtype): GpuArray {
    const handle = native().cudaAlloc(device, length, bytesOf(dtype));
    return new GpuArray(KEY, { handle, device, length, dtype, owned: true, freed: false }, 0, length);
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

  /** Downloads float32 data once the work queued on it is done; never blocks the event loop. */
  async toFloat32Array(): Promise<Float32Array<ArrayBuffer>> {
    this.#live('toFloat32Array()');
    if (this.dtype !== 'float32')
      throw new TypeError(
        `Expected a float32 GpuArray for toFloat32Array() but received a ${this.dtype} GpuArray: download its bits with toUint16Array() (fromHalf converts them)`,
      );
    return native().cudaDownload(this.#storage.handle, this.#offset, this.length);
  }

  /**
   * Downloads bfloat16 or float16 data as its bits once the work queued on it is done; never
   * blocks the event loop. fromHalf(bits, dtype) gives their float32 values.
   */
  async toUint16Array(): Promise<Uint16Array<ArrayBuffer>> {
    this.#live('toUint16Array()');
    if (this.dtype === 'float32')
      throw new TypeError(
        'Expected a bfloat16 or float16 GpuArray for toUint16Array() but received a float32 GpuArray: download it with toFloat32Array()',
      );
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
    return classify(address(a), address(b), bytesOf(a.dtype) * a.length, bytesOf(b.dtype) * b.length);
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

// The addon's format argument: undefined for float32, else the half-precision format.
const formatOf = (dtype: Dtype): 0 | 1 | undefined => (dtype === 'float32' ? undefined : halfCode(dtype));
const INPUT_NAMES = ['x', 'dy'];

/**
 * Runs one pass on the GPU. arrays are [x] or [x, dy], each a GpuArray, or host arrays for
 * device: 'cuda' (uploaded, computed, downloaded into out). Returns out (a new GpuArray when
 * none is given), or the parameter-gradient sums for paramGrad. `index` is the device the
 * caller asked for ('cuda:N' or N): host arrays run there, GpuArrays must be there. `dtype`: the
 * call's (host arrays: their element type, lib/run.ts has checked them; GpuArrays: the dtype
 * option, which must be theirs).
 */
export function gpuRun(
  pass: Pass,
  f: { name: string; program: unknown },
  arrays: unknown[],
  out: unknown,
  async: boolean,
  index?: { value: number; given: string },
  dtype?: Dtype,
): HostArray | GpuArray | Float64Array | Promise<HostArray | GpuArray> {
  if (!cuda.available()) throw cudaUnavailable(`${f.name}.${pass} on the GPU`);
  const n = native();
  const asked = index === undefined ? undefined : checkDeviceIndex(index.value, index.given);
  if (![...arrays, out].some(isGpuArray)) {
    // Host arrays with device: 'cuda': upload, compute, download.
    const [x, dy] = arrays as HostArray[];
    const format = formatOf(dtype ?? 'float32');
    const result = n.cudaRunHost(pass, f.program, asked ?? 0, x, dy ?? null, (out as HostArray) ?? null, async, format);
    if (pass === 'paramGrad') return result as Float64Array; // a Promise<Float64Array> when async
    return async ? (result as Promise<void>).then(() => out as HostArray) : (out as HostArray);
  }
  const inputs = arrays.map((a, i) => GpuArray.arg(a, INPUT_NAMES[i]));
  const x = inputs[0].a;
  if (asked !== undefined && x.device !== asked)
    throw rangeError(`a GpuArray on device ${asked} (the device option)`, 'x', `one on device ${x.device}`);
  if (dtype !== undefined && dtype !== x.dtype)
    throw new TypeError(
      `Expected a ${dtype} GpuArray (the dtype option) for x but received a ${x.dtype} GpuArray: a GpuArray's dtype is its own, the option may be left out`,
    );
  const sameDtype = (a: GpuArray, name: string) => {
    if (a.dtype !== x.dtype)
      throw new TypeError(
        `Expected a ${x.dtype} GpuArray (the dtype of x) for ${name} but received a ${a.dtype} GpuArray`,
      );
  };
  for (const [i, input] of inputs.entries()) {
    const name = INPUT_NAMES[i];
    if (input.a.device !== x.device)
      throw rangeError(`a GpuArray on device ${x.device} (the device of x)`, name, `one on device ${input.a.device}`);
    sameDtype(input.a, name);
    if (input.a.length !== x.length)
      throw rangeError(`length ${x.length} (the length of x)`, name, `length ${input.a.length}`);
  }
  let target: GpuArray | undefined;
  if (pass !== 'paramGrad') {
    if (out === undefined) target = GpuArray.alloc(x.length, { device: x.device, dtype: x.dtype });
    else {
      const o = GpuArray.arg(out, 'out').a;
      if (o.device !== x.device)
        throw rangeError(`a GpuArray on device ${x.device} (the device of x)`, 'out', `one on device ${o.device}`);
      sameDtype(o, 'out');
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
    formatOf(x.dtype),
  );
  if (pass === 'paramGrad') return result as Float64Array; // a Promise<Float64Array> when async
  return async ? (result as Promise<void>).then(() => target as GpuArray) : (target as GpuArray);
}
