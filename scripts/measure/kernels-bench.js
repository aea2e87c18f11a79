#!/usr/bin/env node
// `npm run bench:kernels`: builds bench/native/kernels_bench.cpp (a separate program linked with
// the addon's CPU kernels, in build-exhaustive/, beside the exhaustive check) and runs it.
// Arguments pass through: `npm run bench:kernels -- --sizes 20 --only mish,silu --isa avx512`.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const dir = path.join(root, 'build-exhaustive');

function run(command, args, quiet) {
  const result = spawnSync(command, args, { cwd: root, stdio: quiet ? ['inherit', 'ignore', 'inherit'] : 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DAK_CUDA=OFF'], true);
run('cmake', ['--build', dir, '--target', 'ak_kernels_bench', '--parallel', '2'], true);
run(path.join(dir, 'ak_kernels_bench'), process.argv.slice(2));
