// The strict TypeScript consumer (test/consumer/main.mts) against this checkout's dist/ (the
// package resolves itself by name through package.json "exports"): it must compile under strict,
// noUncheckedIndexedAccess and exactOptionalPropertyTypes with module nodenext, with every
// @ts-expect-error line a real error, and run. scripts/check/check-consumer.sh does the same against
// the packed tarball installed in a fresh project.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const dir = path.join(__dirname, 'consumer');

it('a strict ESM consumer compiles (the typo cases do not) and runs', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = fs.mkdtempSync(path.join(root, 'build-consumer-'));
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--outDir', out], { stdio: 'pipe' });
    const run = execFileSync(process.execPath, [path.join(out, 'main.mjs')], { encoding: 'utf8' });
    expect(run.trim()).toBe('consumer: ok');
  } catch (e) {
    const err = e as { stdout?: Buffer | string; stderr?: Buffer | string };
    throw new Error(`${String(err.stdout ?? '')}${String(err.stderr ?? '')}`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

it('the default export is every named export, in CommonJS and ESM alike', () => {
  // In plain Node, as a user's program loads it (not through the test runner's module loader).
  const script = `
    import { createRequire } from 'node:module';
    import ak, * as ns from ${JSON.stringify(path.join(root, 'dist', 'index.mjs'))};
    const cjs = createRequire(import.meta.url)(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
    const names = Object.keys(cjs).filter((n) => n !== 'default' && n !== '__esModule');
    const bad = names.filter((n) => ak[n] !== cjs[n] || ns[n] !== cjs[n] || cjs.default[n] !== cjs[n]);
    const esmOnly = Object.keys(ns).filter((n) => !(n in cjs));
    console.log(JSON.stringify({ names: names.length, bad, esmOnly }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const r = JSON.parse(out) as { names: number; bad: string[]; esmOnly: string[] };
  expect(r.names).toBeGreaterThan(15);
  expect(r.bad).toEqual([]);
  expect(r.esmOnly).toEqual([]);
});
