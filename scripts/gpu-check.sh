#!/usr/bin/env bash
# The GPU check (docs/development.md), for a machine with an NVIDIA GPU and driver but neither Node.js nor
# network: run from a folder made by scripts/gpu-bundle.sh. Only device work runs here: what the host
# can check (the references, the kernels' loop on the host, 10^7-input sweeps against JavaScript
# references) was checked where the bundle was built, and the exhaustive device stage covers every
# float32 input. Stages, each with its own time limit; the limits add up to the budget, the
# report's share included, so a run that keeps to its limits always gets its report:
#   nvidia-smi  nvidia-smi.txt (the GPU, its driver)
#   node        the bundled node and addon (node.xz, activation_kernels.node.xz), unpacked outside
#               the bundle (a temporary folder)
#   status      cuda.status(): stops here, cleanly (exit 3), when CUDA is not available
#   tests       the GPU tests on the device (test/cuda*, test/aptx-layer-gpu*): tests.log, tests.json
#   accuracy    all 2^32 inputs of every function forward and backward on the device:
#               accuracy.log, accuracy.json (written after every pass)
#   timings     ours at 2^24, 2^26, 2^28: timings.log, timings.json (written after every size)
#   torch       PyTorch's kernels at the same sizes (python3 + torch): torch.log, torch.json;
#               without python3 or torch, or when it fails, its rows are "not measured" and
#               the run does not fail for it
#   report      gpu-check.json (the bench's results schema: npm run bench:chart draws it) and
#               gpu-check.md, from whatever stages finished; also rewritten after every stage,
#               so that a run cut short keeps a report of what it measured
# and stages.tsv (name, result, seconds, exit status), a line as each stage ends.
#
#   gpu-bundle/scripts/gpu-check.sh [--out DIR] [--budget SECONDS]
#   gpu-bundle/scripts/gpu-check.sh --plan     the stages, their limits and the budget as one
#                                              line of JSON; touches no device
# DIR defaults to $OUT/gpu-check when $OUT is set, else a new folder under ${TMPDIR:-/tmp}. The
# budget (default 330 s) bounds the whole run; a budget other than the default scales every limit.
# Exit status: 0 every stage passed, 1 a stage failed or timed out, 2 a bad bundle or arguments,
# 3 no CUDA here.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

# name:limit in seconds, in the order they run; report last, its share kept back from the others.
default_budget=330
stage_limits="nvidia-smi:10 node:20 status:15 tests:45 accuracy:120 timings:60 torch:45 report:15"

out=""
budget=$default_budget
plan=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:-}"; shift 2 ;;
    --budget) budget="${2:-}"; shift 2 ;;
    --plan) plan=1; shift ;;
    *) echo "gpu-check: unknown argument $1 (expected --out DIR, --budget SECONDS, --plan)" >&2; exit 2 ;;
  esac
done
case "$budget" in '' | *[!0-9]*) echo "gpu-check: --budget expects whole seconds, got '$budget'" >&2; exit 2 ;; esac
if [ "$budget" -lt 60 ]; then echo "gpu-check: --budget below 60 s leaves no stage its time" >&2; exit 2; fi

