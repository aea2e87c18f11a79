#!/usr/bin/env node
// `npm run test:sanitize`: builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer
// into build-sanitize/ (the normal build is untouched) and runs the test suite against it.
// Node itself is not instrumented, so libasan is preloaded and leak checking is off (Node's own
// allocations at exit would drown the report); every ASan or UBSan finding aborts the test run.
// Arguments pass through to vitest: `npm run test:sanitize -- test/fuzz.test.ts`.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const addon = path.join(root, 'build-sanitize', 'RelWithDebInfo', 'activation_kernels.node');

const build = spawnSync(process.execPath, [path.join(__dirname, 'build-addon.js')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ACTIVATION_KERNELS_SANITIZE: '1', ACTIVATION_KERNELS_BUILD: '' },
});
if (build.status !== 0 || !fs.existsSync(addon)) process.exit(build.status || 1);

const libasan = execFileSync('g++', ['-print-file-name=libasan.so']).toString().trim();
const env = {
  ...process.env,
  ACTIVATION_KERNELS_ADDON: addon,
  LD_PRELOAD: libasan,
  ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:halt_on_error=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};
const vitest = require.resolve('vitest/vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
