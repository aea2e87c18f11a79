// Loads the addon once. When it is missing or fails to load, the error says what to run.

export interface Native {
  forward(code: Float64Array, x: Float32Array, out: Float32Array): void;
  backward(code: Float64Array, x: Float32Array, dy: Float32Array, out: Float32Array): void;
  paramGrad(code: Float64Array, x: Float32Array, dy: Float32Array): Float64Array;
  forwardAsync(code: Float64Array, x: Float32Array, out: Float32Array): Promise<void>;
  backwardAsync(code: Float64Array, x: Float32Array, dy: Float32Array, out: Float32Array): Promise<void>;
  paramGradAsync(code: Float64Array, x: Float32Array, dy: Float32Array): Promise<Float64Array>;
  isa(): string;
  supportedIsas(): string[];
  setIsa(name: string): boolean;
  threads(): number;
  setThreads(n: number): void;
  maxThreads(): number;
  // Present when the addon was built with CUDA (see lib/cuda.ts).
  // biome-ignore lint/suspicious/noExplicitAny: the CUDA half is typed in lib/cuda.ts
  [name: string]: any;
}

let loaded: Native | undefined;

export function native(): Native {
  if (loaded) return loaded;
  try {
    // ACTIVATION_KERNELS_ADDON: an addon built elsewhere (npm run test:sanitize loads its ASan build).
    const path = process.env.ACTIVATION_KERNELS_ADDON;
    loaded = (
      path ? require(path) : require('bindings')({ bindings: 'activation_kernels', module_root: `${__dirname}/..` })
    ) as Native;
  } catch (cause) {
    throw new Error(
      'activation-kernels: the native addon is missing or failed to load. Build it with ' +
        '`npm rebuild activation-kernels` (or `npm install` in the package folder); it needs cmake or ' +
        `python3 with make and a C++17 compiler. Cause: ${(cause as Error).message}`,
      { cause },
    );
  }
  return loaded;
}
