// The APTx Neuron layer (Kumar 2025, arXiv 2507.14270): every input of every output has its own
// trainable APTx,
//   y[b, j] = sum_i (alpha[j, i] + tanh(beta[j, i] x[b, i])) gamma[j, i] x[b, i] + delta[j],
// computed by the SIMD kernels of cpp/layer/ over all cores. Weights are row-major (outputs, inputs).
import { native } from './native';
import { fillNormal } from './random';
import { checkFloat32Array, checkOptions, rangeError, typeError } from './validate';

export interface AptxLayerOptions {
  inputs: number;
  outputs: number;
  /** false fixes alpha = 1 (the paper's is_alpha_trainable=False); default true */
  trainAlpha?: boolean;
  /** seeds the standard normal initialisation of alpha, beta, gamma; random when left out */
  seed?: number;
}

export interface AptxLayerParams {
  /** (outputs, inputs), row-major; all ones when trainAlpha is false */
  readonly alpha: Float32Array;
  readonly beta: Float32Array;
  readonly gamma: Float32Array;
  /** (outputs) */
  readonly delta: Float32Array;
}

export interface AptxLayerGrads {
  /** dL/dx, (batch, inputs) */
  dx: Float32Array;
  /** null when trainAlpha is false */
  alpha: Float32Array | null;
  beta: Float32Array;
  gamma: Float32Array;
  delta: Float32Array;
}

const MAX_WEIGHTS = 2 ** 28;
const OPTION_NAMES = ['inputs', 'outputs', 'trainAlpha', 'seed'] as const;

function checkSize(value: unknown, name: string, min: number): number {
  const what = min === 0 ? 'a non-negative integer' : 'a positive integer';
  if (typeof value !== 'number') throw typeError(what, name, value);
  if (!Number.isInteger(value) || value < min || value > MAX_WEIGHTS) throw rangeError(what, name, String(value));
  return value;
}

function checkData(value: unknown, name: string, length: number, expected: string): Float32Array {
  const a = checkFloat32Array(value, name);
  if (a.length !== length) throw rangeError(`length ${length} (${expected})`, name, `length ${a.length}`);
  return a;
}

export class AptxLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly trainAlpha: boolean;
  readonly params: AptxLayerParams;

  /** @internal use aptxLayer() */
  constructor(inputs: number, outputs: number, trainAlpha: boolean, seed: number) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.trainAlpha = trainAlpha;
    const n = inputs * outputs;
    const alpha = new Float32Array(n);
    const beta = new Float32Array(n);
    const gamma = new Float32Array(n);
    // alpha is drawn either way, so beta and gamma do not depend on trainAlpha.
    fillNormal(seed, alpha, beta, gamma);
    if (!trainAlpha) alpha.fill(1);
    this.params = Object.freeze({ alpha, beta, gamma, delta: new Float32Array(outputs) });
  }

  /** y = layer(x) for `batch` rows of x (batch × inputs, row-major): Float32Array(batch × outputs). */
  forward(x: Float32Array, batch: number): Float32Array {
    const b = checkSize(batch, 'batch', 0);
    const hx = checkData(x, 'x', b * this.inputs, `batch × inputs = ${b} × ${this.inputs}`);
    const w = this.weights();
    const y = new Float32Array(b * this.outputs);
    native().aptxLayerForward(b, this.inputs, this.outputs, hx, w.alpha, w.beta, w.gamma, w.delta, y, threads());
    return y;
  }

  /** dL/dx and the weight gradients (sums over the batch) from dy = dL/dy (batch × outputs). */
  backward(x: Float32Array, dy: Float32Array, batch: number): AptxLayerGrads {
    const b = checkSize(batch, 'batch', 0);
    const hx = checkData(x, 'x', b * this.inputs, `batch × inputs = ${b} × ${this.inputs}`);
    const hdy = checkData(dy, 'dy', b * this.outputs, `batch × outputs = ${b} × ${this.outputs}`);
    const w = this.weights();
    const n = this.inputs * this.outputs;
    const g: AptxLayerGrads = {
      dx: new Float32Array(b * this.inputs),
      alpha: this.trainAlpha ? new Float32Array(n) : null,
      beta: new Float32Array(n),
      gamma: new Float32Array(n),
      delta: new Float32Array(this.outputs),
    };
    native().aptxLayerBackward(
      b,
      this.inputs,
      this.outputs,
      hx,
      hdy,
      w.alpha,
      w.beta,
      w.gamma,
      g.dx,
      g.alpha,
      g.beta,
      g.gamma,
      g.delta,
      threads(),
    );
    return g;
  }

  // The weights are writable in place; a detached one must not reach the addon.
  private weights(): AptxLayerParams {
    const n = this.inputs * this.outputs;
    const p = this.params;
    const what = `outputs × inputs = ${this.outputs} × ${this.inputs}`;
    checkData(p.alpha, 'params.alpha', n, what);
    checkData(p.beta, 'params.beta', n, what);
    checkData(p.gamma, 'params.gamma', n, what);
    checkData(p.delta, 'params.delta', this.outputs, `outputs = ${this.outputs}`);
    return p;
  }
}

function threads(): number {
  return native().threads();
}

/** A new APTx Neuron layer: alpha, beta, gamma ~ N(0, 1) from `seed`, delta = 0. */
export function aptxLayer(options: AptxLayerOptions): AptxLayer {
  if (options === undefined) throw typeError('an object', 'options', options);
  const o = checkOptions<AptxLayerOptions>(options, 'options', 'an option name of aptxLayer', OPTION_NAMES);
  const inputs = checkSize(o.inputs, 'inputs', 1);
  const outputs = checkSize(o.outputs, 'outputs', 1);
  if (inputs * outputs > MAX_WEIGHTS)
    throw rangeError(`inputs × outputs ≤ ${MAX_WEIGHTS}`, 'outputs', `${inputs} × ${outputs}`);
  const trainAlpha = o.trainAlpha ?? true;
  if (typeof trainAlpha !== 'boolean') throw typeError('a boolean', 'trainAlpha', trainAlpha);
  let seed = o.seed;
  if (seed === undefined) seed = Math.floor(Math.random() * 2 ** 32);
  else if (typeof seed !== 'number') throw typeError('an integer in [0, 4294967295]', 'seed', seed);
  else if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw rangeError('an integer in [0, 4294967295]', 'seed', String(seed));
  return new AptxLayer(inputs, outputs, trainAlpha, seed);
}
