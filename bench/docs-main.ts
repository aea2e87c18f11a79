// npm run bench:docs [-- --check]: writes docs/benchmarks.md, the speed list of docs/targets.md
// and the README's speed summary from the committed results (bench/docs.ts); with --check, writes
// nothing and exits 1 naming each file that is not what it would write.
import fs from 'node:fs';
import path from 'node:path';
import { generate, stale } from './docs';

const root = path.join(__dirname, '..');
if (process.argv.includes('--check')) {
  const files = stale(root);
  if (files.length) {
    process.stderr.write(`bench:docs: stale, run npm run bench:docs: ${files.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write('bench:docs: docs/benchmarks.md, docs/targets.md and README.md are up to date\n');
} else
  for (const [file, text] of generate(root)) {
    fs.writeFileSync(path.join(root, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
