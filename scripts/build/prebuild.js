#!/usr/bin/env node
// Makes the prebuilt addons that the package tarball carries, so that installing the package
// needs no compiler (run by `npm pack` through the prepack script, and by CI):
//   prebuilds/linux-x64/activation_kernels.node    every x86-64 ISA (chosen at run time) and
//                                                  CUDA (sm_75..sm_90 SASS + PTX, cudart static)
//   prebuilds/linux-arm64/activation_kernels.node  NEON, CPU only, cross-compiled with Debian's
//                                                  aarch64-linux-gnu-g++
// Both are the cmake-js build of CMakeLists.txt with AK_PORTABLE (libstdc++ and libgcc linked in,
// stripped), built in build-prebuild/<target>/. Each is checked: it may need only glibc's
// libraries, and the glibc version it needs is printed. The x64 one is loaded and run here.
//   node scripts/build/prebuild.js [linux-x64] [linux-arm64]    (default: both)
//   node scripts/build/prebuild.js --host                       see the end of this file
// Needs a linux-x64 machine with cmake, g++, nvcc (ACTIVATION_KERNELS_CUDA=off packs a linux-x64
// prebuild without CUDA) and g++-aarch64-linux-gnu; it stops, naming the command that installs
// a missing one, before building anything.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const env = process.env;
const file = 'activation_kernels.node';
// The only libraries a prebuild may load: glibc's.
const glibcLibs = /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux-[\w-]+\.so\.\d)$/;

const targets = {
  'linux-x64': {
    objdump: 'objdump',
    // users' addon: without the CUDA diagnostics (the bench's kernel timer, the accuracy checks)
    defs: [
      (env.ACTIVATION_KERNELS_CUDA || '').toLowerCase() === 'off' ? '--CDAK_CUDA=OFF' : '--CDAK_CUDA_REQUIRED=ON',
      '--CDAK_DIAGNOSTICS=OFF',
    ],
  },
  'linux-arm64': {
    compiler: 'aarch64-linux-gnu-g++',
    objdump: 'aarch64-linux-gnu-objdump',
    defs: [
      '--CDAK_CUDA=OFF',
      '--CDCMAKE_SYSTEM_NAME=Linux',
      '--CDCMAKE_SYSTEM_PROCESSOR=aarch64',
      '--CDCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++',
    ],
  },
};

