// Redraws the chart (and the Markdown file that shows it) of saved results: for each
// bench/results/<name>.json given, writes <name>.svg and <name>.md beside it, the targets judged
// as docs/targets.md has them now (the JSON keeps the verdicts of its own day). Usage:
//   npm run bench:chart -- bench/results/<name>.json [...]
import fs from 'node:fs';
import path from 'node:path';
import { judged } from './docs';
import { markdownReport } from './format';
import { checkSchema, type Results } from './results';
import { chart } from './svg';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run bench:chart -- bench/results/<name>.json [...]\n');
  process.exit(2);
}
for (const file of files) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
  checkSchema(doc);
  doc.verdicts = judged(doc);
  const base = file.replace(/\.json$/, '');
  fs.writeFileSync(`${base}.svg`, chart(doc));
  fs.writeFileSync(`${base}.md`, markdownReport(doc, `${path.basename(base)}.svg`));
  process.stdout.write(`wrote ${base}.{svg,md}\n`);
}
