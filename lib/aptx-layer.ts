// The APTx Neuron layer (Kumar 2025, arXiv 2507.14270): every input of every output has its own
// trainable APTx,
//   y[b, j] = sum_i (alpha[j, i] + tanh(beta[j, i] x[b, i])) gamma[j, i] x[b, i] + delta[j],
// computed by the SIMD kernels of cpp/layer/ over all cores, or by the CUDA kernels of
// cuda/aptx_layer.cu when x (and dy) are GpuArrays. Weights are row-major (outputs, inputs).
import { GpuArray, isGpuArray } from './cuda';
import { native } from './native';
import { fillNormal } from './random';
import { checkFloat32Array, checkOptions, rangeError, typeError } from './validate';

/** The shape and initialisation of aptxLayer(): `{ inputs: 784, outputs: 10, seed: 1 }`. */
export interface AptxLayerOptions {
  inputs: number;
  outputs: number;
  /** false fixes alpha = 1 (the paper's is_alpha_trainable=False); default true */
  trainAlpha?: boolean;
  /** seeds the standard normal initialisation of alpha, beta, gamma; random when left out */
  seed?: number;
}

/** A layer's weights, trainable in place: alpha, beta, gamma (outputs × inputs) and delta (outputs). */
export interface AptxLayerParams {
  /** (outputs, inputs), row-major; all ones when trainAlpha is false */
  readonly alpha: Float32Array;
  readonly beta: Float32Array;
  readonly gamma: Float32Array;
  /** (outputs) */
  readonly delta: Float32Array;
}

/** The gradients of backward() on host arrays: dx and the weight gradients, sums over the batch. */
export interface AptxLayerGrads {
  /** dL/dx, (batch, inputs) */
  dx: Float32Array;
  /** null when trainAlpha is false */
  alpha: Float32Array | null;
  beta: Float32Array;
  gamma: Float32Array;
  delta: Float32Array;
}

/** The gradients of backward() on GpuArrays: new GpuArrays on the device of x. */
export interface AptxLayerGpuGrads {
  /** dL/dx, (batch, inputs) */
  dx: GpuArray;
  /** null when trainAlpha is false */
  alpha: GpuArray | null;
  beta: GpuArray;
  gamma: GpuArray;
  delta: GpuArray;
}

const MAX_WEIGHTS = 2 ** 28;
const MAX_GPU_ROWS = 65535 * 16;
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

// A float32 GpuArray of the given length, on `device` when one is given (the device of x).
function checkGpuData(value: unknown, name: string, length: number, expected: string, device?: number) {
  const g = GpuArray.arg(value, name);
  if (g.a.dtype !== 'float32')
    throw new TypeError(
      `Expected a float32 GpuArray for ${name} but received a ${g.a.dtype} GpuArray: the layer computes float32`,
    );
  if (device !== undefined && g.a.device !== device)
    throw rangeError(`a GpuArray on device ${device} (the device of x)`, name, `one on device ${g.a.device}`);
  if (g.a.length !== length) throw rangeError(`length ${length} (${expected})`, name, `length ${g.a.length}`);
  return g;
}

// A new GpuArray as the addon's (handle, offset) arguments.
function gpuOut(length: number, device: number): [GpuArray, unknown, number] {
  const a = GpuArray.alloc(length, { device });
  const { handle, offset } = GpuArray.arg(a, 'out');
  return [a, handle, offset];
}

/**
 * The APTx Neuron layer (Kumar 2025): every input of every output has its own trainable APTx,
 * y[b, j] = Σ_i (alpha[j, i] + tanh(beta[j, i]·x[b, i]))·gamma[j, i]·x[b, i] + delta[j].
 * Made by aptxLayer(); alpha, beta, gamma ~ N(0, 1), delta = 0 by default.
 * @example const layer = aptxLayer({ inputs: 784, outputs: 10 }); const y = layer.forward(x, batch);
 */
