// A fake CUDA device for machines without one: replaces the addon's cuda* exports with host
// memory and the CPU kernels, so that lib/cuda.ts (validation, views, dispose, devices) and the
// GPU tests themselves run everywhere. It is no test of the CUDA kernels.
import { native } from '../lib/native';

// mem: Float32Array for 4-byte elements, Uint16Array for 2-byte ones (bfloat16, float16)
interface FakeBuffer {
  mem: Float32Array | Uint16Array;
  elem: number;
  device: number;
  address: bigint;
}

const TOTAL = 2 ** 30;
const L2 = 50 * 2 ** 20;

/** The device index of every host-array call (cudaRunHost), in order. */
export const hostCallDevices: number[] = [];

export function installFakeCuda(): void {
  const n = native();
  let next = 1n << 32n;
  let used = 0;
  const buffers = new Map<bigint, WeakRef<FakeBuffer>>(); // weak: the finalizer test needs GC
  const freed = new FinalizationRegistry<[number, bigint]>(([bytes, address]) => {
    used -= bytes;
    buffers.delete(address);
  });
  const alloc = (device: number, length: number, elem: number): FakeBuffer => {
    const bytes = elem * length;
    if (bytes > TOTAL - used) throw new Error('cudaMallocAsync failed: out of memory (2)');
    const b = { mem: elem === 4 ? new Float32Array(length) : new Uint16Array(length), elem, device, address: next };
    next += BigInt(Math.ceil(bytes / 256) * 256 + 256); // 256-byte aligned, as cudaMalloc's
    used += bytes;
    buffers.set(b.address, new WeakRef(b));
    freed.register(b, [bytes, b.address], b);
    return b;
  };
  const view = (h: FakeBuffer, offset: number, length: number) => h.mem.subarray(offset, offset + length);
  // The CPU's passes, on float32 (format undefined) or half-precision bits.
  const compute = (
    pass: string,
    code: Float64Array,
    x: Float32Array | Uint16Array,
    dy: Float32Array | Uint16Array | null,
    out: Float32Array | Uint16Array | null,
    format: 0 | 1 | undefined,
  ): Float64Array | undefined => {
    if (pass === 'forward') n.forward(code, x, out, format);
    else if (pass === 'backward') n.backward(code, x, dy, out, format);
    else return n.paramGrad(code, x, dy, format);
  };
  Object.assign(n, {
    cudaStatus: () => ({
      compiled: true,
      available: true,
      devices: [0, 1].map((index) => ({
        index,
        name: 'fake',
        computeCapability: '9.0',
        totalMemory: TOTAL,
        l2CacheSize: L2,
      })),
      reason: null,
    }),
    cudaAlloc: alloc,
    cudaWrap: (device: number, ptr: bigint, length: number, elem: number): FakeBuffer => {
      for (const ref of buffers.values()) {
        const b = ref.deref();
        if (!b) continue;
        const byte = Number(ptr - b.address);
        if (b.device !== device || byte < 0 || byte + elem * length > b.elem * b.mem.length) continue;
        const at = b.mem.byteOffset + byte; // the same bytes, of either element size
        const mem = elem === 4 ? new Float32Array(b.mem.buffer, at, length) : new Uint16Array(b.mem.buffer, at, length);
        return { mem, elem, device, address: ptr };
      }
      throw new Error('fake cudaWrap: not an address of the fake device');
    },
    // What CUDA knows of an address: the device of the fake buffer holding it.
    cudaPointerInfo: (ptr: bigint) => {
      for (const ref of buffers.values()) {
        const b = ref.deref();
        if (b && ptr >= b.address && ptr < b.address + BigInt(b.elem * b.mem.length))
          return { type: 'device', device: b.device };
      }
      return { type: 'unregistered', device: -2 };
    },
    cudaFree: (h: FakeBuffer) => {
      if (!buffers.delete(h.address)) return;
      used -= h.elem * h.mem.length;
      freed.unregister(h);
    },
    cudaAddress: (h: FakeBuffer, offset: number) => h.address + BigInt(h.elem * offset),
    cudaUpload: (h: FakeBuffer, offset: number, x: Float32Array | Uint16Array) => h.mem.set(x, offset),
    cudaDownload: async (h: FakeBuffer, offset: number, length: number) => view(h, offset, length).slice(),
    cudaSynchronize: () => undefined,
    cudaMemInfo: () => ({ free: TOTAL - used, total: TOTAL }),
    cudaTimeKernel: () => 1,
    // The exhaustive check's comparison, on the host over every 65537th input (the real addon's).
    cudaCheckEveryInput: (code: Float64Array, pass: string, maxUlp: number) =>
      n.cudaCheckInputsOnHost(code, pass, maxUlp, 65537),
    cudaRun: (
      pass: string,
      code: Float64Array,
      length: number,
      x: FakeBuffer,
      xo: number,
      dy: FakeBuffer | null,
      dyo: number,
      out: FakeBuffer | null,
      outo: number,
      async: boolean,
      format: 0 | 1 | undefined,
    ) => {
      const at = (h: FakeBuffer | null, o: number) => (h ? view(h, o, length) : null);
      const result = compute(pass, code, view(x, xo, length), at(dy, dyo), at(out, outo), format);
      return async ? Promise.resolve(result) : result;
    },
    // The layer: the params are uploaded into the weights buffer, then the CPU layer runs on it.
    cudaAptxLayer: (
      pass: string,
      batch: number,
      d: number,
      m: number,
      w: FakeBuffer,
      wo: number,
      ...rest: unknown[]
    ) => {
      const size = d * m;
      const host = rest.slice(0, 4) as Float32Array[];
      const weights = [0, size, 2 * size, 3 * size].map((at, k) => view(w, wo + at, host[k].length));
      for (const [k, h] of host.entries()) weights[k].set(h);
      const [alpha, beta, gamma, delta] = weights;
      const lengths = [batch * d, batch * m, batch * d, size, size, size, m];
      const a = rest.slice(4);
      const at = (k: number) => {
        const h = a[2 * k] as FakeBuffer | null;
        return h ? view(h, a[2 * k + 1] as number, lengths[k]) : null;
      };
      if (pass === 'forward') n.aptxLayerForward(batch, d, m, at(0), alpha, beta, gamma, delta, at(1), 1);
      else n.aptxLayerBackward(batch, d, m, at(0), at(1), alpha, beta, gamma, at(2), at(3), at(4), at(5), at(6), 1);
    },
    cudaRunHost: (
      pass: string,
      code: Float64Array,
      device: number,
      x: Float32Array,
      dy: Float32Array | null,
      out: Float32Array | null,
      async: boolean,
      format: 0 | 1 | undefined,
    ) => {
      hostCallDevices.push(device);
      const result = compute(pass, code, x, dy, out, format);
      return async ? Promise.resolve(result) : result;
    },
  });
}
