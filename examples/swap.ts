// The activation swap: can a model trained with mish move to a cheaper activation by blending?
//
// For each seed (its own initialisation and batch order, shared by every method):
//   a deep, narrow MLP is trained with mish for P epochs; then, for each cheap target,
//   (i) the target swapped in at once, no training (the gap to close),
//   (ii) swap at once + fine-tune K epochs,
//   (iii) blend mish → target over the same K epochs, linear and cosine schedules (blendSchedule),
//   (iv) the target trained from scratch for the whole P + K epochs (the critic's alternative),
// beside the control: mish trained K epochs more. Then the time of a training epoch with each
// activation, measured in one go on this machine. Every activation runs in this library.
//   npm run example:swap -- --seeds 10        (writes examples/results/swap.json and results.md)
//   npm run example:swap -- --seeds 1 --pretrain 2 --budget 1 --out swap-smoke   (a smoke run)
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  type Activation,
  approxMish,
  blendSchedule,
  cpu,
  hardMish,
  hardSwish,
  linearSwish,
  mish,
  relu,
} from 'activation-kernels';
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

// relu and hardSwish: what was tried on a large Go network and found wanting; hardMish,
// approxMish and linearSwish: the stand-ins built to sit closer to mish.
export const TARGETS: ReadonlyArray<readonly [string, Activation]> = [
  ['relu', relu],
  ['hardSwish', hardSwish],
  ['hardMish', hardMish],
  ['approxMish', approxMish],
  ['linearSwish', linearSwish],
];

interface Options {
  seeds: number;
  firstSeed: number;
  pretrain: number; // P: epochs with mish before moving
  budget: number; // K: epochs every way of moving gets
  depth: number; // hidden layers
  width: number; // units per hidden layer
  batch: number;
  pretrainLr: number;
  tuneLr: number;
  timingRounds: number;
  out: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    seeds: 10,
    firstSeed: 1,
    pretrain: 8,
    budget: 3,
    depth: 8,
    width: 24,
    batch: 64,
    pretrainLr: 1e-3,
    tuneLr: 5e-4,
    timingRounds: 5,
    out: 'swap',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!(key in o) || value === undefined) throw new Error(`unknown option or missing value: ${argv[i]}`);
    const rec = o as unknown as Record<string, number | string>;
    if (key === 'out') rec[key] = value;
    else {
      const v = Number(value);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`--${key} takes a positive number: ${value}`);
      rec[key] = v;
    }
  }
  return o;
}

