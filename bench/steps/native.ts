// The native peers (bench/native-peers.ts): the ops of functions this library has, chosen by the
// filter, each checked on one sweep against the same references before any timing (step 1b),
// then timed on one thread at every host size, one task per runner in its own process.
import fs from 'node:fs';
import { peerSelected } from '../args';
import { type Case, cases, checkDy, hasActivation, inputs } from '../cases';
import { dtypeOf, type HalfDtype, isHalf } from '../half';
import { ak, halfOf, root } from '../library';
import { loadNativePeers, opId, PEER_ACTIVATIONS, type PeerStatus, type Runner } from '../native-peers';
import { checkOps, PEER_SWEEP, type Selected, selectOps, tempDir, timeOps } from '../peer-run';
import type { AccuracyRow } from '../results';
import { notice, PER_CALL_MAX, type Run } from './run';

export interface NativePeers {
  statuses?: PeerStatus[];
  accuracy: AccuracyRow[];
  ops: Selected[];
  runners: Runner[];
  dir?: string;
}

/** halves: the 16-bit kernels that passed their check (step 1c), for 'ours' beside 16-bit peers. */
export async function checkNativePeers(run: Run, halves?: Map<HalfDtype, Case[]>): Promise<NativePeers> {
  const found: NativePeers = { accuracy: [], ops: [], runners: [] };
  const { opts } = run;
  const wanted = (a: string) => hasActivation(a) && peerSelected(a, opts.filter);
  if (!opts.peers) {
    run.notes.push('peers left out (--no-peers)');
    return found;
  }
  if (!PEER_ACTIVATIONS.some(wanted)) {
    run.notes.push('native peers: none has an activation of this run (see --filter)');
    return found;
  }
  const loaded = await loadNativePeers(root, run.say);
  found.statuses = loaded.statuses;
  for (const s of loaded.statuses) if (s.skipped) notice(run, s.skipped);
  const present = loaded.statuses.filter((s) => !s.skipped);
  if (present.length)
    run.notes.push(
      `native peers, one thread (OMP_NUM_THREADS=1, torch.set_num_threads(1), XNNPACK without a thread pool), each in its own process, timed by the method of this library's rows (the median of samples): ${present
        .map((s) => `${s.name} ${s.version}${s.package ? ` (Debian ${s.package})` : ''}`)
        .join(', ')}`,
    );
  found.ops = selectOps(loaded.runners, wanted, opts.dtypes);
  found.runners = loaded.runners.filter((r) => found.ops.some((o) => o.runner === r));
  if (!found.ops.length) return found;
  found.dir = tempDir();
  run.say(`checking ${found.ops.length} peer ops against the double reference on ${PEER_SWEEP} inputs`);
  const all = cases();
  const byName = (a: string) => all.find((c) => c.name === a);
  ak.cpu.setThreads(1);
  try {
    found.accuracy = await checkOps(
      found.ops,
      found.dir,
      (a) => byName(a)?.ref,
      (a) => {
        const c = byName(a);
        return c && { forward: (x) => c.fn.forward(x), backward: (x, dy) => c.fn.backward(x, dy) };
      },
      checkDy,
      (a, dtype) => {
        const c = byName(a);
        if (!c || !halves?.get(dtype)?.some((h) => h.name === a)) return undefined;
        const fn = halfOf(c.fn);
        return {
          forward: (x) => ak.fromHalf(fn.forward(ak.toHalf(x, dtype), { dtype }), dtype),
          backward: (x, dy) => ak.fromHalf(fn.backward(ak.toHalf(x, dtype), ak.toHalf(dy, dtype), { dtype }), dtype),
        };
      },
    );
    run.notes.push(
      `peers' accuracy: ulp as docs/targets.md counts them, on ${PEER_SWEEP} inputs (half across every float32 exponent, half dense in [-30, 30], and the special values), this library's on the same inputs as "ours"; a peer off by more than 4 ulp is timed all the same`,
    );
  } catch (e) {
    notice(run, `the peers' accuracy check failed: ${(e as Error).message}`, true);
  }
  return found;
}

export function planNativePeers(run: Run, found: NativePeers): void {
  const ulpOf = (o: Selected) =>
    found.accuracy.find(
      (a) =>
        a.name === o.op.peer &&
        a.activation === o.op.activation &&
        a.pass === o.op.pass &&
        dtypeOf(a) === dtypeOf(o.op),
    );
  for (const runner of found.runners)
    run.tasks.push({
      label: `${runner.label} peers`,
      async run() {
        const mine = found.ops.filter((o) => o.runner === runner);
        const sizes = run.opts.hostSizes.filter((n) => n >= PER_CALL_MAX);
        const times = await timeOps(runner, mine, found.dir as string, sizes, run.budget, (n) => inputs(n));
        for (const t of times) {
          const o = mine.find((m) => opId(m.op) === t.id);
          if (!o) continue;
          const acc = ulpOf(o);
          run.peers.push({
            name: o.op.peer,
            version: o.version,
            backend: 'cpu',
            activation: o.op.activation,
            pass: o.op.pass,
            ...(isHalf(dtypeOf(o.op)) ? { dtype: dtypeOf(o.op) } : {}),
            n: t.n,
            ms: t.ms,
            threads: 1,
            how: o.op.how,
            maxUlp: acc ? acc.maxUlp : null,
            maxUlp30: acc ? acc.maxUlp30 : null,
            wrong: acc?.wrong ? `${acc.wrong} of ${acc.inputs} wrong, e.g. ${acc.example}` : null,
          });
        }
      },
    });
}

export function removePeerFiles(found: NativePeers): void {
  if (found.dir) fs.rmSync(found.dir, { recursive: true, force: true });
}
