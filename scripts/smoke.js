#!/usr/bin/env node
// Computes with an installed copy of the package (default: this checkout) and checks the
// result against a double-precision value: used by CI after the node-gyp and npm pack builds.

const path = require('node:path');
const where = process.argv[2] || path.join(__dirname, '..');
const ak = require(where);
const x = new Float32Array([-1, 0, 1, 2]);
const y = ak.mish.forward(x);
const want = Array.from(x, (v) => v * Math.tanh(Math.log1p(Math.exp(v))));
for (let i = 0; i < x.length; i++) {
  if (Math.abs(y[i] - want[i]) > 1e-6) {
    console.error(`smoke: mish(${x[i]}) = ${y[i]}, want ${want[i]}`);
    process.exit(1);
  }
}
console.log(
  `smoke: ${where} works (isa ${ak.cpu.isa()}, cuda ${ak.cuda.status().compiled ? 'compiled' : 'not compiled'})`,
);
