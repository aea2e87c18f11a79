// Step 2, the host plan: at every host size and thread count, a copy of the same bytes, every
// activation's passes through the public API with preallocated { out } arrays, and the peers that
// run in this process (onnxruntime-node, JavaScript loops), each checked once before it is timed.
import { selected } from '../args';
import { type Case, cases, inputs } from '../cases';
import { pow2 } from '../format';
import type { HalfDtype } from '../half';
import { ak, halfOf } from '../library';
import { jsLoops, loadOrt } from '../peers';
import type { Pass } from '../results';
import { time } from '../timing';
import { notice, PER_CALL_MAX, type Run } from './run';

// A peer's worst error relative to |f(x)| + 1e-6 on [-8, 8]. It is wrong when grossly off
// (over 1e-3: a wrong graph); it is not held to this library's 4 ulp.
function peerError(x: Float32Array, y: Float32Array, f: (v: number) => number): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const r = f(x[i]);
    worst = Math.max(worst, Math.abs(y[i] - r) / (Math.abs(r) + 1e-6));
  }
  return worst;
}

export function planHost(run: Run, good: Case[], halves: Map<HalfDtype, Case[]> = new Map()): void {
  const { opts, budget, tasks, measured, peers } = run;
  // prepare: untimed set-up (the 16-bit inputs are rounded from the float32 ones once per size)
  const hostTask = (
    label: string,
    t: number,
    record: (ms: number, rme: number) => void,
    call: () => unknown,
    prepare?: () => unknown,
  ) =>
    tasks.push({
      label,
      async run() {
        ak.cpu.setThreads(t);
        prepare?.();
        const r = await time(call, budget);
        record(r.ms, r.rme);
      },
    });

  const ort = opts.peers ? loadOrt() : 'onnxruntime-node left out (--no-peers)';
  const ortPeers = typeof ort === 'string' ? undefined : ort;
  if (typeof ort === 'string') {
    if (opts.peers) notice(run, ort, true);
  } else {
    run.say(
      `onnxruntime-node ${ort.version}, CPU execution provider, intraOpNumThreads = threads; graphs written as ONNX protobuf bytes by bench/onnx.ts: ` +
        Object.entries(ort.how)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', '),
    );
    run.notes.push(
      `onnxruntime-node ${ort.version} (CPU provider, graph optimization 'all'): ${Object.entries(ort.how)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')}; ONNX has no Mish before opset 18 and onnxruntime no Mish kernel, so mish is composed`,
    );
  }
  const peerOk = new Map<string, boolean>();
  // timedAnyway: a native op of a peer that is off (onnxruntime's Gelu loses the left tail) is
  // still timed, as what a user would call, and marked in its `how`.
  const peerChecked = (key: string, check: () => number, timedAnyway = false): boolean => {
    let ok = peerOk.get(key);
    if (ok === undefined) {
      const err = check();
      ok = err <= 1e-3;
      const note = `${key}: worst relative error ${err.toExponential(1)} on [-8, 8]`;
      run.notes.push(ok ? note : `${note}, WRONG: ${timedAnyway ? 'timed, marked INACCURATE' : 'not reported'}`);
      if (!ok) run.warn(note);
      peerOk.set(key, ok);
    }
    return ok;
  };
  const refOf = (name: string) => cases().find((c) => c.name === name)?.ref.f;

  // Below 2^10 one call is too small to split across threads: time it on one, and leave the
  // peers to the sizes they are built for.
  for (const n of opts.hostSizes)
    for (const t of n < PER_CALL_MAX ? [1] : run.threadCounts) {
      const at = `cpu ${t}t ${pow2(n)}`;
      const base = { backend: 'cpu' as const, threads: t, n };
      hostTask(
        `${at} copy`,
        t,
        (ms, rme) => measured.push({ ...base, activation: 'copy', pass: 'forward', ms, rme }),
        () => {
          const d = run.arrays(n);
          d.out.set(d.x);
        },
      );
      for (const c of good) {
        const passes: Pass[] = c.paramRef ? ['forward', 'backward', 'paramGrad'] : ['forward', 'backward'];
        for (const pass of passes) {
          let call: () => unknown;
          if (pass === 'forward')
            call = () => {
              const d = run.arrays(n);
              c.fn.forward(d.x, { out: d.out });
            };
          else if (pass === 'backward')
            call = () => {
              const d = run.arrays(n);
              c.fn.backward(d.x, d.dy, { out: d.out });
            };
          else
            call = () => {
              const d = run.arrays(n);
              c.fn.paramGrad(d.x, d.dy);
            };
          hostTask(
            `${at} ${c.name} ${pass}`,
            t,
            (ms, rme) => measured.push({ ...base, activation: c.name, pass, ms, rme }),
            call,
          );
        }
      }
      // The 16-bit rows beside the float32 ones of the same size and threads: the copy of their
      // bytes (TypedArray.set of n 16-bit elements), then each function's forward and backward.
      for (const [dtype, right] of halves) {
        const typed = { ...base, dtype };
        hostTask(
          `${at} ${dtype} copy`,
          t,
          (ms, rme) => measured.push({ ...typed, activation: 'copy', pass: 'forward', ms, rme }),
          () => {
            const h = run.halfArrays(n, dtype);
            h.out.set(h.x);
          },
          () => run.halfArrays(n, dtype),
        );
        for (const c of right) {
          const fn = halfOf(c.fn);
          hostTask(
            `${at} ${dtype} ${c.name} forward`,
            t,
            (ms, rme) => measured.push({ ...typed, activation: c.name, pass: 'forward', ms, rme }),
            () => {
              const h = run.halfArrays(n, dtype);
              fn.forward(h.x, { dtype, out: h.out });
            },
          );
          hostTask(
            `${at} ${dtype} ${c.name} backward`,
            t,
            (ms, rme) => measured.push({ ...typed, activation: c.name, pass: 'backward', ms, rme }),
            () => {
              const h = run.halfArrays(n, dtype);
              fn.backward(h.x, h.dy, { dtype, out: h.out });
            },
          );
        }
      }
      if (ortPeers && n >= PER_CALL_MAX)
        for (const name of Object.keys(ortPeers.how).filter((a) => selected(a, opts.filter))) {
          tasks.push({
            label: `${at} onnxruntime ${name}`,
            async run() {
              const { x } = inputs(4096, 3);
              const y = new Float32Array(x.length);
              await (await ortPeers.runner(name, t, x, y))();
              const f = refOf(name);
              const native = !ortPeers.how[name].includes('->'); // one op, not a composed graph
              const accurate = !f || peerChecked(`onnxruntime-node ${name}`, () => peerError(x, y, f), native);
              const d = run.arrays(n);
              const call = await ortPeers.runner(name, t, d.x, d.out);
              const r = await time(call, budget, true);
              peers.push({
                name: 'onnxruntime-node',
                version: ortPeers.version,
                activation: name,
                pass: 'forward',
                n,
                ms: r.ms,
                threads: t,
                how: accurate ? ortPeers.how[name] : `${ortPeers.how[name]} [INACCURATE, see the notes]`,
              });
            },
          });
        }
      if (t === 1 && opts.peers && n >= PER_CALL_MAX)
        for (const [name, loop] of Object.entries(jsLoops).filter(([a]) => selected(a, opts.filter)))
          tasks.push({
            label: `${at} javascript ${name}`,
            async run() {
              const { x } = inputs(4096, 3);
              const y = new Float32Array(x.length);
              loop.run(x, y);
              const f = refOf(name);
              if (f && !peerChecked(`javascript ${name}`, () => peerError(x, y, f))) return;
              const d = run.arrays(n);
              const r = await time(() => loop.run(d.x, d.out), budget);
              peers.push({
                name: 'javascript',
                version: process.version,
                activation: name,
                pass: 'forward',
                n,
                ms: r.ms,
                threads: 1,
                how: loop.how,
              });
            },
          });
    }
}
