#!/usr/bin/env node
// Part of `npm run lint`: every file or section a comment or doc names exists. It reads the
// tracked sources and docs, and fails on
//   - a path into the repository (cpp/ops.h, docs/targets.md, ../../cpp/program.h) that is not
//     a file or folder of it;
//   - a Markdown link to a page of the repository that is missing, or to a heading (#anchor) that
//     page does not have;
//   - a citation of the design brief that lives outside the repository (its section marks).
// Generated output (build folders, prebuilds, results) and the changelog (history) are not read.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const TEXT = /\.(ts|mts|js|cjs|mjs|cpp|h|cu|cuh|md|sh|py|cmake|gyp)$|(^|\/)CMakeLists\.txt$|^\.ci\/run$/;
const SKIP = /^(CHANGELOG\.md|bench\/results\/|examples\/results\/|test\/fixtures\/)/;
const TOP = 'cpp|cuda|lib|binding|test|bench|scripts|docs|report|examples|reference|\\.ci';
// A path: a top folder of the repository, then name characters; not part of a longer word or URL.
const PATH = new RegExp(`(?<![\\w@.:/-])(?:\\.\\.?/)*((?:${TOP})/[\\w.-]*(?:/[\\w.-]+)*)`, 'g');
const LINK = /\]\(([^)\s]+)\)/g;
const BRIEF = ['DESIGN', '§'].join(' ');

const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && TEXT.test(f) && !SKIP.test(f) && fs.existsSync(path.join(root, f)));

// A module path may leave out its extension (TypeScript imports); a .js file may be named for
// the .ts it is compiled from (the GPU bundle runs the tests transpiled).
function exists(named) {
  const candidates = [named, ...['.ts', '.js', '.mts'].map((e) => named + e), named.replace(/\.js$/, '.ts')];
  return candidates.some((c) => fs.existsSync(path.join(root, c)));
}

// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
const anchor = (heading) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchors = new Map();
function anchorsOf(file) {
  if (!anchors.has(file)) {
    const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    anchors.set(file, new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]))));
  }
  return anchors.get(file);
}

const problems = [];
for (const file of files) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  text.split('\n').forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    if (line.includes(BRIEF)) problems.push(`${at}: cites "${BRIEF}", which is not in the repository`);
    for (const m of line.matchAll(PATH)) {
      const next = line[(m.index ?? 0) + m[0].length];
      if (next !== undefined && '*<{$'.includes(next)) continue; // a pattern, not a path
      const named = m[1].replace(/[.]+$/, '');
      if (!exists(named)) problems.push(`${at}: names ${named}, which does not exist`);
    }
    // a template's links are relative to the page it becomes, not to itself
    if (!file.endsWith('.md') || file.endsWith('.template.md')) return;
    for (const m of line.matchAll(LINK)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // a URL
      const [page, hash] = target.split('#');
      const resolved = page ? path.join(root, path.dirname(file), page) : path.join(root, file);
      if (!fs.existsSync(resolved)) problems.push(`${at}: links to ${target}, which does not exist`);
      else if (hash && resolved.endsWith('.md') && !anchorsOf(resolved).has(hash))
        problems.push(`${at}: links to ${target}, a heading that page does not have`);
    }
  });
}
if (problems.length) {
  console.error(`check-references: ${problems.length} missing:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`check-references: ${files.length} files, every named file and section exists`);
