#!/usr/bin/env bash
# Builds the addon with CUDA and packs gpu-bundle/: one self-contained folder for a GPU server
# that has the NVIDIA driver but neither Node.js nor network access. Copy it there and run
#   gpu-bundle/scripts/gpu-check.sh
# It holds the addon (SASS for sm_75..sm_90 plus PTX; packed with xz, as its device code shrinks
# tenfold), the compiled package (dist/, lib/), the
# GPU tests (the layer's too) transpiled to CommonJS with a small vitest stand-in, the device
# checks, the PyTorch peer script, the bench scripts, and this machine's node binary compressed
# (node.xz; gpu-check.sh unpacks both outside the bundle). It must stay under 60 MiB: the size is
# checked here, and shown again by gpu-check.sh when it ends.
#   scripts/gpu-bundle.sh [--no-build]   --no-build packs the addon and dist/ already built
set -euo pipefail
cd "$(dirname "$0")/.."
out=gpu-bundle
build=1
case "${1:-}" in
  --no-build) build=0 ;;
  "") ;;
  *) echo "gpu-bundle: unknown argument $1 (expected --no-build)" >&2; exit 2 ;;
esac

[ -d node_modules ] || { echo "gpu-bundle: run npm ci (or npm install) first" >&2; exit 1; }
if [ $build = 1 ]; then
  command -v nvcc >/dev/null || { echo "gpu-bundle: nvcc not found; the bundle needs the CUDA build" >&2; exit 1; }
  echo "== building the addon with CUDA, and the TypeScript"
  ACTIVATION_KERNELS_CUDA=on npm run build:addon
  npm run build:ts
fi
node -e "const s = require('.').cuda.status(); if (!s.compiled) { console.error('gpu-bundle: the addon was built without CUDA'); process.exit(1); }"

echo "== packing $out/"
# the compressed node of an earlier bundle, when it is this node: compressing takes minutes
node_id="node $(node --version) ($(uname -m)) -> node.xz"
kept_node=""
if [ -f "$out/node.xz" ] && [ "$(cat "$out/NODE_VERSION" 2>/dev/null)" = "$node_id" ]; then
  kept_node="$(mktemp "${TMPDIR:-/tmp}/gpu-bundle-node.XXXXXX")"
  mv "$out/node.xz" "$kept_node"
fi
rm -rf "$out"
mkdir -p "$out/bench/results" "$out/node_modules/vitest"
xz -T2 -6 -c build/Release/activation_kernels.node > "$out/activation_kernels.node.xz"
cp -r dist package.json "$out/"
# the device tests only: test/cuda-accuracy.test.ts's 10^7-input sweeps check on the CPU, and the
# exhaustive stage covers every input on the device instead
node scripts/gpu/transpile.js "$out" lib/*.ts test/cuda.test.ts test/cuda-suite.ts \
  test/aptx-layer-gpu.test.ts test/aptx-layer-gpu-suite.ts test/aptx-layer-reference.ts reference/reference.ts reference/half.ts test/table.ts \
  test/helpers/skip.ts test/helpers/bits.ts
cp scripts/gpu/vitest-shim.js "$out/node_modules/vitest/index.js"
echo '{ "name": "vitest", "version": "0.0.0-gpu-bundle", "main": "index.js" }' > "$out/node_modules/vitest/package.json"
mkdir -p "$out/scripts/gpu"
cp scripts/gpu-check.sh "$out/scripts/"
cp scripts/gpu/run-tests.js scripts/gpu/check.js scripts/gpu/report.js scripts/gpu/torch_peers.py "$out/scripts/gpu/"
if [ -d bench ]; then
  (cd bench && find . -path ./results -prune -o -type f -print) | while read -r f; do
    mkdir -p "$out/bench/$(dirname "$f")" && cp "bench/$f" "$out/bench/$f"
  done
fi
if [ -f bench/main.ts ]; then  # npm run bench, as CommonJS, with the benchmark package
  node scripts/gpu/transpile.js "$out" bench/*.ts
  for m in benchmark/benchmark.js platform/platform.js lodash/lodash.js; do
    mkdir -p "$out/node_modules/$(dirname "$m")"
    cp "node_modules/$m" "node_modules/$(dirname "$m")/package.json" "$out/node_modules/$(dirname "$m")/"
  done
fi
if [ -n "$kept_node" ]; then
  mv "$kept_node" "$out/node.xz"
else
  xz -T2 -6 -c "$(command -v node)" > "$out/node.xz"
fi
echo "$node_id" > "$out/NODE_VERSION"

size=$(du -sb "$out" | cut -f1)
echo "gpu-bundle: $out/ is $((size / 1024 / 1024)) MiB ($size bytes)"
if [ "$size" -ge $((60 * 1024 * 1024)) ]; then
  echo "gpu-bundle: over 60 MiB" >&2
  exit 1
fi
