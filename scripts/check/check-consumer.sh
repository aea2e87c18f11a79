#!/usr/bin/env bash
# The strict TypeScript consumer (test/consumer/main.mts) against the package as users get it:
# npm pack, install the tarball into a fresh project, compile with module nodenext, strict,
# noUncheckedIndexedAccess and exactOptionalPropertyTypes (every @ts-expect-error line must be
# a real error), run it, and require() the package from CommonJS with its default export.
# Usage: scripts/check/check-consumer.sh [path/to/activation-kernels-x.y.z.tgz]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
tarball="${1:-}"
made=""
if [ -z "$tarball" ]; then
  tarball="$repo/$(npm pack --silent | tail -1)"
  made="$tarball"
fi
project="$(mktemp -d)"
trap 'rm -rf "$project" $made' EXIT
cd "$project"
npm init -y >/dev/null
# No install script needed: the package's prebuild for this platform loads (README, Install).
npm install --ignore-scripts --no-audit --no-fund --silent "$tarball"
# The compiler and Node's types from this checkout (no network needed).
mkdir -p node_modules/@types
ln -s "$repo/node_modules/typescript" node_modules/typescript
ln -s "$repo/node_modules/@types/node" node_modules/@types/node
cp "$repo/test/consumer/main.mts" "$repo/test/consumer/tsconfig.json" .
node node_modules/typescript/bin/tsc -p tsconfig.json
node out/main.mjs
node -e "
const ak = require('activation-kernels');
if (ak.default.mish !== ak.mish) throw new Error('CommonJS: no default export');
console.log('consumer (CommonJS): ok', JSON.stringify(ak.aptx({ beta: 2 })));
"
