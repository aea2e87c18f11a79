// The loader (lib/native.ts, README: Install): the local build first, then the prebuild for this
// platform and architecture; when none loads, one error that lists each file with the reason and
// says what to run. Each case is a package folder (the built dist/ and some addon files) loaded
// by a fresh node.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const addon = path.join(root, 'build', 'Release', 'activation_kernels.node');
const target = `${process.platform}-${process.arch}`;
const local = path.join('build', 'Release', 'activation_kernels.node');
const prebuild = path.join('prebuilds', target, 'activation_kernels.node');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ak-loader-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

// A package folder holding dist/ and, at each given path, a copy of the built addon or the text.
function pkg(name: string, files: Record<string, 'addon' | string>): string {
  const dir = path.join(temp, name);
  fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    if (content === 'addon') fs.copyFileSync(addon, path.join(dir, file));
    else fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

// mish(1) from the package in dir, or the loader's error message.
function mishOfOne(dir: string): { value?: number; error?: string } {
  const env = { ...process.env };
  delete env.ACTIVATION_KERNELS_ADDON;
  const script = `
    try { console.log(JSON.stringify({ value: require(process.argv[1]).mish.forward(new Float32Array([1]))[0] })); }
    catch (e) { console.log(JSON.stringify({ error: e.message })); }`;
  const r = spawnSync(process.execPath, ['-e', script, path.join(dir, 'dist', 'index.js')], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const mish1 = Math.tanh(Math.log1p(Math.E));

describe('the loader', () => {
  it('loads the prebuild for this platform when there is no local build', () => {
    const { value, error } = mishOfOne(pkg('prebuild-only', { [prebuild]: 'addon' }));
    expect(error).toBeUndefined();
    expect(Math.abs((value as number) - mish1)).toBeLessThan(1e-6);
  });

  it('loads the local build, and goes on to the prebuild when the local build does not load', () => {
    expect(mishOfOne(pkg('local-only', { [local]: 'addon', [prebuild]: 'not an addon' })).error).toBeUndefined();
    expect(mishOfOne(pkg('broken-local', { [local]: 'not an addon', [prebuild]: 'addon' })).error).toBeUndefined();
  });

  it('says what it tried and what to run when no addon is there', () => {
    const dir = pkg('none', {});
    expect(mishOfOne(dir).error).toBe(
      `activation-kernels: no native addon loads on ${target}. Tried:\n` +
        `  ${path.join(dir, local)}: not found\n` +
        `  ${path.join(dir, prebuild)}: not found\n` +
        'Build it from source: `npm rebuild activation-kernels` (npm 11 runs it only where the ' +
        "project's allowScripts allows this package: README, Install); it needs python3, make and a " +
        'C++17 compiler (for CUDA: cmake, nvcc and cmake-js).',
    );
  });

  it("tries the local build first, and gives each file's load error when none loads", () => {
    const dir = pkg('broken', { [local]: 'not an addon', [prebuild]: 'not an addon either' });
    const lines = (mishOfOne(dir).error as string).split('\n');
    expect(lines[0]).toBe(`activation-kernels: no native addon loads on ${target}. Tried:`);
    for (const [i, file] of [local, prebuild].entries()) {
      expect(lines[i + 1].startsWith(`  ${path.join(dir, file)}: `)).toBe(true);
      expect(lines[i + 1]).toMatch(/invalid ELF header|file too short/);
    }
  });
});
