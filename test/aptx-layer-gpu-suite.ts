// The APTx Neuron layer on GpuArrays: values and gradients against the double reference within
// the CPU layer's tolerance, the same bits twice, params written between calls, exact errors.
// Run on a GPU by test/aptx-layer-gpu.test.ts and over the fake device (the CPU layer behind
// lib/aptx-layer.ts's GPU path) by test/cuda-fake.test.ts, where `sameAsCpu` also asks for the
// CPU layer's bits.
import { expect, it } from 'vitest';
import { aptxLayer, cuda, GpuArray } from '../lib';
import { expectClose, reference, type Shape, setup } from './aptx-layer-reference';

const shapes: Shape[] = [
  { batch: 1, inputs: 1, outputs: 1 },
  { batch: 7, inputs: 13, outputs: 5 },
  { batch: 33, inputs: 50, outputs: 17 }, // past one 16 × 16 tile in every direction
  { batch: 64, inputs: 100, outputs: 20 },
];

async function download(g: { [name: string]: GpuArray | null }) {
  const out: { [name: string]: Float32Array | null } = {};
  for (const [name, a] of Object.entries(g)) out[name] = a ? await a.toFloat32Array() : null;
  return out;
}

export function aptxLayerGpuTests(sameAsCpu: boolean): () => void {
  return () => {
    it.each(shapes)('forward and backward match the double reference (%o)', async (shape) => {
      const { layer, x, dy } = setup(shape);
      const r = reference(layer, x, dy, shape.batch);
      const gx = GpuArray.from(x);
      const gy = layer.forward(gx, shape.batch);
      expect(gy).toBeInstanceOf(GpuArray);
      const y = await gy.toFloat32Array();
      expectClose(y, r.y, r.yScale, shape.inputs, 'y');
      const grads = layer.backward(gx, GpuArray.from(dy), shape.batch);
      for (const a of Object.values(grads)) expect(a).toBeInstanceOf(GpuArray);
      const g = await download({ ...grads });
      expectClose(g.dx!, r.dx, r.dxScale, shape.outputs, 'dx');
      expectClose(g.alpha!, r.grads[0], r.gradScales[0], shape.batch, 'dalpha');
      expectClose(g.beta!, r.grads[1], r.gradScales[1], shape.batch, 'dbeta');
      expectClose(g.gamma!, r.grads[2], r.gradScales[2], shape.batch, 'dgamma');
      const absDy = new Float64Array(shape.outputs);
      for (let k = 0; k < dy.length; k++) absDy[k % shape.outputs] += Math.abs(dy[k]);
      expectClose(g.delta!, r.ddelta, absDy, shape.batch, 'ddelta');
      if (sameAsCpu) {
        expect(y).toEqual(layer.forward(x, shape.batch));
        expect(g).toEqual({ ...layer.backward(x, dy, shape.batch) });
      }
    });

    it('gives the same bits twice', async () => {
      const shape = { batch: 40, inputs: 70, outputs: 33 };
      const { layer, x, dy } = setup(shape);
      const gx = GpuArray.from(x);
      const gdy = GpuArray.from(dy);
      const run = async () => [
        await layer.forward(gx, shape.batch).toFloat32Array(),
        await download({ ...layer.backward(gx, gdy, shape.batch) }),
      ];
      expect(await run()).toEqual(await run());
    });

    it('trainAlpha: false gives a null alpha gradient', async () => {
      const shape = { batch: 5, inputs: 19, outputs: 4 };
      const { layer, x, dy } = setup(shape, 7, false);
      const r = reference(layer, x, dy, shape.batch);
      const g = layer.backward(GpuArray.from(x), GpuArray.from(dy), shape.batch);
      expect(g.alpha).toBeNull();
      expectClose(await g.beta.toFloat32Array(), r.grads[1], r.gradScales[1], shape.batch, 'dbeta');
      expectClose(await g.dx.toFloat32Array(), r.dx, r.dxScale, shape.outputs, 'dx');
    });

    it('uses the params as they are at each call', async () => {
      const layer = aptxLayer({ inputs: 2, outputs: 1, seed: 1 });
      const x = GpuArray.from(new Float32Array([1, -1]));
      const before = layer.forward(x, 1);
      layer.params.alpha.set([1, 1]);
      layer.params.beta.set([0, 0]);
      layer.params.gamma.set([2, 3]);
      layer.params.delta[0] = 0.5;
      const after = layer.forward(x, 1);
      expect((await after.toFloat32Array())[0]).toBe(2 - 3 + 0.5);
      expect((await before.toFloat32Array())[0]).not.toBe(2 - 3 + 0.5);
    });

    it('takes views, and an empty batch', async () => {
      const shape = { batch: 3, inputs: 4, outputs: 2 };
      const { layer, x } = setup(shape);
      const padded = GpuArray.from(new Float32Array([9, ...x, 9]));
      const y = await layer.forward(padded.subarray(1, 1 + x.length), 3).toFloat32Array();
      const r = reference(layer, x, new Float32Array(6), 3);
      expectClose(y, r.y, r.yScale, shape.inputs, 'y');
      const empty = GpuArray.alloc(0);
      expect(layer.forward(empty, 0).length).toBe(0);
      const g = await download({ ...layer.backward(empty, empty, 0) });
      expect(g.dx).toEqual(new Float32Array(0));
      expect(g.beta).toEqual(new Float32Array(8));
      expect(g.delta).toEqual(new Float32Array(2));
    });

    it('errors: mixed host and GPU arrays, lengths, dtypes, disposed arrays', () => {
      const layer = aptxLayer({ inputs: 3, outputs: 2, seed: 1 });
      const hx = new Float32Array(6);
      const gx = GpuArray.from(hx);
      const gdy = GpuArray.alloc(4);
      expect(() => layer.forward(GpuArray.alloc(6), 3)).toThrow(
        new RangeError('Expected length 9 (batch × inputs = 3 × 3) for x but received length 6'),
      );
      expect(() => layer.backward(gx, new Float32Array(4) as never, 2)).toThrow(
        new TypeError('Expected GpuArray for dy but received Float32Array'),
      );
      expect(() => layer.backward(hx as never, gdy, 2)).toThrow(
        new TypeError('Expected GpuArray for x but received Float32Array'),
      );
      expect(() => layer.backward(gx, GpuArray.alloc(3), 2)).toThrow(
        new RangeError('Expected length 4 (batch × outputs = 2 × 2) for dy but received length 3'),
      );
      expect(() => layer.backward(gx, gdy, -1)).toThrow(
        new RangeError('Expected a non-negative integer for batch but received -1'),
      );
      expect(() => layer.forward(GpuArray.alloc(6, { dtype: 'bfloat16' }), 2)).toThrow(
        new TypeError('Expected a float32 GpuArray for x but received a bfloat16 GpuArray: the layer computes float32'),
      );
      const tall = GpuArray.alloc(1048561); // the grid's limit on rows
      expect(() => aptxLayer({ inputs: 1, outputs: 1, seed: 1 }).forward(tall, 1048561)).toThrow(
        new RangeError('Expected at most 1048560 on the GPU for batch but received 1048561'),
      );
      const wide = aptxLayer({ inputs: 1, outputs: 1048561, seed: 1 });
      const one = GpuArray.alloc(1);
      expect(wide.forward(one, 1).length).toBe(1048561);
      expect(() => wide.backward(one, GpuArray.alloc(1048561), 1)).toThrow(
        new RangeError('Expected at most 1048560 for backward() on the GPU for outputs but received 1048561'),
      );
      const gone = GpuArray.from(hx);
      gone.dispose();
      expect(() => layer.forward(gone, 2)).toThrow(
        new TypeError('Expected a GpuArray that is not disposed for x but received a disposed GpuArray'),
      );
    });

    it.skipIf(cuda.devices().length < 2)('x and dy on different devices is a RangeError', async () => {
      const shape = { batch: 2, inputs: 3, outputs: 2 };
      const { layer, x, dy } = setup(shape);
      const gx = GpuArray.from(x, { device: 1 });
      expect(() => layer.backward(gx, GpuArray.from(dy), 2)).toThrow(
        new RangeError('Expected a GpuArray on device 1 (the device of x) for dy but received one on device 0'),
      );
      // Each device gets its own copy of the weights.
      const y1 = await layer.forward(gx, 2).toFloat32Array();
      const y0 = await layer.forward(GpuArray.from(x), 2).toFloat32Array();
      expect(y1).toEqual(y0);
      expect(layer.backward(gx, GpuArray.from(dy, { device: 1 }), 2).dx.device).toBe(1);
    });
  };
}
