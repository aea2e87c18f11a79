// Step 1: every kernel against the double reference, on every thread count, before any timing.
// A kernel that is off is named in the notes and not timed.
import { selected } from '../args';
import { type Case, type Check, cases, checkCase, checkHalfCase, HALF_ULP_BOUND } from '../cases';
import { type HalfDtype, isHalf } from '../half';
import { ak, halfOf } from '../library';
import { notice, type Run } from './run';

export function checkKernels(run: Run): Case[] {
  const { cpu } = ak;
  const wanted = cases().filter((c) => selected(c.name, run.opts.filter));
  const good: Case[] = [];
  for (const c of wanted) {
    const problems: string[] = [];
    for (const t of run.threadCounts) {
      cpu.setThreads(t);
      const check: Check = (x, dy) => ({ forward: c.fn.forward(x), backward: c.fn.backward(x, dy) });
      const pg = (x: Float32Array, dy: Float32Array) => Object.values(c.fn.paramGrad(x, dy));
      problems.push(...checkCase(c, check, c.paramRef ? pg : undefined).map((p) => `${t} thread(s): ${p}`));
    }
    if (problems.length)
      notice(run, `${c.name} on the CPU is WRONG, its times are not reported: ${problems.join('; ')}`, true);
    else good.push(c);
  }
  run.say(
    `checked against the double reference (the bounds of docs/targets.md): ${good.length} of ${wanted.length} activations right on the CPU (${cpu.isa()})`,
  );
  return good;
}

/** Why this build of the library cannot run a 16-bit format, or null when it can. */
function halfMissing(dtype: HalfDtype): string | null {
  try {
    const y = halfOf(ak.relu).forward(new Uint16Array(4), { dtype });
    return y instanceof Uint16Array && y.length === 4 ? null : 'relu.forward gave no Uint16Array';
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Step 1c: each 16-bit format of --dtype, every kernel the float32 check passed, on all 65536
 * values of the format and on every thread count. A format this build does not have is skipped
 * with the reason; a kernel that is off is named in the notes and not timed.
 */
export function checkHalfKernels(run: Run, good: Case[]): Map<HalfDtype, Case[]> {
  const { cpu } = ak;
  const byDtype = new Map<HalfDtype, Case[]>();
  for (const dtype of run.opts.dtypes.filter(isHalf)) {
    const missing = halfMissing(dtype);
    if (missing) {
      notice(
        run,
        `${dtype} rows skipped: this build of the library does not take { dtype: '${dtype}' } (${missing})`,
        true,
      );
      continue;
    }
    const right: Case[] = [];
    let worst = 0;
    for (const c of good) {
      const problems: string[] = [];
      for (const t of run.threadCounts) {
        cpu.setThreads(t);
        try {
          const checked = checkHalfCase(c, dtype, halfOf(c.fn));
          worst = Math.max(worst, checked.worst);
          problems.push(...checked.problems.map((p) => `${t} thread(s): ${p}`));
        } catch (e) {
          problems.push(`${t} thread(s): ${(e as Error).message}`);
        }
      }
      if (problems.length)
        notice(run, `${c.name} in ${dtype} is WRONG, its times are not reported: ${problems.join('; ')}`, true);
      else right.push(c);
    }
    const line = `checked in ${dtype} on all 65536 of its values, forward and backward, against the double reference: ${right.length} of ${good.length} activations within ${HALF_ULP_BOUND} ulp of ${dtype}, the worst ${worst.toFixed(3)} ulp`;
    run.say(line);
    run.notes.push(line);
    byDtype.set(dtype, right);
  }
  return byDtype;
}
