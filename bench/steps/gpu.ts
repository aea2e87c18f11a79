// Step 3, the GPU plan: every kernel checked on the device first, then kernel times from CUDA
// events around back-to-back launches (the addon's cudaTimeKernel), a device-to-device copy, and
// the host round trip (a host array with device: 'cuda') against the CPU.
import type { Case, Check } from '../cases';
import { checkCase } from '../cases';
import { pow2 } from '../format';
import { everyHalf, isHalf } from '../half';
import { ak, native } from '../library';
import { cacheResident, DEFAULT_L2_BYTES, type Pass } from '../results';
import { time } from '../timing';
import { notice, type Run } from './run';

/** The GPU's name, or why there are no GPU rows. */
export interface GpuPlan {
  name: string | null;
  skipped?: string;
}

export function planGpu(run: Run, good: Case[]): GpuPlan {
  const { cuda } = ak;
  const nat = native();
  let skipped: string | undefined;
  if (!cuda.available()) skipped = cuda.status().reason ?? 'CUDA is not available';
  else if (typeof nat.cudaTimeKernel !== 'function')
    skipped = 'this addon has no cudaTimeKernel (the CUDA timing helper)';
  if (skipped) {
    notice(run, `GPU rows skipped: ${skipped}`);
    return { name: null, skipped };
  }
  const name = cuda.devices()[0]?.name ?? 'CUDA device 0';
  const gpuGood: Case[] = [];
  for (const c of good) {
    const check: Check = (x, dy) => ({
      forward: c.fn.forward(x, { device: 'cuda' }),
      backward: c.fn.backward(x, dy, { device: 'cuda' }),
    });
    const pg = (x: Float32Array, dy: Float32Array) => Object.values(c.fn.paramGrad(x, dy, { device: 'cuda' }));
    let problems: string[];
    try {
      problems = checkCase(c, check, c.paramRef ? pg : undefined);
    } catch (e) {
      problems = [`the check threw: ${(e as Error).message}`];
    }
    if (problems.length)
      notice(run, `${c.name} on the GPU is WRONG, its times are not reported: ${problems.join('; ')}`, true);
    else gpuGood.push(c);
  }
  run.say(`checked on the GPU (${name}): ${gpuGood.length} of ${good.length} activations right`);
  // format: undefined for float32, else the half-precision format (lib/half.ts halfCode)
  const kernelMs = (pass: string, code: Float64Array, n: number, format?: 0 | 1): number => {
    const probe = nat.cudaTimeKernel(pass, code, n, 3, 0, format) as number;
    const iterations = Math.min(2000, Math.max(5, Math.ceil(50 / probe)));
    const runs = [0, 1, 2].map(() => nat.cudaTimeKernel(pass, code, n, iterations, 0, format) as number);
    return runs.sort((a, b) => a - b)[1];
  };
  // The 16-bit dtypes of --dtype: each function checked first on the device, every input of the
  // format against the CPU's bits (both correctly rounded, so they must agree).
  const every = everyHalf();
  const halfGood = run.opts.dtypes.filter(isHalf).map((dtype) => {
    const dy = Uint16Array.from(every, (_, i) => every[(i * 7919) % every.length] & 0x7bff);
    const same = (a: Uint16Array, b: Uint16Array) => a.every((v, i) => v === b[i]);
    const right = gpuGood.filter((c) => {
      const forward = same(c.fn.forward(every, { dtype, device: 'cuda' }), c.fn.forward(every, { dtype }));
      const backward = same(c.fn.backward(every, dy, { dtype, device: 'cuda' }), c.fn.backward(every, dy, { dtype }));
      if (!forward || !backward)
        notice(run, `${c.name} in ${dtype} on the GPU is WRONG (not the CPU's bits), its times are not reported`, true);
      return forward && backward;
    });
    run.say(`checked in ${dtype} on the GPU: ${right.length} of ${gpuGood.length} activations give the CPU's bits`);
    return { dtype, format: dtype === 'bfloat16' ? (0 as const) : (1 as const), right };
  });
  const reluCode = ak.relu.code;
  const l2 = cuda.devices()[0]?.l2CacheSize;
  for (const n of run.opts.gpuSizes) {
    const base = { backend: 'cuda' as const, threads: 1, n };
    const resident = (pass: Pass) => (cacheResident(pass, n, l2) ? { cacheResident: true } : {});
    run.tasks.push({
      label: `gpu ${pow2(n)} copy`,
      async run() {
        try {
          run.measured.push({
            ...base,
            ...resident('forward'),
            activation: 'copy',
            pass: 'forward',
            ms: kernelMs('copy', reluCode, n),
          });
        } catch (e) {
          notice(run, `GPU device-to-device copy not timed at ${pow2(n)}: ${(e as Error).message}`, true);
        }
      },
    });
    for (const c of gpuGood)
      for (const pass of (c.paramRef ? ['forward', 'backward', 'paramGrad'] : ['forward', 'backward']) as Pass[])
        run.tasks.push({
          label: `gpu ${pow2(n)} ${c.name} ${pass}`,
          async run() {
            run.measured.push({
              ...base,
              ...resident(pass),
              activation: c.name,
              pass,
              ms: kernelMs(pass, c.fn.code, n),
            });
          },
        });
    // The 16-bit rows: half the bytes of float32 (cacheResident as float32 of n/2 elements).
    for (const { dtype, format, right } of halfGood) {
      const typed = { ...base, dtype, ...(cacheResident('forward', n / 2, l2) ? { cacheResident: true } : {}) };
      run.tasks.push({
        label: `gpu ${pow2(n)} ${dtype} copy`,
        async run() {
          run.measured.push({
            ...typed,
            activation: 'copy',
            pass: 'forward',
            ms: kernelMs('copy', reluCode, n, format),
          });
        },
      });
      for (const c of right)
        for (const pass of ['forward', 'backward'] as const)
          run.tasks.push({
            label: `gpu ${pow2(n)} ${dtype} ${c.name} ${pass}`,
            async run() {
              run.measured.push({ ...typed, activation: c.name, pass, ms: kernelMs(pass, c.fn.code, n, format) });
            },
          });
    }
  }
  for (const n of run.opts.hostSizes)
    for (const c of gpuGood.filter((g) => g.name === 'relu' || g.name === 'mish'))
      for (const pass of ['forward', 'backward'] as const)
        run.tasks.push({
          label: `gpu round trip ${pow2(n)} ${c.name} ${pass}`,
          async run() {
            const call =
              pass === 'forward'
                ? () => {
                    const d = run.arrays(n);
                    c.fn.forward(d.x, { out: d.out, device: 'cuda' });
                  }
                : () => {
                    const d = run.arrays(n);
                    c.fn.backward(d.x, d.dy, { out: d.out, device: 'cuda' });
                  };
            const r = await time(call, run.budget);
            run.measured.push({ backend: 'cuda', threads: 1, n, activation: c.name, pass, ms: r.ms, roundTrip: true });
          },
        });
  run.notes.push(
    'GPU: ms per launch from CUDA events around back-to-back launches (median of 3); copy is cudaMemcpy device to device; ' +
      "round-trip rows are host arrays with device: 'cuda' (upload, kernel, download), vsCpu against the CPU with all threads",
    `GPU sizes whose arrays fit in the L2 (${((l2 || DEFAULT_L2_BYTES) / 2 ** 20).toFixed(0)} MiB${l2 ? '' : ', assumed'}) are marked cacheResident ("in L2"): they time the cache; the headline and the targets are 2^26 and up`,
  );
  return { name };
}