// 784 → width × depth → 10, the activation after each hidden layer.
export class Mlp {
  readonly layers: Dense[];
  act: Activation = mish;
  constructor(seed: number, depth: number, width: number) {
    const next = rng(seed);
    // He initialisation: N(0, 2 / fan-in), by Box-Muller
    const he = (fanIn: number) =>
      Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) * Math.sqrt(2 / fanIn);
    const sizes = [IMAGE, ...Array.from({ length: depth }, () => width), 10];
    this.layers = sizes.slice(1).map((m, k) => new Dense(sizes[k], m, he));
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

export interface EpochResult {
  epoch: number;
  loss: number; // mean training loss over the epoch's steps
  accuracy: number; // test accuracy (%) after the epoch, with the activation of its last step
  seconds: number; // training time of the epoch (forward, backward, Adam), the test pass left out
  t?: number; // the blend weight of the epoch's last step, for a blend
}

type Data = { train: Split; test: Split };

// Trains `epochs` epochs with a fresh Adam; before each step, `activationAt(step)` sets the
// activation. The batch order comes from `orderSeed`, so runs with the same seed see the same
// batches in the same order.
export function train(
  model: Mlp,
  data: Data,
  o: Options,
  epochs: number,
  lr: number,
  orderSeed: number,
  activationAt: (step: number) => Activation,
  firstEpoch: number,
): EpochResult[] {
  const adam = new Adam(model.params(), lr);
  const next = rng(orderSeed);
  const results: EpochResult[] = [];
  const perEpoch = Math.floor(data.train.n / o.batch);
  for (let e = 0; e < epochs; e++) {
    const order = shuffled(data.train.n, next);
    const start = process.hrtime.bigint();
    let loss = 0;
    for (let s = 0; s < perEpoch; s++) {
      model.act = activationAt(e * perEpoch + s);
      const b = batchOf(data.train, order, s * o.batch, o.batch);
      loss += model.gradients(b.x, b.y, o.batch);
      adam.update();
    }
    const seconds = elapsed(start);
    const acc = accuracy(data.test, (x, n) => model.logits(x, n));
    const t = model.act.params.t;
    results.push({
      epoch: firstEpoch + e,
      loss: loss / perEpoch,
      accuracy: acc,
      seconds,
      ...(t === undefined ? {} : { t }),
    });
  }
  return results;
}

interface TargetRuns {
  swap: number; // test accuracy with the target swapped in, no training
  fineTune: EpochResult[];
  blendLinear: EpochResult[];
  blendCosine: EpochResult[];
  scratch: EpochResult[]; // P + K epochs, the same schedule as mish's pretraining + control
}

export interface SeedRuns {
  seed: number;
  pretrain: EpochResult[];
  control: EpochResult[];
  targets: Record<string, TargetRuns>;
}

// Per seed: the initialisation from seed·1000 + 1, the pretraining batches from + 2, the budget's
// batches from + 3; every method of a seed reuses them.
function runSeed(seed: number, data: Data, o: Options): SeedRuns {
  const [P, K] = [o.pretrain, o.budget];
  const perEpoch = Math.floor(data.train.n / o.batch);
  const initSeed = seed * 1000 + 1;
  const preOrder = seed * 1000 + 2;
  const tuneOrder = seed * 1000 + 3;
  const model = new Mlp(initSeed, o.depth, o.width);
  const pretrain = train(model, data, o, P, o.pretrainLr, preOrder, () => mish, 1);
  const trained = model.snapshot();
  const control = train(model, data, o, K, o.tuneLr, tuneOrder, () => mish, P + 1);
  const line = (what: string, runs: EpochResult[]) =>
    `${what} ${runs[runs.length - 1].accuracy.toFixed(2)}%`.padEnd(22);
  console.log(`seed ${seed}: ${line('mish', pretrain)} ${line('control', control)}`);
  const targets: Record<string, TargetRuns> = {};
  for (const [name, target] of TARGETS) {
    model.restore(trained);
    model.act = target;
    const swap = accuracy(data.test, (x, n) => model.logits(x, n));
    const fineTune = train(model, data, o, K, o.tuneLr, tuneOrder, () => target, P + 1);
    const blends: Record<string, EpochResult[]> = {};
    for (const shape of ['linear', 'cosine'] as const) {
      model.restore(trained);
      // step s trains with t(s + 1): the last step is at t = 1, the target itself
      const schedule = blendSchedule({ from: mish, to: target, steps: K * perEpoch, shape });
      blends[shape] = train(model, data, o, K, o.tuneLr, tuneOrder, (s) => schedule.at(s + 1), P + 1);
    }
    const fresh = new Mlp(initSeed, o.depth, o.width);
    const scratch = [
      ...train(fresh, data, o, P, o.pretrainLr, preOrder, () => target, 1),
      ...train(fresh, data, o, K, o.tuneLr, tuneOrder, () => target, P + 1),
    ];
    targets[name] = { swap, fineTune, blendLinear: blends.linear, blendCosine: blends.cosine, scratch };
    console.log(
      `  ${name.padEnd(12)} swap ${swap.toFixed(2).padStart(6)}%  ${line('fine-tune', fineTune)}` +
        `${line('linear', blends.linear)}${line('cosine', blends.cosine)}${line('scratch', scratch)}`,
    );
  }
  return { seed, pretrain, control, targets };
}

export interface Timing {
  /** seconds of one training epoch (forward, backward, Adam), one entry per round */
  epoch: number[];
  /** seconds spent in the activation's own forward and backward calls over that epoch's shapes */
  activation: number[];
  /** seconds of LARGE_CALLS forwards and backwards over LARGE elements: the kernels' own speed */
  large: number[];
}

const LARGE = 1 << 20;
const LARGE_CALLS = 10;

// One training epoch per activation per round, the activations taken in turn within a round so
// that the load of a shared machine falls on all of them alike; and, apart, the activation calls
// alone, the same number on arrays of the same size as in the epoch; and calls on a large array,
// where the kernels' own speed shows rather than the cost of a call.
function timeActivations(data: Data, o: Options): Record<string, Timing> {
  const acts: Array<readonly [string, Activation]> = [['mish', mish], ...TARGETS];
  // a blend evaluates both sides: what a step of a blend costs
  acts.push(['blend mish→hardMish', blendSchedule({ from: mish, to: hardMish, steps: 2 }).at(1)]);
  const perEpoch = Math.floor(data.train.n / o.batch);
  const out: Record<string, Timing> = Object.fromEntries(
    acts.map(([n]) => [n, { epoch: [], activation: [], large: [] }]),
  );
  const next = rng(7);
  const z = Float32Array.from({ length: o.batch * o.width }, () => 4 * next() - 2);
  const dy = Float32Array.from({ length: z.length }, () => next() - 0.5);
  const zLarge = Float32Array.from({ length: LARGE }, () => 8 * next() - 4);
  const dyLarge = Float32Array.from({ length: LARGE }, () => next() - 0.5);
  for (let round = 0; round < o.timingRounds; round++) {
    for (const [name, act] of acts) {
      const model = new Mlp(99, o.depth, o.width);
      const [epoch] = train(model, data, o, 1, o.pretrainLr, 98, () => act, 1);
      out[name].epoch.push(epoch.seconds);
      const start = process.hrtime.bigint();
      for (let s = 0; s < perEpoch; s++)
        for (let k = 0; k < o.depth; k++) {
          act.forward(z);
          act.backward(z, dy);
        }
      out[name].activation.push(elapsed(start));
      const startLarge = process.hrtime.bigint();
      for (let r = 0; r < LARGE_CALLS; r++) {
        act.forward(zLarge);
        act.backward(zLarge, dyLarge);
      }
      out[name].large.push(elapsed(startLarge));
    }
    console.log(`timing round ${round + 1}/${o.timingRounds}`);
  }
  return out;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  // One thread: the arrays here are far below the size at which the library splits work, and
  // the machine is shared.
  cpu.setThreads(1);
  const start = process.hrtime.bigint();
  const data = loadMnist();
  const cpuModel =
    fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'))
      ?.split(':')[1]
      .trim() ?? os.cpus()[0]?.model;
  const machine = {
    cpu: cpuModel,
    cores: os.cpus().length,
    isa: cpu.isa(),
    threads: cpu.threads(),
    node: process.version,
    loadStart: os.loadavg(),
    loadEnd: [] as number[],
  };
  console.log(
    `mnist: ${data.train.n} training and ${data.test.n} test digits; ${machine.cpu}, isa ${machine.isa}, ` +
      `${machine.threads} thread; load ${machine.loadStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const setting = {
    ...o,
    layers: [IMAGE, ...Array.from({ length: o.depth }, () => o.width), 10],
    targets: TARGETS.map(([n]) => n),
    stepsPerEpoch: Math.floor(data.train.n / o.batch),
  };
  const seeds: SeedRuns[] = [];
  const save = (timing?: Record<string, Timing>) =>
    writeJson(o.out, {
      data: { train: data.train.n, test: data.test.n },
      setting,
      machine,
      seeds,
      timing,
      seconds: elapsed(start),
    });
  for (let s = 0; s < o.seeds; s++) {
    seeds.push(runSeed(o.firstSeed + s, data, o));
    save(); // a run cut short keeps the seeds it finished
  }
  const timing = timeActivations(data, o);
  machine.loadEnd = os.loadavg();
  save(timing);
  console.log(`done in ${elapsed(start).toFixed(1)} s; load ${machine.loadEnd.map((l) => l.toFixed(2)).join(' ')}`);
  if (o.out === 'swap') writeResults();
}

if (require.main === module) main();
