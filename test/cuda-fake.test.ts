// The GPU tests over a fake device (test/fake-cuda.ts): checks lib/cuda.ts and the tests of
// test/cuda-suite.ts on every machine. The real device runs them in test/cuda.test.ts. The last
// block checks what only the fake can observe: which device a host-array call was sent to.
import { describe, expect, it } from 'vitest';
import { GpuArray, mish } from '../lib';
import { aptxLayerGpuTests } from './aptx-layer-gpu-suite';
import { gpuTests } from './cuda-suite';
import { hostCallDevices, installFakeCuda } from './fake-cuda';

installFakeCuda();
describe('GpuArray on a fake device (lib/cuda.ts over the CPU kernels)', gpuTests);
describe('the APTx Neuron layer on a fake device (lib/aptx-layer.ts over the CPU layer)', aptxLayerGpuTests(true));

describe('the device option and fromPointer on a fake device with two GPUs', () => {
  const x = Float32Array.from([-2, -1, 0, 1, 2]);

  it("sends host arrays to device N for device: 'cuda:N' or N, to device 0 for 'cuda'", async () => {
    hostCallDevices.length = 0;
    mish.forward(x, { device: 'cuda:1' });
    mish.backward(x, x, { device: 1 });
    await mish.forwardAsync(x, { device: 'cuda' });
    mish.forward(x, { device: 0 });
    expect(hostCallDevices).toEqual([1, 1, 0, 0]);
  });

  it('checks that the view stays in the memory at ptr', () => {
    const g = GpuArray.alloc(16, { device: 1 });
    expect(GpuArray.fromPointer(g.pointer + 8n, 14).length).toBe(14);
    expect(() => GpuArray.fromPointer(g.pointer + 8n, 15)).toThrow(
      new RangeError('Expected a length that stays in the device memory at ptr for length but received 15'),
    );
  });
});
