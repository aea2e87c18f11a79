// Loads the addon once: the local build, else the prebuild. When none loads, the error says what
// it tried and what to run.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HostArray } from './validate';

/** An activation decoded once by the addon (program(code)), or its code, decoded on every call. */
export type ProgramHandle = unknown;

export interface Native {
  program(code: Float64Array): ProgramHandle;
  // forward, backward and their async forms return the input ('x' or 'dy') out partly overlaps,
  // computing nothing; the async forms take null for out (a new array) and resolve with out.
  // half: 0 (bfloat16) or 1 (float16) for Uint16Arrays of half-precision bits.
  forward(f: ProgramHandle, x: HostArray, out: HostArray, half?: 0 | 1): undefined | 'x' | 'dy';
  backward(f: ProgramHandle, x: HostArray, dy: HostArray, out: HostArray, half?: 0 | 1): undefined | 'x' | 'dy';
  paramGrad(f: ProgramHandle, x: HostArray, dy: HostArray, half?: 0 | 1): Float64Array;
  forwardAsync(f: ProgramHandle, x: HostArray, out: HostArray | null, half?: 0 | 1): Promise<Float32Array> | 'x' | 'dy';
  backwardAsync(
    f: ProgramHandle,
    x: HostArray,
    dy: HostArray,
    out: HostArray | null,
    half?: 0 | 1,
  ): Promise<Float32Array> | 'x' | 'dy';
  paramGradAsync(f: ProgramHandle, x: HostArray, dy: HostArray, half?: 0 | 1): Promise<Float64Array>;
  // A Float32Array rounded into a Uint16Array of the format's bits, or those bits widened back.
  convert(half: 0 | 1, from: Float32Array | Uint16Array, to: Float32Array | Uint16Array): void;
  isa(): string;
  supportedIsas(): string[];
  setIsa(name: string): boolean;
  threads(): number;
  setThreads(n: number): void;
  // Present when the addon was built with CUDA (see lib/cuda.ts).
  // biome-ignore lint/suspicious/noExplicitAny: the CUDA half is typed in lib/cuda.ts
  [name: string]: any;
}

let loaded: Native | undefined;

const FILE = 'activation_kernels.node';

// The prebuilt addons are linked against glibc: where one fails to load, the error says so when
// this Linux has another C library (musl). Asked only then (a report takes some milliseconds).
function glibc(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return typeof report?.header?.glibcVersionRuntime === 'string';
}

// Where the addon may be, best first: one named by ACTIVATION_KERNELS_ADDON (npm run
// test:sanitize loads its ASan build), else the local build (a developer's or a build from
// source), else the prebuild for this platform and architecture that the package carries.
function candidates(root: string): { file: string; glibcOnly?: boolean }[] {
  const named = process.env.ACTIVATION_KERNELS_ADDON;
  if (named) return [{ file: resolve(named) }];
  const target = `${process.platform}-${process.arch}`;
  return [
    { file: join(root, 'build', 'Release', FILE) },
    { file: join(root, 'prebuilds', target, FILE), glibcOnly: process.platform === 'linux' },
  ];
}

// ACTIVATION_KERNELS_ISA names a path to force; the addon takes it only where this processor
// runs it. Any other value would be ignored without a word, so it is said here, once.
function checkIsaSetting(n: Native): void {
  const wanted = process.env.ACTIVATION_KERNELS_ISA;
  if (wanted === undefined || wanted === '' || wanted === n.isa()) return;
  const supported = n.supportedIsas();
  const shown = wanted.length <= 80 ? JSON.stringify(wanted) : `${JSON.stringify(wanted.slice(0, 80))}...`;
  process.emitWarning(
    `Expected one of ${supported.join(', ')} (the paths this processor runs) for ACTIVATION_KERNELS_ISA but received ${shown}: using ${n.isa()}`,
    { code: 'ACTIVATION_KERNELS_ISA' },
  );
}

export function native(): Native {
  if (loaded) return loaded;
  const root = join(__dirname, '..');
  const tried: string[] = [];
  for (const { file, glibcOnly } of candidates(root)) {
    if (!existsSync(file)) tried.push(`${file}: not found`);
    else {
      try {
        loaded = require(file) as Native;
        checkIsaSetting(loaded);
        return loaded;
      } catch (cause) {
        const other = glibcOnly && !glibc() ? 'built for glibc, and this Linux has another C library: ' : '';
        tried.push(`${file}: ${other}${(cause as Error).message.split('\n')[0]}`);
      }
    }
  }
  throw new Error(
    `activation-kernels: no native addon loads on ${process.platform}-${process.arch}. Tried:\n` +
      tried.map((line) => `  ${line}\n`).join('') +
      'Build it from source: `npm rebuild activation-kernels` (npm 11 runs it only where the ' +
      "project's allowScripts allows this package: README, Install); it needs python3, make and a " +
      'C++17 compiler (for CUDA: cmake, nvcc and cmake-js).',
  );
}
