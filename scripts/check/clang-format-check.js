#!/usr/bin/env node
// Checks (or with --fix, applies) clang-format on cpp/, cuda/ and bench/peers/, using the clang-format npm
// package so that the check needs nothing outside npm.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const fix = process.argv.includes('--fix');
const files = [];
for (const dir of ['cpp', 'cuda', 'bench/peers']) {
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(h|cpp|cu|cuh)$/.test(e.name)) files.push(p);
    }
  };
  walk(path.join(root, dir));
}
const bin = require.resolve('clang-format/index.js');
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
const result = spawnSync(process.execPath, [bin, '--style=file', ...args], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('clang-format: run `npm run format` to fix the files above');
  process.exit(1);
}
console.log(`clang-format: ${files.length} files ${fix ? 'formatted' : 'clean'}`);
