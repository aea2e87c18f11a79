#!/usr/bin/env bash
# The GPU check (DESIGN §7), for a machine with an NVIDIA GPU and driver: prints nvidia-smi and
# nvcc --version, runs the GPU tests, the exhaustive 2^32-input accuracy check of every function
# forward and backward on the device, and the quick GPU benchmark; writes bench/results/.
#
# Run it from a folder made by scripts/gpu-bundle.sh (it needs neither Node.js nor network):
#   gpu-bundle/scripts/gpu-check.sh            (then copy gpu-bundle/bench/results/ back)
# From a repository checkout it makes the bundle first (needs nvcc and node here).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

if [ ! -f "$here/node.xz" ]; then
  if [ -f "$here/scripts/gpu-bundle.sh" ]; then
    "$here/scripts/gpu-bundle.sh" || exit 1
    exec "$here/gpu-bundle/scripts/gpu-check.sh" "$@"
  fi
  echo "gpu-check: node.xz missing: run this from a folder made by scripts/gpu-bundle.sh" >&2
  exit 2
fi
cd "$here"
status=0

echo "== nvidia-smi"
if command -v nvidia-smi >/dev/null; then nvidia-smi; else echo "nvidia-smi: not found"; fi
echo "== nvcc --version"
if command -v nvcc >/dev/null; then nvcc --version; else echo "nvcc: not found (not needed: the addon is prebuilt)"; fi

echo "== node"
if [ ! -x ./node ]; then
  if command -v xz >/dev/null; then
    xz -dc node.xz > node.tmp
  elif command -v python3 >/dev/null; then
    python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open('node.xz'), sys.stdout.buffer)" > node.tmp
  else
    echo "gpu-check: neither xz nor python3 is here to unpack node.xz" >&2
    exit 2
  fi
  chmod +x node.tmp && mv node.tmp node
fi
./node --version || { echo "gpu-check: the bundled node does not run on this machine ($(cat NODE_VERSION))" >&2; exit 2; }

echo "== CUDA status"
./node -e "
const s = require('./lib').cuda.status();
console.log(JSON.stringify(s, null, 2));
if (!s.available) { console.error('gpu-check: CUDA is not available here: ' + s.reason); process.exit(3); }
" || exit 3

echo "== GPU tests"
./node scripts/gpu/run-tests.js test/cuda.test.js test/cuda-accuracy.test.js || status=1

echo "== exhaustive accuracy and quick benchmark"
./node scripts/gpu/check.js "$@" || status=1

if [ -f bench/main.js ]; then
  echo "== npm run bench -- --quick (bench/main.js: GPU and CPU, writes bench/results/)"
  ./node bench/main.js --quick || status=1
fi

echo "== gpu-check: $([ $status = 0 ] && echo passed || echo FAILED); results in $here/bench/results/"
exit $status
