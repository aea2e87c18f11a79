#!/usr/bin/env node
// `npm install` builds the addon: cmake-js with CMakeLists.txt when cmake exists (CUDA when
// nvcc is found), node-gyp with binding.gyp (CPU only) otherwise. Both give
// build/Release/activation_kernels.node, which `bindings` loads.
//   ACTIVATION_KERNELS_BUILD=gyp    force the node-gyp build
//   ACTIVATION_KERNELS_CUDA=off     leave CUDA out of the cmake build
//   ACTIVATION_KERNELS_SANITIZE=1   build with ASan + UBSan (npm run test:sanitize)

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const env = process.env;

function found(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  console.log(`activation-kernels: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`activation-kernels: the addon build failed (${command} exited with ${result.status}).`);
    process.exit(result.status || 1);
  }
}

const useGyp = env.ACTIVATION_KERNELS_BUILD === 'gyp' || !found('cmake');
if (useGyp) {
  // npm puts its bundled node-gyp on PATH for scripts and passes nodedir: no download.
  run('node-gyp', ['rebuild']);
} else {
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const defs = [];
  if ((env.ACTIVATION_KERNELS_CUDA || '').toLowerCase() === 'off') defs.push('--CDAK_CUDA=OFF');
  // The sanitizer build goes to build-sanitize/ and leaves the normal build alone.
  if (env.ACTIVATION_KERNELS_SANITIZE === '1')
    defs.push('--CDAK_SANITIZE=ON', '--CDAK_CUDA=OFF', '-B', 'RelWithDebInfo', '-O', 'build-sanitize');
  run(process.execPath, [cmakeJs, 'rebuild', '--parallel', '2', ...defs]);
}
