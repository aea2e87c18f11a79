#!/usr/bin/env node
// The install script, and `npm run build:addon`. On install from a package (a tarball, or one npm
// packed from git), the prebuilt addon for this platform (prebuilds/<platform>-<arch>/, made by
// scripts/build/prebuild.js) is used when it loads here, and nothing is built. Otherwise (no matching
// prebuild, a development checkout, `npm run build:addon`, `npm rebuild`, or when asked) the addon
// is built from source into build/Release/activation_kernels.node, which the loader prefers:
// cmake-js with CMakeLists.txt when cmake and cmake-js are there (CUDA when nvcc is found),
// node-gyp with binding.gyp (CPU only; npm ships node-gyp) otherwise.
//   ACTIVATION_KERNELS_BUILD_FROM_SOURCE=1  build from source even where a prebuild loads
//   ACTIVATION_KERNELS_BUILD=gyp            force the node-gyp build
//   ACTIVATION_KERNELS_CUDA=off             leave CUDA out of the cmake build
//   ACTIVATION_KERNELS_SANITIZE=1           build with ASan + UBSan (npm run test:sanitize)

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const env = process.env;
const say = (line) => console.log(`activation-kernels: ${line}`);

function found(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(command, args) {
  say(`${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`activation-kernels: the addon build failed (${command} exited with ${result.status}).`);
    process.exit(result.status || 1);
  }
}

// null when the prebuild for this platform loads here (in a child process), else why not.
function prebuildProblem() {
  const target = `${process.platform}-${process.arch}`;
  const file = path.join(root, 'prebuilds', target, 'activation_kernels.node');
  if (!fs.existsSync(file)) return `no prebuilt addon for ${target}`;
  const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)}).isa()`], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  const reason = (probe.stderr || '').split('\n').find((line) => /Error/.test(line)) || `exit ${probe.status}`;
  return `the prebuilt addon for ${target} does not load here (${reason.trim()})`;
}

function resolves(name) {
  try {
    return require.resolve(name, { paths: [root] });
  } catch {
    return null;
  }
}

// A package install (not a development checkout, which has .git) uses the prebuild when one loads.
const installing = env.npm_lifecycle_event === 'install';
const checkout = fs.existsSync(path.join(root, '.git'));
const asked = env.ACTIVATION_KERNELS_BUILD_FROM_SOURCE === '1' || env.npm_command === 'rebuild';
if (installing && !checkout && !asked) {
  const problem = prebuildProblem();
  if (!problem) {
    say(`using the prebuilt addon prebuilds/${process.platform}-${process.arch}/ (nothing to build)`);
    process.exit(0);
  }
  say(`${problem}: building it from source`);
}

const cmakeJs = resolves('cmake-js/bin/cmake-js');
const useGyp = env.ACTIVATION_KERNELS_BUILD === 'gyp' || !found('cmake') || !cmakeJs;
if (useGyp) {
  const why =
    env.ACTIVATION_KERNELS_BUILD === 'gyp' ? 'ACTIVATION_KERNELS_BUILD=gyp' : cmakeJs ? 'no cmake' : 'no cmake-js';
  say(`building from source with node-gyp, CPU only (${why})`);
  // npm puts its bundled node-gyp on PATH for scripts and passes nodedir: no download.
  run('node-gyp', ['rebuild']);
} else {
  const defs = [];
  const cudaOff = (env.ACTIVATION_KERNELS_CUDA || '').toLowerCase() === 'off';
  if (cudaOff) defs.push('--CDAK_CUDA=OFF');
  say(`building from source with cmake-js (${cudaOff ? 'CUDA off' : 'CUDA when nvcc is found'})`);
  // The sanitizer build goes to build-sanitize/ and leaves the normal build alone.
  if (env.ACTIVATION_KERNELS_SANITIZE === '1')
    defs.push('--CDAK_SANITIZE=ON', '--CDAK_CUDA=OFF', '-B', 'RelWithDebInfo', '-O', 'build-sanitize');
  run(process.execPath, [cmakeJs, 'rebuild', '--parallel', '2', ...defs]);
}