export class AptxLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly trainAlpha: boolean;
  readonly params: AptxLayerParams;
  // Per device, one buffer of alpha, beta, gamma, delta that each GPU call uploads the params
  // into (they are written on the host between calls); freed with the layer.
  readonly #deviceWeights = new Map<number, GpuArray>();

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

  /**
   * y = layer(x) for `batch` rows of x (batch × inputs, row-major): Float32Array(batch × outputs),
   * or a new GpuArray on the device of x when x is a GpuArray (queued; returns at once).
   */
  forward(x: Float32Array, batch: number): Float32Array;
  forward(x: GpuArray, batch: number): GpuArray;
  forward(x: Float32Array | GpuArray, batch: number): Float32Array | GpuArray {
    const b = checkSize(batch, 'batch', 0);
    if (isGpuArray(x)) {
      const gx = checkGpuData(x, 'x', b * this.inputs, `batch × inputs = ${b} × ${this.inputs}`);
      const device = gx.a.device;
      const w = this.gpuWeights(b, device, false);
      const [y, yh, yo] = gpuOut(b * this.outputs, device);
      native().cudaAptxLayer('forward', ...w, gx.handle, gx.offset, yh, yo);
      return y;
    }
    const hx = checkData(x, 'x', b * this.inputs, `batch × inputs = ${b} × ${this.inputs}`);
    const w = this.weights();
    const y = new Float32Array(b * this.outputs);
    native().aptxLayerForward(b, this.inputs, this.outputs, hx, w.alpha, w.beta, w.gamma, w.delta, y, threads());
    return y;
  }

  /**
   * dL/dx and the weight gradients (sums over the batch) from dy = dL/dy (batch × outputs). With
   * GpuArrays x and dy (on one device) every result is a new GpuArray there (queued; returns at
   * once), for a training loop that keeps its data on the GPU.
   */
  backward(x: Float32Array, dy: Float32Array, batch: number): AptxLayerGrads;
  backward(x: GpuArray, dy: GpuArray, batch: number): AptxLayerGpuGrads;
  backward(x: Float32Array | GpuArray, dy: Float32Array | GpuArray, batch: number): AptxLayerGrads | AptxLayerGpuGrads {
    const b = checkSize(batch, 'batch', 0);
    if (isGpuArray(x) || isGpuArray(dy)) return this.backwardGpu(x, dy, b);
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

  private backwardGpu(x: unknown, dy: unknown, b: number): AptxLayerGpuGrads {
    const gx = checkGpuData(x, 'x', b * this.inputs, `batch × inputs = ${b} × ${this.inputs}`);
    const device = gx.a.device;
    const gdy = checkGpuData(dy, 'dy', b * this.outputs, `batch × outputs = ${b} × ${this.outputs}`, device);
    const w = this.gpuWeights(b, device, true);
    const n = this.inputs * this.outputs;
    const [dx, dxh, dxo] = gpuOut(b * this.inputs, device);
    const [alpha, ah, ao] = this.trainAlpha ? gpuOut(n, device) : [null, null, 0];
    const [beta, bh, bo] = gpuOut(n, device);
    const [gamma, gh, go] = gpuOut(n, device);
    const [delta, dh, doff] = gpuOut(this.outputs, device);
    native().cudaAptxLayer(
      'backward',
      ...w,
      gx.handle,
      gx.offset,
      gdy.handle,
      gdy.offset,
      dxh,
      dxo,
      ah,
      ao,
      bh,
      bo,
      gh,
      go,
      dh,
      doff,
    );
    return { dx, alpha, beta, gamma, delta };
  }

  // The addon's shape and weight arguments of a GPU call: the device buffer the params are
  // uploaded into, and the params themselves. The kernels' grids put the batch (and, for the
  // weight gradients, the outputs) along y, at most 65535 tiles of 16.
  private gpuWeights(b: number, device: number, backward: boolean): unknown[] {
    if (b > MAX_GPU_ROWS) throw rangeError(`at most ${MAX_GPU_ROWS} on the GPU`, 'batch', String(b));
    if (backward && this.outputs > MAX_GPU_ROWS)
      throw rangeError(`at most ${MAX_GPU_ROWS} for backward() on the GPU`, 'outputs', String(this.outputs));
    const w = this.weights();
    let buffer = this.#deviceWeights.get(device);
    if (!buffer) {
      buffer = GpuArray.alloc(3 * w.alpha.length + w.delta.length, { device });
      this.#deviceWeights.set(device, buffer);
    }
    const { handle, offset } = GpuArray.arg(buffer, 'weights');
    return [b, this.inputs, this.outputs, handle, offset, w.alpha, w.beta, w.gamma, w.delta];
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

/**
 * A new APTx Neuron layer: alpha, beta, gamma ~ N(0, 1) from `seed`, delta = 0; trainAlpha true.
 * @example const layer = aptxLayer({ inputs: 784, outputs: 10, seed: 1 });
 */
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
