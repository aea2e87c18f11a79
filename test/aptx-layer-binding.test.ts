// The layer's GPU path against the real addon's cudaAptxLayer on a machine without a GPU: device
// buffers are made by cudaWrap (which calls no CUDA function), so every argument the library
// passes goes through the binding's own checks (shape, lengths, devices, pass) and the call gets
// as far as its first CUDA call, which fails with an Error naming it. An argument the binding
// rejected would say "activation-kernels internal call" instead.
import { describe, expect, it } from 'vitest';
import { aptxLayer, GpuArray } from '../lib';
import { native } from '../lib/native';
import { skipped } from './helpers/skip';

const n = native();
const compiled = typeof n.cudaStatus === 'function';
const gpu = compiled && n.cudaStatus().available;
let next = 1n << 32n;
const wrap = (length: number, device = 0, elem = 4) => {
  const h = n.cudaWrap(device, next, length, elem);
  next += BigInt(elem * length + 256);
  return h;
};
// GpuArrays without a GPU, for the library's own calls: a status that lists a device 0, and
// allocations made by cudaWrap (lib/cuda.ts asks for the status once, on first use: after this).
if (compiled && !gpu)
  Object.assign(n, {
    cudaStatus: () => ({ compiled: true, available: true, devices: [{ index: 0 }], reason: null }),
    cudaAlloc: (device: number, length: number, elem: number) => wrap(length, device, elem),
  });

describe.skipIf(!compiled || gpu)(
  `the real addon's cudaAptxLayer without a GPU${skipped(!compiled || gpu, compiled ? 'a GPU is here' : 'the addon was built without CUDA')}`,
  () => {
    const internal = /^activation-kernels internal call: /;
    const cudaFailure = /^cudaGetDevice failed: .+ \(\d+\)$/;

    it('checks what it is passed, then fails at its first CUDA call', () => {
      const [b, d, m] = [3, 4, 2];
      const w = [new Float32Array(8), new Float32Array(8), new Float32Array(8), new Float32Array(2)];
      const call =
        (pass: string, weights: unknown, hosts: Float32Array[], ...arrays: unknown[]) =>
        () =>
          n.cudaAptxLayer(pass, b, d, m, weights, 0, ...hosts, ...arrays);
      const weights = wrap(26);
      const fwd = [wrap(12), 0, wrap(6), 0];
      const bwd = [wrap(12), 0, wrap(6), 0, wrap(12), 0, wrap(8), 0, wrap(8), 0, wrap(8), 0, wrap(2), 0];
      expect(call('forward', weights, w, ...fwd)).toThrow(cudaFailure);
      expect(call('backward', weights, w, ...bwd)).toThrow(cudaFailure);
      expect(call('backward', weights, w, ...bwd.slice(0, 6), null, 0, ...bwd.slice(8))).toThrow(cudaFailure);
      expect(call('paramGrad', weights, w, ...fwd)).toThrow(internal);
      expect(call('forward', wrap(25), w, ...fwd)).toThrow(internal); // weights buffer too short
      expect(call('forward', weights, [w[0], w[1], w[2], w[0]], ...fwd)).toThrow(internal); // delta of 8
      expect(call('forward', weights, w, wrap(11), 0, fwd[2], 0)).toThrow(internal); // x too short
      expect(call('forward', weights, w, fwd[0], 1, fwd[2], 0)).toThrow(internal); // x past its end
      expect(call('forward', weights, w, fwd[0], 0, wrap(6, 1), 0)).toThrow(internal); // two devices
      expect(call('backward', weights, w, ...bwd.slice(0, 12), null, 0)).toThrow(internal); // no ddelta
    });

    it("takes the library's arguments as they are", () => {
      for (const trainAlpha of [true, false]) {
        const layer = aptxLayer({ inputs: 4, outputs: 2, seed: 1, trainAlpha });
        const x = GpuArray.alloc(3 * 4 + 2).subarray(1, 13);
        expect(() => layer.forward(x, 3)).toThrow(cudaFailure);
        expect(() => layer.backward(x, GpuArray.alloc(6), 3)).toThrow(cudaFailure);
        expect(() => layer.backward(GpuArray.alloc(0), GpuArray.alloc(0), 0)).toThrow(cudaFailure);
      }
    });
  },
);
