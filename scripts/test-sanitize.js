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

// Incremental (cmake-js build, not rebuild): the flags match scripts/build/build-addon.js.
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const buildArgs = ['build', '--parallel', '2', '-B', 'RelWithDebInfo', '-O', 'build-sanitize'];
const build = spawnSync(process.execPath, [cmakeJs, ...buildArgs, '--CDAK_SANITIZE=ON', '--CDAK_CUDA=OFF'], {
  cwd: root,
  stdio: 'inherit',
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
const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
// The RSS test stays out: ASan's quarantine holds freed memory on purpose, and it is the slowest.
const testArgs = process.argv.length > 2 ? process.argv.slice(2) : ['--exclude', 'test/memory.test.ts'];
const result = spawnSync(process.execPath, [vitest, 'run', ...testArgs], {
  cwd: root,
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
