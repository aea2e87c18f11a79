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
// The header: the op count and the input count (uint32 each); then per op n forward floats,
// n backward floats and three paramGrad doubles.
const sumsBytes = 24;
const ops = a.readUInt32LE(0);
const n = a.readUInt32LE(4);
// The trailer, per half-precision format: 65536 widened floats, n narrowed inputs, n checked
// narrowings of mish's forward and how many lanes the check left open, relu6's one-pass forward
// and backward of the 65536 halves: byte for byte.
const body = 8 + ops * (8 * n + sumsBytes);
const trailer = 2 * (65536 * 4 + 4 * n + 4 + 2 * 65536 * 2);
if (a.length !== body + trailer || b.readUInt32LE(0) !== ops || b.readUInt32LE(4) !== n) {
  console.error(`compare-dumps: ${fileA} and ${fileB} are not dumps of the same ops and inputs`);
  process.exit(1);
}
const same = (x, y) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
let mismatches = 0;
for (let op = 0; op < ops; op++) {
  const base = 8 + op * (8 * n + sumsBytes);
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
if (!a.subarray(body).equals(b.subarray(body))) {
  console.error('compare-dumps: the half-precision conversions differ');
  mismatches++;
}
if (mismatches) {
  console.error(`compare-dumps: ${mismatches} outputs differ between ${fileA} and ${fileB}`);
  process.exit(1);
}
console.log(
  `compare-dumps: ${fileA} and ${fileB} agree bit for bit (${ops} ops, ${n} inputs, forward, backward, paramGrad; half-precision conversions)`,
);
