// Step 1: every kernel against the double reference, on every thread count, before any timing.
// A kernel that is off is named in the notes and not timed.
import { selected } from '../args';
import { type Case, type Check, cases, checkCase } from '../cases';
import { ak } from '../library';
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
