#!/usr/bin/env node
// Compares two outputs of test/native/dump_kernels.cpp: the floats and the paramGrad sums must
// have the same bits, except that any NaN matches any NaN.

const fs = require('node:fs');

const [fileA, fileB] = process.argv.slice(2);
const a = fs.readFileSync(fileA);
const b = fs.readFileSync(fileB);
if (a.length !== b.length) {
  console.error(`compare-dumps: ${fileA} and ${fileB} differ in size`);
  process.exit(1);
}
const sumsBytes = 24; // three doubles after each op's forward and backward floats
const ops = 7;
const n = (a.length / ops - sumsBytes) / 8;
const same = (x, y) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
let mismatches = 0;
for (let op = 0; op < ops; op++) {
  const base = op * (8 * n + sumsBytes);
  for (let i = 0; i < 2 * n; i++) {
    const x = a.readFloatLE(base + 4 * i);
    const y = b.readFloatLE(base + 4 * i);
    if (!same(x, y) && mismatches++ < 10)
      console.error(`op ${op} ${i < n ? 'forward' : 'backward'} #${i % n}: ${x} vs ${y}`);
  }
  for (let j = 0; j < 3; j++) {
    const x = a.readDoubleLE(base + 8 * n + 8 * j);
    const y = b.readDoubleLE(base + 8 * n + 8 * j);
    if (!same(x, y) && mismatches++ < 10) console.error(`op ${op} paramGrad[${j}]: ${x} vs ${y}`);
  }
}
if (mismatches) {
  console.error(`compare-dumps: ${mismatches} outputs differ between ${fileA} and ${fileB}`);
  process.exit(1);
}
console.log(
  `compare-dumps: ${fileA} and ${fileB} agree bit for bit (${ops} ops, ${n} inputs, forward, backward, paramGrad)`,
);
