#!/usr/bin/env bash
# The GPU check (docs/development.md), for a machine with an NVIDIA GPU and driver but neither Node.js nor
# network: run from a folder made by scripts/gpu-bundle.sh. Stages, each with its own time limit
# inside one overall budget, each writing its results into the output folder as it finishes:
#   nvidia-smi  nvidia-smi.txt
#   node        the bundled node (node.xz), unpacked outside the bundle (a temporary folder)
#   status      cuda.status(): stops here, cleanly, when CUDA is not available
#   tests       the GPU tests (test/cuda*, test/aptx-layer-gpu*): tests.log, tests.json
#   accuracy    all 2^32 inputs of every function forward and backward on the device:
#               accuracy.log, accuracy.json
#   timings     ours at 2^24, 2^26, 2^28: timings.log, timings.json
#   torch       PyTorch's kernels at the same sizes (python3 + torch): torch.log, torch.json
#   report      gpu-check.json and gpu-check.md: ours/torch, accuracy, verdicts, stages
# and stages.tsv (name, result, seconds, exit status) as each ends; one summary line a stage.
#
#   gpu-bundle/scripts/gpu-check.sh [--out DIR] [--budget SECONDS]
# DIR defaults to $OUT/gpu-check when $OUT is set (the device machine's returned folder), else
# a new folder under ${TMPDIR:-/tmp}. The budget (default 520 s) bounds the whole run.
# From a repository checkout it makes the bundle first (needs nvcc and node here).
# Exit status: 0 every stage passed, 1 a stage failed or timed out, 2 a bad bundle, 3 no CUDA.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

if [ ! -f "$here/node.xz" ]; then
  if [ -f "$here/scripts/gpu-bundle.sh" ]; then
    bash "$here/scripts/gpu-bundle.sh" || exit 2
    exec bash "$here/gpu-bundle/scripts/gpu-check.sh" "$@"
  fi
  echo "gpu-check: node.xz missing: run this from a folder made by scripts/gpu-bundle.sh" >&2
  exit 2
fi
cd "$here"

out=""
budget=520
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --budget) budget="$2"; shift 2 ;;
    *) echo "gpu-check: unknown argument $1 (expected --out DIR, --budget SECONDS)" >&2; exit 2 ;;
  esac
done
if [ -z "$out" ]; then
  if [ -n "${OUT:-}" ]; then out="$OUT/gpu-check"; else out="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"; fi
fi
mkdir -p "$out" || exit 2
out="$(cd "$out" && pwd)"
: > "$out/stages.tsv"
started=$(date +%s)
deadline=$((started + budget))
failed=0
limit_cmd=()
if command -v timeout >/dev/null; then limit_cmd=(timeout --kill-after=5); fi

# stage NAME LIMIT COMMAND...: runs COMMAND (a program) for at most LIMIT seconds (less if the
# budget is nearly spent), its output to the terminal and NAME.log, and records the result.
stage() {
  local name=$1 limit=$2
  shift 2
  local left=$((deadline - $(date +%s)))
  [ "$limit" -gt "$left" ] && limit=$left
  if [ "$limit" -lt 5 ]; then
    printf '%s\t%s\t%s\t%s\n' "$name" "skipped (budget spent)" 0 "" >> "$out/stages.tsv"
    failed=1
    return 1
  fi
  echo "== $name (at most $limit s)"
  local t0 rc result
  t0=$(date +%s.%N)
  if [ ${#limit_cmd[@]} -gt 0 ]; then
    "${limit_cmd[@]}" "$limit" "$@" 2>&1 | tee "$out/$name.log"
  else
    "$@" 2>&1 | tee "$out/$name.log"
  fi
  rc=${PIPESTATUS[0]}
  local seconds
  seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) result=passed ;;
    124 | 137) result="timed out after $limit s" ;;
    *) result="failed (exit $rc)" ;;
  esac
  [ "$rc" = 0 ] || failed=1
  printf '%s\t%s\t%s\t%s\n' "$name" "$result" "$seconds" "$rc" >> "$out/stages.tsv"
  return "$rc"
}

summary() {
  echo "== gpu-check: one line a stage (results in $out)"
  awk -F'\t' '{ printf "stage %-9s %s (%s s)\n", $1 ":", $2, $3 }' "$out/stages.tsv"
  echo "bundle: $(du -sb "$here" | cut -f1) bytes (carried: at most 64 MiB = 67108864)"
}

nodedir="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check-node.XXXXXX")" || exit 2
trap 'rm -rf "$nodedir"' EXIT
node="$nodedir/node"

unpack_node() {
  if command -v xz >/dev/null; then
    xz -dc node.xz > "$node"
  elif command -v python3 >/dev/null; then
    python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open('node.xz'), sys.stdout.buffer)" > "$node"
  else
    echo "gpu-check: neither xz nor python3 is here to unpack node.xz"
    return 2
  fi
  chmod +x "$node" && "$node" --version || { echo "gpu-check: the bundled node does not run here ($(cat NODE_VERSION))"; return 2; }
}

show_smi() {
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi | tee "$out/nvidia-smi.txt"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv >> "$out/nvidia-smi.txt"
  else
    echo "nvidia-smi: not found" | tee "$out/nvidia-smi.txt"
  fi
}

cuda_status() {
  "$node" -e "
const s = require('./lib').cuda.status();
console.log(JSON.stringify(s, null, 2));
if (!s.available) { console.error('gpu-check: CUDA is not available here: ' + s.reason); process.exit(3); }
"
}

# The stages below that are shell functions run as `bash -c NAME` under timeout (which signals
# the whole process group when the limit is reached).
export -f show_smi unpack_node cuda_status
export out node here

echo "gpu-check: bundle $here ($(cat NODE_VERSION)), results in $out, budget $budget s"
stage nvidia-smi 15 bash -c show_smi
if ! stage node 60 bash -c unpack_node; then summary; exit 2; fi
if ! stage status 30 bash -c cuda_status; then
  echo "gpu-check: stopped: CUDA is not available here (see $out/status.log)"
  summary
  exit 3
fi
stage tests 180 "$node" scripts/gpu/run-tests.js --timeout 100 --json "$out/tests.json" \
  test/cuda.test.js test/aptx-layer-gpu.test.js test/cuda-accuracy.test.js
stage accuracy 150 "$node" scripts/gpu/check.js accuracy --out "$out"
stage timings 70 "$node" scripts/gpu/check.js timings --out "$out" --sizes 24,26,28
if command -v python3 >/dev/null; then
  stage torch 80 python3 scripts/gpu/torch_peers.py --out "$out/torch.json" --sizes 24,26,28
else
  printf '%s\t%s\t%s\t%s\n' torch "failed (no python3)" 0 "" >> "$out/stages.tsv"
  failed=1
fi
stage report 20 "$node" scripts/gpu/check.js report --out "$out"
summary
echo "gpu-check: $([ $failed = 0 ] && echo passed || echo FAILED)"
exit $failed
