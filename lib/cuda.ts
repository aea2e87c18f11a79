// The CUDA side of the API: GpuArray and `cuda`. The kernels live in cuda/; this file wraps
// what the addon exports when it was built with CUDA, and explains why when it was not.
import { native } from './native';

export interface CudaDevice {
  index: number;
  name: string;
  computeCapability: string;
  totalMemory: number;
}

export interface CudaStatus {
  compiled: boolean;
  available: boolean;
  devices: CudaDevice[];
  reason: string | null;
}

function status(): CudaStatus {
  const n = native();
  if (typeof n.cudaStatus !== 'function')
    return {
      compiled: false,
      available: false,
      devices: [],
      reason: 'the addon was built without CUDA (no nvcc at build time, or ACTIVATION_KERNELS_CUDA=off)',
    };
  return n.cudaStatus() as CudaStatus;
}

export const cuda = {
  /** True when a CUDA device can be used; never throws. */
  available(): boolean {
    try {
      return status().available;
    } catch {
      return false;
    }
  },
  devices(): CudaDevice[] {
    return status().devices;
  },
  status,
};

export function cudaUnavailable(what: string): Error {
  return new Error(`${what} needs CUDA, which is not available: ${status().reason}`);
}

/** Float32 data in GPU memory. Placeholder until the CUDA backend lands: creating one throws. */
export class GpuArray {
  private constructor() {}
  static from(_x: Float32Array, _options?: { device?: number }): GpuArray {
    throw cudaUnavailable('GpuArray.from');
  }
}

export function isGpuArray(value: unknown): value is GpuArray {
  return value instanceof GpuArray;
}

/**
 * Runs one pass on the GPU. arrays are [x] or [x, dy], each a GpuArray, or host arrays for
 * device: 'cuda' (uploaded, computed, downloaded into out). Returns out (a new GpuArray when
 * none is given), or the parameter-gradient sums for paramGrad.
 */
export function gpuRun(
  pass: 'forward' | 'backward' | 'paramGrad',
  f: { name: string; code: Float64Array },
  _arrays: unknown[],
  _out: unknown,
  _async: boolean,
): Float32Array | GpuArray | Float64Array | Promise<Float32Array | GpuArray> {
  throw cudaUnavailable(`${f.name}.${pass} on the GPU`);
}
