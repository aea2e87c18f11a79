// Experiment (a): an MLP trained with mish, then moved to hardMish and to relu
//   (i) by swapping the activation at once, (ii) by swapping and fine-tuning for k epochs,
//   (iii) by blending t from 0 to 1 over the same k epochs (linear and cosine schedules),
// and, as a control, mish trained for the same k epochs more. Seeded: every run is the same.
//   npm run example:swap     (writes examples/results/swap.json and examples/results.md)
import { type Activation, blendSchedule, cpu, hardMish, mish, relu } from 'activation-kernels';
import {
  Adam,
  accuracy,
  batchOf,
  crossEntropy,
  Dense,
  elapsed,
  IMAGE,
  loadMnist,
  rng,
  type Split,
  shuffled,
  writeJson,
} from './common';
import { writeResults } from './report';

const SEED = 1;
const BATCH = 64;
const PRETRAIN_EPOCHS = 8;
const K = 3; // the budget of every way of moving to the new activation, in epochs
const PRETRAIN_LR = 1e-3;
const TUNE_LR = 5e-4;

// 784 → 128 → 64 → 10, the activation after each hidden layer.
class Mlp {
  readonly layers: Dense[];
  act: Activation = mish;
  constructor(seed: number) {
    const next = rng(seed);
    // He initialisation: N(0, 2 / fan-in), by Box-Muller
    const he = (fanIn: number) =>
      Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) * Math.sqrt(2 / fanIn);
    this.layers = [new Dense(IMAGE, 128, he), new Dense(128, 64, he), new Dense(64, 10, he)];
  }

  logits(x: Float32Array, batch: number): Float32Array {
    let h: Float32Array = x;
    this.layers.forEach((layer, k) => {
      const z = layer.forward(h, batch);
      h = k < this.layers.length - 1 ? this.act.forward(z) : z;
    });
    return h;
  }

  // One step of gradients for a batch; returns the loss.
  gradients(x: Float32Array, y: Uint8Array, batch: number): number {
    const inputs: Float32Array[] = [];
    const zs: Float32Array[] = [];
    let h: Float32Array = x;
    this.layers.forEach((layer, k) => {
      inputs.push(h);
      const z = layer.forward(h, batch);
      zs.push(z);
      h = k < this.layers.length - 1 ? this.act.forward(z) : z;
    });
    const { loss, grad } = crossEntropy(h, y, batch);
    let d: Float32Array = grad;
    for (let k = this.layers.length - 1; k >= 0; k--) {
      if (k < this.layers.length - 1) d = this.act.backward(zs[k], d);
      const dx = this.layers[k].backward(inputs[k], d, batch, k > 0); // no gradient for the pixels
      if (dx) d = dx;
    }
    return loss;
  }

  params() {
    return this.layers.flatMap((l) => l.params());
  }

  snapshot(): Float32Array[] {
    return this.params().map((p) => p.value.slice());
  }

  restore(saved: Float32Array[]): void {
    this.params().forEach((p, k) => {
      p.value.set(saved[k]);
    });
  }
}

interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  t?: number;
}

// Trains `epochs` epochs; before each step, `activationAt(step)` sets the activation. The batch
// order comes from `seed`, so runs with the same seed see the same batches.
function train(
  model: Mlp,
  data: { train: Split; test: Split },
  epochs: number,
  lr: number,
  seed: number,
  activationAt: (step: number) => Activation,
  firstEpoch = 1,
): EpochResult[] {
  const adam = new Adam(model.params(), lr);
  const next = rng(seed);
  const results: EpochResult[] = [];
  const perEpoch = Math.floor(data.train.n / BATCH);
  for (let e = 0; e < epochs; e++) {
    const order = shuffled(data.train.n, next);
    let loss = 0;
    for (let s = 0; s < perEpoch; s++) {
      model.act = activationAt(e * perEpoch + s);
      const b = batchOf(data.train, order, s * BATCH, BATCH);
      loss += model.gradients(b.x, b.y, BATCH);
      adam.update();
    }
    const acc = accuracy(data.test, (x, n) => model.logits(x, n));
    const t = model.act.params.t;
    results.push({ epoch: firstEpoch + e, loss: loss / perEpoch, accuracy: acc, ...(t === undefined ? {} : { t }) });
    console.log(`  epoch ${firstEpoch + e}: loss ${(loss / perEpoch).toFixed(4)}, test ${acc.toFixed(2)}%`);
  }
  return results;
}

function main(): void {
  const start = process.hrtime.bigint();
  const data = loadMnist();
  const perEpoch = Math.floor(data.train.n / BATCH);
  console.log(`mnist: ${data.train.n} training and ${data.test.n} test digits; isa ${cpu.isa()}`);

  const model = new Mlp(SEED);
  console.log(`mish, ${PRETRAIN_EPOCHS} epochs (Adam ${PRETRAIN_LR})`);
  const pretrain = train(model, data, PRETRAIN_EPOCHS, PRETRAIN_LR, SEED + 1, () => mish);
  const trained = model.snapshot();
  const after = PRETRAIN_EPOCHS + 1;

  console.log(`control: mish, ${K} more epochs`);
  const control = train(model, data, K, TUNE_LR, SEED + 2, () => mish, after);

  const targets: Record<string, unknown> = {};
  for (const [name, target] of [
    ['hardMish', hardMish],
    ['relu', relu],
  ] as const) {
    model.restore(trained);
    model.act = target;
    const swap = accuracy(data.test, (x, n) => model.logits(x, n));
    console.log(`${name}: swapped at once: test ${swap.toFixed(2)}%`);
    console.log(`${name}: swap + fine-tune ${K} epochs`);
    const fineTune = train(model, data, K, TUNE_LR, SEED + 2, () => target, after);
    const blends: Record<string, EpochResult[]> = {};
    for (const shape of ['linear', 'cosine'] as const) {
      model.restore(trained);
      // step s trains with t(s + 1): the last step is at t = 1, the target itself
      const schedule = blendSchedule({ from: mish, to: target, steps: K * perEpoch, shape });
      console.log(`${name}: blend mish → ${name}, ${shape}, over ${K} epochs`);
      blends[shape] = train(model, data, K, TUNE_LR, SEED + 2, (s) => schedule.at(s + 1), after);
    }
    targets[name] = { swap, fineTune, blendLinear: blends.linear, blendCosine: blends.cosine };
  }

  const seconds = elapsed(start);
  writeJson('swap', {
    data: { train: data.train.n, test: data.test.n },
    setting: {
      seed: SEED,
      batch: BATCH,
      layers: [IMAGE, 128, 64, 10],
      pretrainEpochs: PRETRAIN_EPOCHS,
      pretrainLr: PRETRAIN_LR,
      budgetEpochs: K,
      tuneLr: TUNE_LR,
      isa: cpu.isa(),
      threads: cpu.threads(),
    },
    pretrain,
    control,
    targets,
    seconds,
  });
  console.log(`done in ${seconds.toFixed(1)} s`);
  writeResults();
}

main();
