#!/usr/bin/env node
// Runs test files (transpiled to CommonJS in gpu-bundle/) with the vitest shim, one test at a
// time; prints each result and exits non-zero if any failed.
//   node scripts/gpu/run-tests.js test/cuda.test.js test/cuda-accuracy.test.js

const path = require('node:path');
const { tests } = require('vitest');

async function main() {
  for (const file of process.argv.slice(2)) require(path.resolve(file));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const t of tests) {
    if (t.skip) {
      skipped++;
      console.log(`  skip  ${t.name}`);
      continue;
    }
    const start = Date.now();
    try {
      await t.body();
      passed++;
      console.log(`  ok    ${t.name} (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(
        `  FAIL  ${t.name}\n        ${String(e?.stack ?? e)
          .split('\n')
          .slice(0, 6)
          .join('\n        ')}`,
      );
    }
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

main();
