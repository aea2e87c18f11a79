#!/usr/bin/env node
// Computes with an installed copy of the package (default: this checkout) and checks the
// result against a double-precision value: used by CI after the node-gyp and npm pack builds,
// and under qemu for the arm64 prebuild (scripts/check/check-arm64.sh).
//   node scripts/check/smoke.js [PACKAGE-DIR] [--cuda-compiled] [--isa NAME]
//     --cuda-compiled  fail unless cuda.status().compiled (the linux-x64 prebuild has CUDA)
//     --isa NAME       fail unless the SIMD path in use is NAME

const path = require('node:path');
const args = process.argv.slice(2);
const flag = (name) => args.indexOf(name);
const isa = flag('--isa') >= 0 ? args[flag('--isa') + 1] : undefined;
const where = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--isa') || path.join(__dirname, '..', '..');

function fail(message) {
  console.error(`smoke: ${message}`);
  process.exit(1);
}

const ak = require(where);
const x = new Float32Array([-1, 0, 1, 2]);
const y = ak.mish.forward(x);
const want = Array.from(x, (v) => v * Math.tanh(Math.log1p(Math.exp(v))));
for (let i = 0; i < x.length; i++) {
  if (Math.abs(y[i] - want[i]) > 1e-6) fail(`mish(${x[i]}) = ${y[i]}, want ${want[i]}`);
}
const cuda = ak.cuda.status();
if (flag('--cuda-compiled') >= 0 && !cuda.compiled) fail(`CUDA is not compiled in: ${cuda.reason}`);
if (isa && ak.cpu.isa() !== isa) fail(`the SIMD path is ${ak.cpu.isa()}, want ${isa}`);
console.log(
  `smoke: ${where} works on ${process.platform}-${process.arch} (isa ${ak.cpu.isa()}, ` +
    `cuda ${cuda.compiled ? 'compiled' : 'not compiled'}${cuda.compiled ? `, ${cuda.available ? 'available' : `unavailable: ${cuda.reason}`}` : ''})`,
);
