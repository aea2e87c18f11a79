#!/usr/bin/env node
// The sizes README.md states for the package (between its pack-size markers) against a packed
// tarball: the .tgz itself and each prebuilt addon unpacked. CI runs it after `npm pack`, so the
// README cannot keep a size the package no longer has.
//   node scripts/check/check-pack-size.js activation-kernels-<version>.tgz           check (exit 1 when off)
//   node scripts/check/check-pack-size.js activation-kernels-<version>.tgz --write   rewrite the README's line
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const BEGIN = '<!-- pack-size:begin (node scripts/check/check-pack-size.js <tarball> --write) -->';
const END = '<!-- pack-size:end -->';
// A rebuild with another compiler or CUDA version moves the sizes a little; more than this is news.
const TOLERANCE = 0.05;

/** The sentence the README carries for a tarball of `bytes` with these addons (bytes unpacked). */
function sentence(bytes, addons) {
  const mb = (bytes / 1e6).toFixed(1);
  const each = addons.map((a) => `${a.target} ${(a.bytes / 2 ** 20).toFixed(1)} MiB`).join(', ');
  return `the tarball is ${mb} MB; unpacked, its prebuilt addons are ${each}`;
}

/** The numbers of a sentence, in order: the tarball's MB, then each addon's MiB. */
const numbers = (text) => [...text.matchAll(/(\d+\.\d+) (?:MB|MiB)/g)].map((m) => Number(m[1]));

function measure(tarball) {
  const listing = spawnSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
  if (listing.status !== 0) throw new Error(`tar -tvzf ${tarball}: ${listing.stderr}`);
  const addons = [];
  for (const line of listing.stdout.split('\n')) {
    const m = /\s(\d+)\s+\S+\s+\S+\s+package\/prebuilds\/([\w-]+)\/activation_kernels\.node$/.exec(line);
    if (m) addons.push({ target: m[2], bytes: Number(m[1]) });
  }
  addons.sort((a, b) => a.target.localeCompare(b.target));
  return { bytes: fs.statSync(tarball).size, addons };
}

function main() {
  const [tarball, flag] = process.argv.slice(2);
  if (!tarball) {
    console.error('usage: node scripts/check/check-pack-size.js <tarball> [--write]');
    process.exit(2);
  }
  const readmePath = path.join(__dirname, '..', '..', 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const b = readme.indexOf(BEGIN);
  const e = readme.indexOf(END);
  if (b < 0 || e < b) {
    console.error(`check-pack-size: README.md lacks the markers ${BEGIN} ... ${END}`);
    process.exit(1);
  }
  const { bytes, addons } = measure(tarball);
  const want = sentence(bytes, addons);
  if (flag === '--write') {
    fs.writeFileSync(readmePath, readme.slice(0, b + BEGIN.length) + want + readme.slice(e));
    console.log(`check-pack-size: README.md now says: ${want}`);
    return;
  }
  const stated = readme.slice(b + BEGIN.length, e);
  const said = numbers(stated);
  const is = numbers(want);
  const off = said.length !== is.length || said.some((v, i) => Math.abs(v - is[i]) > TOLERANCE * Math.max(is[i], 0.1));
  if (off) {
    console.error(
      `check-pack-size: README.md says "${stated}", ${path.basename(tarball)} has "${want}";\n` +
        `  run: node scripts/check/check-pack-size.js ${tarball} --write`,
    );
    process.exit(1);
  }
  console.log(`check-pack-size: README.md matches ${path.basename(tarball)}: ${want}`);
}

main();
