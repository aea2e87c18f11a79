#!/usr/bin/env bash
# Runs the NEON path without an arm64 machine: cross-compiles test/native/dump_kernels.cpp with
# the NEON and scalar kernels for arm64, runs it under qemu-aarch64, and checks that every output
# (forward, backward, paramGrad sums of every op) has the same bits as the x86-64 AVX2 path,
# which the test suite checks against double-precision references. NaNs compare as NaNs
# (their payload bits differ by architecture).
# Needs g++-aarch64-linux-gnu and qemu-user (Debian); installs them when apt-get can.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  if ! { apt-get update -qq && apt-get install -y -qq g++-aarch64-linux-gnu qemu-user; } >/dev/null 2>&1; then
    echo "check-neon: SKIPPED (could not install g++-aarch64-linux-gnu and qemu-user)"
    exit 0
  fi
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
flags=(-O3 -std=c++17 -ffp-contract=off -fno-math-errno)
arm=aarch64-linux-gnu-g++
$arm "${flags[@]}" -DAK_ISA_NS=neon -c cpp/cpu/isa_neon.cpp -o "$out/neon.o"
$arm "${flags[@]}" -DAK_ISA_NS=scalar -c cpp/cpu/isa_scalar.cpp -o "$out/scalar.o"
$arm "${flags[@]}" -static test/native/dump_kernels.cpp cpp/program.cpp "$out/neon.o" "$out/scalar.o" -o "$out/dump-arm64"
g++ "${flags[@]}" -mavx2 -mfma -mf16c -DAK_ISA_NS=avx2 -c cpp/cpu/isa_avx2.cpp -o "$out/avx2.o"
g++ "${flags[@]}" -DAK_ISA_NS=scalar -c cpp/cpu/isa_scalar.cpp -o "$out/scalar-x86.o"
g++ "${flags[@]}" test/native/dump_kernels.cpp cpp/program.cpp "$out/avx2.o" "$out/scalar-x86.o" -o "$out/dump-x86"
qemu-aarch64 "$out/dump-arm64" neon > "$out/neon.bin"
"$out/dump-x86" scalar > "$out/x86-scalar.bin"
if grep -q avx2 /proc/cpuinfo && grep -q fma /proc/cpuinfo; then
  "$out/dump-x86" avx2 > "$out/avx2.bin"
  node scripts/check/compare-dumps.js "$out/avx2.bin" "$out/x86-scalar.bin"
fi
node scripts/check/compare-dumps.js "$out/neon.bin" "$out/x86-scalar.bin"