function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr || ''}`);
  return result.stdout;
}

function found(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

// Every tool the wanted targets need, checked before anything is built: a missing one stops
// the pack with the command that installs it. Packing never installs system packages itself.
function checkTools(wanted) {
  const cudaOff = (env.ACTIVATION_KERNELS_CUDA || '').toLowerCase() === 'off';
  const needs = [
    ['cmake', 'apt-get install cmake'],
    ['g++', 'apt-get install g++'],
    ['objdump', 'apt-get install binutils'],
  ];
  if (wanted.includes('linux-x64') && !cudaOff)
    needs.push([
      'nvcc',
      'install the CUDA toolkit (https://developer.nvidia.com/cuda-downloads), or set ACTIVATION_KERNELS_CUDA=off for a linux-x64 prebuild without CUDA',
    ]);
  if (wanted.includes('linux-arm64'))
    needs.push(
      ['aarch64-linux-gnu-g++', 'apt-get install g++-aarch64-linux-gnu'],
      ['aarch64-linux-gnu-objdump', 'apt-get install binutils-aarch64-linux-gnu'],
    );
  const missing = needs.filter(([command]) => !found(command));
  if (missing.length)
    fail(
      `missing ${missing.map(([c]) => c).join(', ')}; the prebuilds (${wanted.join(', ')}) need them:\n` +
        missing.map(([c, how]) => `  ${c}: ${how}`).join('\n'),
    );
}

// NEEDED libraries and the highest GLIBC_x.y symbol version, from the dynamic section.
function inspect(target, addon) {
  const { objdump } = targets[target];
  const needed = [...run(objdump, ['-p', addon]).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
  const versions = [...run(objdump, ['-T', addon]).matchAll(/\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) =>
    m.slice(1).map((v) => Number(v || 0)),
  );
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const top = versions[versions.length - 1];
  return { needed, glibc: top ? top.filter((v, i) => i < 2 || v > 0).join('.') : 'none' };
}

function build(target) {
  const out = path.join('build-prebuild', target);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const jobs = String(Number(env.ACTIVATION_KERNELS_JOBS) || 2);
  console.log(`prebuild: ${target}: cmake-js rebuild -O ${out} ${targets[target].defs.join(' ')}`);
  const result = spawnSync(
    process.execPath,
    [cmakeJs, 'rebuild', '--parallel', jobs, '-O', out, '--CDAK_PORTABLE=ON', ...targets[target].defs],
    { cwd: root, env, stdio: ['ignore', env.ACTIVATION_KERNELS_VERBOSE ? 'inherit' : 'ignore', 'inherit'] },
  );
  if (result.status !== 0) fail(`${target}: the build failed (cmake-js exited with ${result.status})`);
  const dest = path.join(root, 'prebuilds', target, file);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(path.join(root, out, 'Release', file), dest);

  const { needed, glibc } = inspect(target, dest);
  const foreign = needed.filter((lib) => !glibcLibs.test(lib));
  if (foreign.length) fail(`${target}: the addon needs ${foreign.join(', ')}, not only glibc`);
  const mib = (fs.statSync(dest).size / 2 ** 20).toFixed(1);
  console.log(
    `prebuild: ${target}: prebuilds/${target}/${file}, ${mib} MiB, needs glibc >= ${glibc} (${needed.join(' ')})`,
  );
  if (target === `${process.platform}-${process.arch}`) check(dest, target);
}

// Loads the addon here and computes with it (in a child: a failed load must not hide behind a
// cached module).
function check(addon, target) {
  const wantCuda = !targets[target].defs.includes('--CDAK_CUDA=OFF');
  const code = `
    const n = require(${JSON.stringify(addon)});
    const x = new Float32Array([-1, 0, 1, 2]), out = new Float32Array(4);
    n.forward(new Float64Array([1, 0, 0, 0]), x, out); // [Op::Mish, unused parameters]
    const want = Array.from(x, (v) => v * Math.tanh(Math.log1p(Math.exp(v))));
    if (out.some((y, i) => Math.abs(y - want[i]) > 1e-6)) throw new Error('mish gave ' + out);
    const cuda = typeof n.cudaStatus === 'function';
    if (cuda !== ${wantCuda}) throw new Error('CUDA compiled: ' + cuda);
    console.log('prebuild: ${target}: loads and computes here (isa ' + n.isa() + ', CUDA ' + (cuda ? 'compiled in' : 'not compiled') + ')');`;
  const result = spawnSync(process.execPath, ['-e', code], { stdio: 'inherit' });
  if (result.status !== 0) fail(`${target}: the prebuild does not work here`);
}

// --host (the prepare script): where this checkout has built its own addon (a developer's
// `npm install`, or npm preparing a git dependency) and no prebuild for this platform is there,
// the local build is copied to prebuilds/<platform>-<arch>/, so that a package npm packs from a
// git clone carries the addon it built. `npm pack` builds the real prebuilds first (prepack).
function host() {
  const local = path.join(root, 'build', 'Release', file);
  const dest = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, file);
  if (!fs.existsSync(local) || fs.existsSync(dest)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(local, dest);
  console.log(`prebuild: copied build/Release/${file} to ${path.relative(root, dest)}`);
}

const args = process.argv.slice(2);
if (args.includes('--host')) {
  host();
} else {
  if (`${process.platform}-${process.arch}` !== 'linux-x64') fail('the prebuilds are made on linux-x64');
  const wanted = args.length ? args : Object.keys(targets);
  for (const target of wanted)
    if (!targets[target]) fail(`unknown target ${target} (${Object.keys(targets).join(', ')})`);
  checkTools(wanted);
  for (const target of wanted) build(target);
}