# limit NAME: the stage's limit in this budget (scaled down, never up, rounded down: the sum stays
# within the budget).
limit_of() {
  local pair
  for pair in $stage_limits; do
    if [ "${pair%%:*}" = "$1" ]; then
      local l=${pair#*:}
      [ "$budget" -lt "$default_budget" ] && l=$((l * budget / default_budget))
      echo "$l"
      return
    fi
  done
  echo 0
}

if [ "$plan" = 1 ]; then
  sum=0
  json=""
  for pair in $stage_limits; do
    name=${pair%%:*}
    l=$(limit_of "$name")
    sum=$((sum + l))
    json="$json${json:+,}{\"name\":\"$name\",\"limit\":$l}"
  done
  echo "{\"budget\":$budget,\"sum\":$sum,\"reserved\":{\"report\":$(limit_of report)},\"fits\":$([ $sum -le "$budget" ] && echo true || echo false),\"stages\":[$json]}"
  exit 0
fi

if [ ! -f "$here/node.xz" ]; then
  if [ -f "$here/scripts/gpu-bundle.sh" ]; then
    echo "gpu-check: this is a repository checkout, not a bundle. Make the bundle here (needs nvcc):" >&2
    echo "  scripts/gpu-bundle.sh" >&2
    echo "then copy gpu-bundle/ to the GPU machine and run gpu-bundle/scripts/gpu-check.sh there" >&2
  else
    echo "gpu-check: node.xz missing: run this from a folder made by scripts/gpu-bundle.sh" >&2
  fi
  exit 2
fi
cd "$here"

if [ -z "$out" ]; then
  if [ -n "${OUT:-}" ]; then out="$OUT/gpu-check"; else out="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"; fi
fi
mkdir -p "$out" || exit 2
out="$(cd "$out" && pwd)"
: > "$out/stages.tsv"
started=$(date +%s)
report_limit=$(limit_of report)
# every stage but the report ends by this time; the report has its share after it
deadline=$((started + budget - report_limit))
failed=0
limit_cmd=()
if command -v timeout >/dev/null; then limit_cmd=(timeout --kill-after=3); fi

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$out/stages.tsv"; }

# run_limited LIMIT LOG COMMAND...: COMMAND for at most LIMIT seconds, its output to the terminal
# and LOG; returns its exit status (124 or 137 when the limit stopped it).
run_limited() {
  local limit=$1 log=$2
  shift 2
  if [ ${#limit_cmd[@]} -gt 0 ]; then
    "${limit_cmd[@]}" "$limit" "$@" 2>&1 | tee "$log"
  else
    "$@" 2>&1 | tee "$log"
  fi
  return "${PIPESTATUS[0]}"
}

node=""
# The report from whatever is in $out now (quiet: it is rewritten after every stage).
write_report() {
  [ -n "$node" ] && [ -x "$node" ] || return 0
  local left=$(( started + budget - $(date +%s) ))
  [ "$left" -gt "$report_limit" ] && left=$report_limit
  [ "$left" -lt 2 ] && left=2
  run_limited "$left" "$out/report.log" "$node" scripts/gpu/check.js report --out "$out" > /dev/null
}

# stage NAME COMMAND...: runs COMMAND (a program) for at most the stage's limit (less if the
# budget is nearly spent), records the result, then rewrites the report. OPTIONAL=1 in the
# environment: a failure is recorded as "not measured" and does not fail the run.
stage() {
  local name=$1
  shift
  local limit left
  limit=$(limit_of "$name")
  left=$((deadline - $(date +%s)))
  [ "$limit" -gt "$left" ] && limit=$left
  if [ "$limit" -lt 3 ]; then
    record "$name" "skipped (budget spent)" 0 ""
    failed=1
    return 1
  fi
  echo "== $name (at most $limit s)"
  local t0 rc result seconds
  t0=$(date +%s.%N)
  run_limited "$limit" "$out/$name.log" "$@"
  rc=$?
  seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) result=passed ;;
    124 | 137) result="timed out after $limit s" ;;
    *) result="failed (exit $rc)" ;;
  esac
  if [ "$rc" != 0 ] && [ "${OPTIONAL:-0}" = 1 ]; then
    result="not measured ($result)"
  elif [ "$rc" != 0 ]; then
    failed=1
  fi
  record "$name" "$result" "$seconds" "$rc"
  write_report
  return "$rc"
}

summary() {
  echo "== gpu-check: one line a stage (results in $out)"
  awk -F'\t' '{ printf "stage %-11s %s (%s s)\n", $1 ":", $2, $3 }' "$out/stages.tsv"
  echo "bundle: $(du -sb "$here" | cut -f1) bytes (at most 60 MiB = 62914560)"
  echo "total: $(( $(date +%s) - started )) s of a $budget s budget"
}

