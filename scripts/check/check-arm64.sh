#!/usr/bin/env bash
# Runs an installed copy of the package on arm64 without an arm64 machine: Debian's arm64 Node.js
# under qemu-aarch64 loads the package (its linux-arm64 prebuild) and computes mish forward with
# it (scripts/check/smoke.js). The arm64 Node.js and the libraries it needs are unpacked from Debian's
# arm64 packages (apt-get download, dpkg -x) into a folder, not installed; qemu-user is installed
# with apt-get when missing, and dpkg is told about the arm64 architecture so that apt-get can
# download its packages.
#   scripts/check/check-arm64.sh node_modules/activation-kernels
#   AK_ARM64_ROOT=dir   where the arm64 Node.js is unpacked (kept for the next run)
set -euo pipefail
pkg="$(cd "${1:?usage: check-arm64.sh PACKAGE-DIR}" && pwd)"
cd "$(dirname "$0")/../.."
root="${AK_ARM64_ROOT:-/tmp/ak-arm64-node}"

if ! command -v qemu-aarch64 >/dev/null; then
  apt-get update -qq && apt-get install -y -qq qemu-user >/dev/null
fi
if [ ! -x "$root/usr/bin/node" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -qq
  # nodejs:arm64 and what it depends on: the arm64 packages and the architecture-independent
  # node-* ones (Node.js modules that Debian's Node.js loads from /usr/share/nodejs).
  mapfile -t debs < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances nodejs:arm64 |
    grep -E '^([^ <>]+:arm64|node-[^ <>:]+)$' | sort -u)
  downloads="$(mktemp -d)"
  (cd "$downloads" && apt-get download -q "${debs[@]}" 2>/dev/null >/dev/null)
  mkdir -p "$root"
  for deb in "$downloads"/*.deb; do dpkg -x "$deb" "$root"; done
  rm -rf "$downloads"
fi
# -L: the arm64 dynamic loader and libraries are looked up under $root first.
node_arm64=(qemu-aarch64 -L "$root" "$root/usr/bin/node")
echo "check-arm64: $("${node_arm64[@]}" -p 'process.platform + "-" + process.arch + " Node.js " + process.version') under $(qemu-aarch64 --version | head -1)"
"${node_arm64[@]}" scripts/check/smoke.js "$pkg" --isa neon
