// The CUDA binding's host-side decisions, checked without a GPU through the addon's diagnostics
// exports (binding/cuda/checks.cpp): what the GPU path runs to plan the layer's launches, stage
// transfers, size the memory pool, give the caller's device back, and name a faulting kernel.
// (That async calls hold no libuv thread is the stream callbacks of binding/cuda/completion.cpp:
// only a GPU can show it, in test/cuda-suite.ts.)
import { describe, expect, it } from 'vitest';
import { native } from '../lib/native';
import { skipped } from './helpers/skip';

const n = native();
const compiled = typeof n.cudaLayerPlan === 'function';

interface Launch {
  kernel: string;
  gridX: number;
  gridY: number;
  threads: number;
  rowBlock0: number;
}

describe.skipIf(!compiled)(
  `the CUDA binding's host side${skipped(!compiled, 'the addon was built without CUDA or its diagnostics')}`,
  () => {
    const plan = (pass: string, batch: number, inputs: number, outputs: number) =>
      n.cudaLayerPlan(pass, batch, inputs, outputs) as Launch[];
    // the row blocks of a kernel's launches, in order: each within CUDA's grid y, together every row
    const rowsCovered = (launches: Launch[], kernel: string) => {
      const of = launches.filter((l) => l.kernel === kernel);
      let next = 0;
      for (const l of of) {
        expect(l.gridY).toBeGreaterThan(0);
        expect(l.gridY).toBeLessThanOrEqual(65535);
        expect(l.rowBlock0).toBe(next);
        next += l.gridY;
      }
      return next * 16;
    };

    it('the APTx layer: batch or outputs past 1,048,560 (grid y over 65535) take further launches', () => {
      const big = 1_048_561; // 65536 blocks of 16 rows
      const f = plan('forward', big, 3, 5);
      expect(f.length).toBe(2);
      expect(rowsCovered(f, 'forward')).toBeGreaterThanOrEqual(big);
      expect(f.every((l) => l.gridX === 1)).toBe(true);
      expect(plan('forward', 1_048_560, 3, 5)).toHaveLength(1);
      const b = plan('backward', big, 3, big);
      expect(rowsCovered(b, 'paramGrad')).toBeGreaterThanOrEqual(big); // rows are the outputs
      expect(rowsCovered(b, 'inputGrad')).toBeGreaterThanOrEqual(big); // rows are the batch
      const delta = b.filter((l) => l.kernel === 'deltaGrad');
      expect(delta).toHaveLength(1);
      expect(delta[0].gridX * delta[0].threads).toBeGreaterThanOrEqual(big);
    });

    it('the APTx layer: with 0 inputs (or a batch of 0) ddelta is still written', () => {
      expect(plan('backward', 7, 0, 3).map((l) => l.kernel)).toEqual(['deltaGrad']);
      expect(plan('backward', 0, 4, 3).map((l) => l.kernel)).toEqual(['paramGrad', 'deltaGrad']);
      expect(plan('backward', 7, 4, 0)).toEqual([]);
      expect(plan('forward', 0, 4, 3)).toEqual([]);
      expect(plan('backward', 7, 4, 3).map((l) => l.kernel)).toEqual(['paramGrad', 'deltaGrad', 'inputGrad']);
    });

    it('transfers are staged a 64 MiB chunk at a time: no larger pinned buffer', () => {
      const MiB = 2 ** 20;
      expect(n.cudaStagingChunks(0)).toEqual([]);
      expect(n.cudaStagingChunks(4)).toEqual([[0, 4]]);
      expect(n.cudaStagingChunks(64 * MiB)).toEqual([[0, 64 * MiB]]);
      const chunks = n.cudaStagingChunks(200 * MiB + 12) as [number, number][];
      expect(chunks).toEqual([
        [0, 64 * MiB],
        [64 * MiB, 64 * MiB],
        [128 * MiB, 64 * MiB],
        [192 * MiB, 8 * MiB + 12],
      ]);
    });

    it('the memory pool keeps freed memory, bounded, unless ACTIVATION_KERNELS_CUDA_POOL_MB says otherwise', () => {
      const GiB = 2 ** 30;
      expect(n.cudaPoolKeepBytes(80 * GiB, null)).toBe(2 * GiB); // at most 2 GiB
      expect(n.cudaPoolKeepBytes(8 * GiB, null)).toBe(GiB); // an eighth of the device
      expect(n.cudaPoolKeepBytes(8 * GiB, '0')).toBe(0); // the driver's default: give it back
      expect(n.cudaPoolKeepBytes(8 * GiB, '512')).toBe(512 * 2 ** 20);
      expect(n.cudaPoolKeepBytes(8 * GiB, 'lots')).toBe(GiB); // not a number: the default
      expect(n.cudaPoolKeepBytes(8 * GiB, '')).toBe(GiB);
    });

    it("a call on device 1 gives device 0 back only where device 0's context is live", () => {
      // restoring an unused device 0 would create a context (and take memory) there
      expect(n.cudaScopeRestores(0, 1, false)).toBe(false);
      expect(n.cudaScopeRestores(0, 1, true)).toBe(true);
      expect(n.cudaScopeRestores(1, 1, true)).toBe(false);
    });

    it('a kernel fault reported by a later call names the kernels queued before it', () => {
      const illegalAddress = 700;
      const m = n.cudaFailureMessage('cudaMemcpyAsync (download)', illegalAddress, [
        'relu forward kernel (n = 8)',
        'mish backward kernel (n = 1000)',
      ]);
      expect(m).toMatch(/^cudaMemcpyAsync \(download\) failed: .+ \(700\); a kernel queued earlier faulted/);
      expect(m).toContain('among (most recent last): relu forward kernel (n = 8), mish backward kernel (n = 1000)');
      const outOfMemory = 2;
      expect(n.cudaFailureMessage('cudaMallocAsync', outOfMemory, ['mish forward kernel (n = 5)'])).toBe(
        'cudaMallocAsync failed: out of memory (2)',
      );
      expect(n.cudaFailureMessage('cudaStreamSynchronize', illegalAddress, [])).toMatch(
        /; a kernel queued earlier faulted$/,
      );
    });
  },
);
