// Experiment (b): the APTx Neuron network of Kumar 2025 (arXiv 2507.14270): three APTx Neuron
// layers 784 → 128 → 64 → 32, then a dense 32 → 10, trained as in the paper: Adam, lr 4e-3,
// ×0.25 every 5 epochs, batch 64, cross-entropy. Seeded: every run is the same.
//   npm run example:aptx     (writes examples/results/aptx.json and examples/results.md)
import { type AptxLayer, aptxLayer, cpu } from 'activation-kernels';
import {
  Adam,
  accuracy,
  batchOf,
  correct,
  crossEntropy,
  Dense,
  elapsed,
  IMAGE,
  loadMnist,
  type Param,
  rng,
  shuffled,
  writeJson,
} from './common';
import { writeResults } from './report';

const SEED = 1;
const BATCH = 64;
const EPOCHS = Number(process.env.APTX_EPOCHS ?? 20);
const LR = 4e-3;
const DECAY = 0.25;
const DECAY_EVERY = 5;
const SIZES = [IMAGE, 128, 64, 32];
// The paper's input transform (torchvision Normalize with the MNIST training set's mean and std).
const MEAN = 0.1307;
const STD = 0.3081;

class AptxNetwork {
  readonly aptx: AptxLayer[];
  readonly head: Dense;
  // Adam's view of the APTx weights: the layer's arrays, and gradients copied in after backward.
  readonly aptxParams: Param[][];

  constructor(seed: number) {
    this.aptx = SIZES.slice(1).map((outputs, k) => aptxLayer({ inputs: SIZES[k], outputs, seed: seed + k }));
    const next = rng(seed + 100);
    // PyTorch's nn.Linear default: U(-1/sqrt(fan-in), 1/sqrt(fan-in)) for the weights and bias
    const uniform = (fanIn: number) => (2 * next() - 1) / Math.sqrt(fanIn);
    this.head = new Dense(32, 10, uniform);
    this.head.b.value.set(Float32Array.from({ length: 10 }, () => uniform(32)));
    this.aptxParams = this.aptx.map((l) =>
      [l.params.alpha, l.params.beta, l.params.gamma, l.params.delta].map((value) => ({
        value,
        grad: new Float32Array(value.length),
      })),
    );
  }

  logits(x: Float32Array, batch: number): Float32Array {
    let h: Float32Array = x;
    for (const layer of this.aptx) h = layer.forward(h, batch);
    return this.head.forward(h, batch);
  }

  // Gradients of one batch; returns the loss and how many of its digits the network got right.
  gradients(x: Float32Array, y: Uint8Array, batch: number): { loss: number; hits: number } {
    const inputs: Float32Array[] = [];
    let h: Float32Array = x;
    for (const layer of this.aptx) {
      inputs.push(h);
      h = layer.forward(h, batch);
    }
    const logits = this.head.forward(h, batch);
    const { loss, grad } = crossEntropy(logits, y, batch);
    let d = this.head.backward(h, grad, batch) as Float32Array;
    for (let k = this.aptx.length - 1; k >= 0; k--) {
      const g = this.aptx[k].backward(inputs[k], d, batch);
      [g.alpha, g.beta, g.gamma, g.delta].forEach((v, p) => {
        if (v) this.aptxParams[k][p].grad.set(v);
      });
      d = g.dx;
    }
    return { loss, hits: correct(logits, y, batch) };
  }

  params(): Param[] {
    return [...this.aptxParams.flat(), ...this.head.params()];
  }
}

function main(): void {
  const start = process.hrtime.bigint();
  const data = loadMnist();
  for (const split of [data.train, data.test])
    for (let k = 0; k < split.x.length; k++) split.x[k] = (split.x[k] - MEAN) / STD;
  console.log(
    `mnist: ${data.train.n} training and ${data.test.n} test digits; isa ${cpu.isa()}, ${cpu.threads()} threads`,
  );
  const net = new AptxNetwork(SEED);
  const weights = net.params().reduce((s, p) => s + p.value.length, 0);
  console.log(`APTx Neuron network ${SIZES.join(' → ')} → 10: ${weights} trainable parameters`);
  const adam = new Adam(net.params(), LR);
  const next = rng(SEED + 1);
  const perEpoch = Math.floor(data.train.n / BATCH);
  const epochs: Array<{
    epoch: number;
    lr: number;
    loss: number;
    trainAccuracy: number;
    accuracy: number;
    seconds: number;
  }> = [];
  for (let e = 0; e < EPOCHS; e++) {
    const epochStart = process.hrtime.bigint();
    adam.lr = LR * DECAY ** Math.floor(e / DECAY_EVERY);
    const order = shuffled(data.train.n, next);
    let loss = 0;
    let hits = 0;
    for (let s = 0; s < perEpoch; s++) {
      const b = batchOf(data.train, order, s * BATCH, BATCH);
      const step = net.gradients(b.x, b.y, BATCH);
      loss += step.loss;
      hits += step.hits;
      adam.update();
    }
    const trainAccuracy = (100 * hits) / (perEpoch * BATCH); // while training, as the paper counts it
    const acc = accuracy(data.test, (x, n) => net.logits(x, n));
    const seconds = elapsed(epochStart);
    epochs.push({ epoch: e + 1, lr: adam.lr, loss: loss / perEpoch, trainAccuracy, accuracy: acc, seconds });
    console.log(
      `epoch ${e + 1} (lr ${adam.lr.toExponential(2)}): loss ${(loss / perEpoch).toFixed(4)}, ` +
        `training ${trainAccuracy.toFixed(2)}%, test ${acc.toFixed(2)}% (${seconds.toFixed(1)} s)`,
    );
  }
  const seconds = elapsed(start);
  writeJson('aptx', {
    data: { train: data.train.n, test: data.test.n },
    setting: {
      seed: SEED,
      batch: BATCH,
      sizes: [...SIZES, 10],
      lr: LR,
      decay: DECAY,
      decayEvery: DECAY_EVERY,
      weights,
      normalize: { mean: MEAN, std: STD },
    },
    isa: cpu.isa(),
    threads: cpu.threads(),
    epochs,
    seconds,
  });
  console.log(`done in ${seconds.toFixed(1)} s`);
  writeResults();
}

main();
