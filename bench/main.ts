// npm run bench: every activation against relu, copy and peers, on the CPU and (where there is
// one) the GPU. Checks each kernel against the double reference first; writes
// bench/results/<machine>-<date>.{json,md,svg}. See bench/args.ts for the options, and
// bench/steps/ for each step.
import os from 'node:os';
import { parseArgs, USAGE } from './args';
import { isHalf } from './half';
import { BYTES_NOTE } from './results';
import { checkHalfKernels, checkKernels } from './steps/check';
import { planGpu } from './steps/gpu';
import { planHost } from './steps/host';
import { checkNativePeers, planNativePeers, removePeerFiles } from './steps/native';
import { assemble, gitCommit, write } from './steps/results';
import { execute, newRun } from './steps/run';

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const run = newRun(opts);
  const { budget } = run;
  run.notes.push(
    `host timings: the benchmark package, median of >= ${budget.minSamples} samples of >= ${budget.minTime * 1e3} ms; ` +
      'calls through the public API with preallocated { out } arrays (validation included, allocation not)',
    `threads: cpu.setThreads(n) for this library, intraOpNumThreads for onnxruntime-node; copy (TypedArray.set) and the JavaScript loops run on one thread`,
    `bytes counted for GB/s: forward ${BYTES_NOTE.forward}; backward ${BYTES_NOTE.backward}; paramGrad ${BYTES_NOTE.paramGrad}; copy ${BYTES_NOTE.copy}`,
    'vsRelu = time / relu time at the same size, pass, backend and threads; vsCopy = time / copy time (copying n floats) at the same size and backend',
    'hardGate with its defaults (shift 3, cap 6) is hardSwish; hardMish and hMish are its other presets',
  );
  if (opts.dtypes.some(isHalf))
    run.notes.push(
      `16-bit rows (${opts.dtypes.filter(isHalf).join(', ')}): x, dy and out are Uint16Array of raw bits with { dtype }, the same inputs rounded to the format (untimed); ` +
        "their bytes are half of float32's; vsRelu is against float32 relu, vsCopy against a copy of the same 16-bit bytes (Uint16Array.set), vsFloat32 against the same function in float32; no paramGrad rows",
    );
  // Other work on the machine skews the times: the load average at the start and the end say how
  // busy it was while this ran; the commit is the tree as the run starts.
  const start = { load: os.loadavg()[0], commit: gitCommit(), at: 0 };

  const good = checkKernels(run); // 1. every kernel against the double reference
  const halves = checkHalfKernels(run, good); // 1c. the same in each 16-bit format of --dtype
  const native = await checkNativePeers(run, halves); // 1b. the native peers, checked the same way
  planHost(run, good, halves); // 2. the plan: host sizes x thread counts x dtypes x (copy, activations, peers)
  planNativePeers(run, native);
  const gpu = planGpu(run, good); // 3. the GPU
  start.at = Date.now();
  await execute(run); // 4. run the plan
  removePeerFiles(native);
  write(run, assemble(run, start, gpu, native)); // 5. figures, verdicts, output
}

main().then(
  () => process.exit(), // onnxruntime's thread pools would otherwise keep the process a while
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
