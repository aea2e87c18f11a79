// The APTx Neuron layer's double-precision reference and tolerance, shared by the CPU tests
// (test/aptx-layer.test.ts) and the GPU ones (test/aptx-layer-gpu-suite.ts).
import { expect } from 'vitest';
import { type AptxLayer, aptxLayer } from '../lib';
import { fillNormal } from '../lib/random';

export interface Shape {
  batch: number;
  inputs: number;
  outputs: number;
}

// A layer whose weights cover both signs and all of tanh's range, and a batch of inputs.
export function setup({ batch, inputs, outputs }: Shape, seed = 7, trainAlpha = true) {
  const layer = aptxLayer({ inputs, outputs, seed, trainAlpha });
  fillNormal(seed + 1, layer.params.delta);
  const x = new Float32Array(batch * inputs);
  const dy = new Float32Array(batch * outputs);
  fillNormal(seed + 2, x, dy);
  for (let i = 0; i < x.length; i += 5) x[i] *= 4; // some inputs far into tanh's tails
  return { layer, x, dy };
}

// Everything in double from the float inputs. Each `scale` sums, over the terms of a result, the
// sizes of the pieces the kernel adds (it computes alpha + tanh(beta x) as (alpha - 1) + 2 s(2 beta x),
// which may cancel): the size its float rounding errors are relative to.
export function reference(layer: AptxLayer, x: Float32Array, dy: Float32Array, batch: number) {
  const { inputs: d, outputs: m } = layer;
  const { alpha, beta, gamma, delta } = layer.params;
  const y = new Float64Array(batch * m);
  const yScale = new Float64Array(batch * m);
  const dx = new Float64Array(batch * d);
  const dxScale = new Float64Array(batch * d);
  const grads = [new Float64Array(m * d), new Float64Array(m * d), new Float64Array(m * d)];
  const gradScales = [new Float64Array(m * d), new Float64Array(m * d), new Float64Array(m * d)];
  const ddelta = new Float64Array(m);
  for (let b = 0; b < batch; b++)
    for (let j = 0; j < m; j++) {
      const g = dy[b * m + j];
      y[b * m + j] = delta[j];
      yScale[b * m + j] = Math.abs(delta[j]);
      ddelta[j] += g;
      for (let i = 0; i < d; i++) {
        const k = j * d + i;
        const v = x[b * d + i];
        const t = Math.tanh(beta[k] * v);
        const term = (alpha[k] + t) * gamma[k] * v;
        y[b * m + j] += term;
        const pieces = Math.abs(alpha[k] - 1) + 1 + t;
        yScale[b * m + j] += pieces * Math.abs(gamma[k] * v);
        const dxTerm = g * gamma[k] * (alpha[k] + t + beta[k] * v * (1 - t * t));
        dx[b * d + i] += dxTerm;
        dxScale[b * d + i] += Math.abs(g * gamma[k]) * (pieces + Math.abs(beta[k] * v * (1 - t * t)));
        const terms = [g * gamma[k] * v, g * gamma[k] * v * v * (1 - t * t), g * (alpha[k] + t) * v];
        const sizes = [terms[0], terms[1], g * pieces * v];
        for (let p = 0; p < 3; p++) {
          grads[p][k] += terms[p];
          gradScales[p][k] += Math.abs(sizes[p]);
        }
      }
    }
  return { y, yScale, dx, dxScale, grads, gradScales, ddelta };
}

// Float results against double ones: each term within a few ulp, plus the rounding of a float
// sum of n terms.
export function expectClose(got: Float32Array, want: Float64Array, scale: Float64Array, n: number, what: string) {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    const tol = (n + 8) * 2 ** -24 * scale[k] + 1e-30;
    if (!(Math.abs(got[k] - want[k]) <= tol))
      expect.fail(`${what}[${k}] = ${got[k]}, reference ${want[k]}, tolerance ${tol}`);
  }
}
