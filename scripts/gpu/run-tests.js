#!/usr/bin/env node
// Runs test files (transpiled to CommonJS in gpu-bundle/) with the vitest shim, one test at a
// time; prints each result and exits non-zero if any failed. A test whose promise has not
// settled after --timeout seconds (default 120, as vitest.config.ts) fails, and so does the run
// when the event loop empties while a test is still waiting (a promise that can never settle).
// --json FILE writes the results so far after every test. --device-only skips the tests whose
// name says they run on the host (the kernels' loop and the device check's references run on
// the host, checked where the bundle was built): the GPU's time is for device work.
//   node scripts/gpu/run-tests.js [--device-only] [--timeout S] [--json FILE] test/cuda.test.js ...

const fs = require('node:fs');
const path = require('node:path');

function parse(argv) {
  const o = { timeout: 120, json: null, files: [], deviceOnly: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--device-only') o.deviceOnly = true;
    else if (argv[i] === '--timeout') o.timeout = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = argv[++i];
    else o.files.push(argv[i]);
  }
  if (!(o.timeout > 0)) throw new RangeError(`run-tests: expected a number of seconds for --timeout`);
  if (o.files.length === 0) throw new RangeError('run-tests: expected test files');
  return o;
}

const opts = parse(process.argv.slice(2));
// test/cuda.test.ts names its host-side groups "..., run on the host"
const HOST_ONLY = /run on the host/;
const { tests } = require('vitest');
const results = [];
let running = null; // the test being awaited
let finished = false;

function save() {
  if (!opts.json) return;
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  fs.writeFileSync(opts.json, `${JSON.stringify({ ...counts, finished, tests: results }, null, 2)}\n`);
}

function report(name, status, ms, error) {
  results.push({ name, status, ms, ...(error ? { error } : {}) });
  save();
}

// The event loop emptied while a test waited: its promise can never settle.
process.on('exit', (code) => {
  if (finished) return;
  const name = running ?? '(between tests)';
  console.log(`  FAIL  ${name}\n        the test's promise never settled (the event loop emptied)`);
  report(name, 'failed', null, 'the promise never settled');
  console.log(`tests: stopped at an unsettled test; ${results.filter((r) => r.status === 'passed').length} passed`);
  process.exitCode = code || 1;
});

// Resolves with the body's outcome, or rejects when it takes longer than the limit.
function withTimeout(body, seconds) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the test did not settle within ${seconds} s`)), seconds * 1e3);
  });
  return Promise.race([Promise.resolve().then(body), limit]).finally(() => clearTimeout(timer));
}

async function main() {
  for (const file of opts.files) require(path.resolve(file));
  for (const t of tests) {
    if (opts.deviceOnly && HOST_ONLY.test(t.name)) {
      console.log(`  skip  ${t.name} (host-side: checked where the bundle was built)`);
      report(t.name, 'skipped', 0);
      continue;
    }
    if (t.skip) {
      console.log(`  skip  ${t.name}`);
      report(t.name, 'skipped', 0);
      continue;
    }
    const start = Date.now();
    running = t.name;
    try {
      await withTimeout(t.body, opts.timeout);
      console.log(`  ok    ${t.name} (${Date.now() - start} ms)`);
      report(t.name, 'passed', Date.now() - start);
    } catch (e) {
      const text = String(e?.stack ?? e);
      console.log(`  FAIL  ${t.name}\n        ${text.split('\n').slice(0, 6).join('\n        ')}`);
      report(t.name, 'failed', Date.now() - start, text.split('\n')[0]);
    }
    running = null;
  }
  finished = true;
  const count = (s) => results.filter((r) => r.status === s).length;
  save();
  console.log(`tests: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  process.exit(count('failed') ? 1 : 0);
}

main().catch((e) => {
  finished = true;
  console.log(`run-tests: ${e?.stack ?? e}`);
  process.exit(1);
});
