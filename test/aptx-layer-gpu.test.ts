// The APTx Neuron layer on a real GPU (cuda/aptx_layer.cu through cudaAptxLayer); skipped
// visibly without one. test/cuda-fake.test.ts runs the same suite over the fake device.
import { describe } from 'vitest';
import { cuda } from '../lib';
import { aptxLayerGpuTests } from './aptx-layer-gpu-suite';
import { skipped } from './helpers/skip';

describe.skipIf(!cuda.available())(
  `the APTx Neuron layer on a GPU${skipped(!cuda.available(), 'no GPU')}`,
  aptxLayerGpuTests(false),
);
