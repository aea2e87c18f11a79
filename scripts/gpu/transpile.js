#!/usr/bin/env node
// Transpiles TypeScript files to CommonJS next to each other under a destination folder, keeping
// their relative paths (so `import '../lib'` still resolves), without type checking.
//   node scripts/gpu/transpile.js <destination> <file.ts>...

const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const [destination, ...files] = process.argv.slice(2);
const root = path.join(__dirname, '..', '..');
for (const file of files) {
  const source = fs.readFileSync(path.join(root, file), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  const out = path.join(destination, file.replace(/\.ts$/, '.js'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
}
