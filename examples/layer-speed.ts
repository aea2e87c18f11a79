// Throughput of the APTx Neuron layer at the size of the paper's first layer (B 64, d 784, m 128),
// on 1 and 2 threads. One "element" is one (b, j, i) term, i.e. one tanh: B·m·d per pass.
//   npm run example:layer-speed
import { aptxLayer, cpu } from 'activation-kernels';

const [batch, inputs, outputs] = [64, 784, 128];
const layer = aptxLayer({ inputs, outputs, seed: 1 });
const x = Float32Array.from({ length: batch * inputs }, (_, i) => ((i * 7919) % 1000) / 500 - 1);
const dy = Float32Array.from({ length: batch * outputs }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
const elements = batch * inputs * outputs;

// Median of `runs` timings, after a warm-up.
function seconds(f: () => void, runs = 15): number {
  f();
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return t.sort((a, b) => a - b)[runs >> 1];
}

console.log(`APTx Neuron layer B ${batch}, d ${inputs}, m ${outputs}: ${elements} elements per pass, isa ${cpu.isa()}`);
console.log('threads | forward ms | forward Gelem/s | backward ms | backward Gelem/s');
const saved = cpu.threads();
for (const threads of [1, 2]) {
  cpu.setThreads(threads);
  const f = seconds(() => layer.forward(x, batch));
  const b = seconds(() => layer.backward(x, dy, batch));
  const row = [threads, f * 1e3, elements / f / 1e9, b * 1e3, elements / b / 1e9];
  console.log(row.map((v, i) => (i === 0 ? String(v) : v.toFixed(i % 2 ? 2 : 3))).join(' | '));
}
cpu.setThreads(saved);
