#!/usr/bin/env node
// `npm run accuracy`: builds test/exhaustive/exhaustive.cpp (a separate program linked with the
// addon's CPU kernels, in build-exhaustive/) and checks every float32 input on every ISA path.
// Arguments pass through: `npm run accuracy -- --step 4096` samples every 4096th input.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const dir = path.join(root, 'build-exhaustive');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DAK_CUDA=OFF']);
run('cmake', ['--build', dir, '--target', 'ak_exhaustive', '--parallel', '2']);
run(path.join(dir, 'ak_exhaustive'), process.argv.slice(2));