# The final report, as a stage of its own (its share of the budget was kept back).
final_report() {
  [ -n "$node" ] && [ -x "$node" ] || return 0
  local t0 rc seconds
  t0=$(date +%s.%N)
  echo "== report (at most $report_limit s)"
  run_limited "$report_limit" "$out/report.log" "$node" scripts/gpu/check.js report --out "$out"
  rc=$?
  seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  [ "$rc" = 0 ] || failed=1
  record report "$([ "$rc" = 0 ] && echo passed || echo "failed (exit $rc)")" "$seconds" "$rc"
  # once more, so that gpu-check.json lists the report stage too
  [ "$rc" = 0 ] && "$node" scripts/gpu/check.js report --out "$out" > /dev/null 2>&1
}

nodedir="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check-node.XXXXXX")" || exit 2
# Interrupted (a time limit around the whole run): write the report of what finished, then stop.
trap 'echo "gpu-check: interrupted: writing the report of what finished"; write_report; rm -rf "$nodedir"; exit 1' INT TERM
trap 'rm -rf "$nodedir"' EXIT
node_path="$nodedir/node"
export ACTIVATION_KERNELS_ADDON="$nodedir/activation_kernels.node"

# FILE.xz -> DEST (xz, or python3's lzma where xz is missing)
unxz_to() {
  if command -v xz >/dev/null; then
    xz -dc "$1" > "$2"
  elif command -v python3 >/dev/null; then
    python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)" "$1" > "$2"
  else
    echo "gpu-check: neither xz nor python3 is here to unpack $1"
    return 2
  fi
}

# node and the addon (both packed with xz: the addon's device code compresses tenfold), beside
# each other outside the bundle; the library loads the addon named by ACTIVATION_KERNELS_ADDON
unpack_node() {
  unxz_to node.xz "$node_path" || return 2
  unxz_to activation_kernels.node.xz "$ACTIVATION_KERNELS_ADDON" || return 2
  chmod +x "$node_path" && "$node_path" --version || { echo "gpu-check: the bundled node does not run here ($(cat NODE_VERSION))"; return 2; }
}

show_smi() {
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi | tee "$out/nvidia-smi.txt"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv | tee -a "$out/nvidia-smi.txt"
  else
    echo "nvidia-smi: not found" | tee "$out/nvidia-smi.txt"
  fi
}

cuda_status() {
  "$node_path" -e "
const s = require('./lib').cuda.status();
console.log(JSON.stringify(s, null, 2));
if (!s.available) { console.error('gpu-check: CUDA is not available here: ' + s.reason); process.exit(3); }
"
}

torch_stage() {
  if ! command -v python3 >/dev/null; then
    echo "torch: python3 is not here"
    printf '{"peers": [], "reason": "python3 is not on this machine"}\n' > "$out/torch.json"
    return 3
  fi
  python3 scripts/gpu/torch_peers.py --out "$out/torch.json" --sizes "${GPU_CHECK_SIZES:-24,26,28}"
}

# The stages below that are shell functions run as `bash -c NAME` under timeout (which signals
# the whole process group when the limit is reached).
export -f show_smi unxz_to unpack_node cuda_status torch_stage
export out node_path here

echo "gpu-check: bundle $here ($(cat NODE_VERSION)), results in $out, budget $budget s"
stage nvidia-smi bash -c show_smi
if ! stage node bash -c unpack_node; then summary; exit 2; fi
node=$node_path
if ! stage status bash -c cuda_status; then
  echo "gpu-check: stopped: CUDA is not available here (see $out/status.log)"
  final_report
  summary
  exit 3
fi
# host-side tests are left out here (--device-only): they ran where the bundle was built
stage tests "$node" scripts/gpu/run-tests.js --device-only --timeout 40 --json "$out/tests.json" \
  test/cuda.test.js test/aptx-layer-gpu.test.js
stage accuracy "$node" scripts/gpu/check.js accuracy --out "$out"
stage timings "$node" scripts/gpu/check.js timings --out "$out" --sizes "${GPU_CHECK_SIZES:-24,26,28}"
OPTIONAL=1 stage torch bash -c torch_stage
final_report
summary
echo "gpu-check: $([ $failed = 0 ] && echo passed || echo FAILED)"
exit $failed
