// The published package builds from source (`npm rebuild`, README: Install): binding.gyp's sources
// and every file they include, followed through quoted #include lines, are in the files `npm pack`
// puts in the tarball. A header outside package.json's "files" breaks only a consumer's source
// build, long after the repository's own build passed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');

function packed(): Set<string> {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [{ files }] = JSON.parse(json) as [{ files: { path: string }[] }];
  return new Set(files.map((f) => f.path));
}

/** binding.gyp's sources (it is a Python literal with comments; the source paths are its strings). */
function gypSources(): string[] {
  const text = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
  return [...text.matchAll(/"([\w/.-]+\.(?:cpp|cc|c))"/g)].map((m) => m[1]);
}

/** Every repository file `file` reaches through quoted includes, itself included. */
function closure(start: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const full = path.join(root, file);
    if (!fs.existsSync(full)) continue; // reported as missing from the package below
    for (const m of fs.readFileSync(full, 'utf8').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
      todo.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])));
    }
  }
  return seen;
}

describe('the package', () => {
  const files = packed();

  it("holds binding.gyp's sources and everything they include", () => {
    const sources = gypSources();
    expect(sources).toContain('cpp/cpu/compute.cpp');
    const missing = [...closure(sources)].filter((f) => !files.has(f));
    expect(missing).toEqual([]);
  });

  it('holds everything its own C++ and CUDA files include', () => {
    const own = [...files].filter((f) => /\.(cpp|h|cu|cuh)$/.test(f));
    const missing = [...closure(own)].filter((f) => !files.has(f));
    expect(missing).toEqual([]);
  });
});
