// The GPU tests over a fake device (test/fake-cuda.ts): checks lib/cuda.ts and the tests of
// test/cuda-suite.ts on every machine. The real device runs them in test/cuda.test.ts.
import { describe } from 'vitest';
import { aptxLayerGpuTests } from './aptx-layer-gpu-suite';
import { gpuTests } from './cuda-suite';
import { installFakeCuda } from './fake-cuda';

installFakeCuda();
describe('GpuArray on a fake device (lib/cuda.ts over the CPU kernels)', gpuTests);
describe('the APTx Neuron layer on a fake device (lib/aptx-layer.ts over the CPU layer)', aptxLayerGpuTests(true));
