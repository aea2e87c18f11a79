// npm run bench: every activation against relu, copy and peers, on the CPU and (where there is
// one) the GPU. Checks each kernel against the double reference first; writes
// bench/results/<machine>-<date>.{json,md,svg}. See bench/args.ts for the options.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, peerSelected, selected, USAGE } from './args';
import { type Case, type Check, cases, checkCase, checkDy, hasActivation, inputs } from './cases';
import { markdownReport, pow2, terminalReport } from './format';
import { ak, native, root } from './library';
import { loadNativePeers, opId, PEER_ACTIVATIONS, type PeerStatus, type Runner } from './native-peers';
import { checkOps, PEER_SWEEP, type Selected, selectOps, tempDir, timeOps } from './peer-run';
import { jsLoops, loadOrt } from './peers';
import {
  type AccuracyRow,
  BYTES_NOTE,
  cacheResident,
  checkSchema,
  DEFAULT_L2_BYTES,
  deriveRows,
  type Measurement,
  type Pass,
  type Peer,
  type Results,
  verdicts,
} from './results';
import { chart } from './svg';
import { type Budget, Progress, time } from './timing';

interface Task {
  label: string;
  run(): Promise<void>;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/\((r|tm)\)|processor|cpu|@.*$|\d+-core/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function machineName(cpuModel: string, threads: number, gpu: string | null): string {
  return [slug(cpuModel) || 'cpu', `${threads}t`, ...(gpu ? [slug(gpu)] : [])].join('-');
}

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

/** Sizes below this are per-call timings (n = 1 in --quick): one thread, no peers. */
const PER_CALL_MAX = 2 ** 10;

/** The commit the run measured, with "+dirty" when the tree had changes; null outside git. */
function gitCommit(): string | null {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short=12', 'HEAD');
  if (head.status !== 0) return null;
  const dirty = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`;
}

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
  const say = (line: string) => {
    if (!opts.jsonOnly) process.stdout.write(`${line}\n`);
  };
  const warn = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const { cpu, cuda } = ak;
  const allThreads = cpu.threads();
  const threadCounts = allThreads > 1 ? [1, allThreads] : [1];
  const budget: Budget =
    opts.mode === 'quick'
      ? { minTime: 0.02, maxTime: 0.25, minSamples: 5 }
      : { minTime: 0.025, maxTime: 0.35, minSamples: 5 };
  const notes: string[] = [
    `host timings: the benchmark package, median of >= ${budget.minSamples} samples of >= ${budget.minTime * 1e3} ms; ` +
      'calls through the public API with preallocated { out } arrays (validation included, allocation not)',
    `threads: cpu.setThreads(n) for this library, intraOpNumThreads for onnxruntime-node; copy (TypedArray.set) and the JavaScript loops run on one thread`,
    `bytes counted for GB/s: forward ${BYTES_NOTE.forward}; backward ${BYTES_NOTE.backward}; paramGrad ${BYTES_NOTE.paramGrad}; copy ${BYTES_NOTE.copy}`,
    'vsRelu = time / relu time at the same size, pass, backend and threads; vsCopy = time / copy time (copying n floats) at the same size and backend',
    'hardGate with its defaults (shift 3, cap 6) is hardSwish; hardMish and hMish are its other presets',
  ];
  // Other work on the machine skews the times: the load average at the start and the end say how
  // busy it was while this ran.
  const loadStart = os.loadavg()[0];
  const commit = gitCommit(); // what is measured: the tree as the run starts

  // 1. Every kernel against the double reference, before any timing.
  const wanted = cases().filter((c) => selected(c.name, opts.filter));
  const good: Case[] = [];
  for (const c of wanted) {
    const problems: string[] = [];
    for (const t of threadCounts) {
      cpu.setThreads(t);
      const run: Check = (x, dy) => ({ forward: c.fn.forward(x), backward: c.fn.backward(x, dy) });
      const pg = (x: Float32Array, dy: Float32Array) => Object.values(c.fn.paramGrad(x, dy));
      problems.push(...checkCase(c, run, c.paramRef ? pg : undefined).map((p) => `${t} thread(s): ${p}`));
    }
    if (problems.length) {
      const note = `${c.name} on the CPU is WRONG, its times are not reported: ${problems.join('; ')}`;
      notes.push(note);
      warn(note);
    } else good.push(c);
  }
  say(
    `checked against the double reference (the bounds of docs/targets.md): ${good.length} of ${wanted.length} activations right on the CPU (${cpu.isa()})`,
  );

  // 1b. The native peers (bench/native-peers.ts): the ops of functions this library has, chosen
  // by the filter; each checked on one sweep against the same references before any timing.
  let nativePeers: PeerStatus[] | undefined;
  let accuracy: AccuracyRow[] = [];
  let peerOps: Selected[] = [];
  let runners: Runner[] = [];
  let peerDir: string | undefined;
  const peerWanted = (a: string) => hasActivation(a) && peerSelected(a, opts.filter);
  if (!opts.peers) notes.push('peers left out (--no-peers)');
  else if (!PEER_ACTIVATIONS.some(peerWanted))
    notes.push('native peers: none has an activation of this run (see --filter)');
  else {
    const loaded = await loadNativePeers(root, say);
    nativePeers = loaded.statuses;
    for (const s of loaded.statuses) {
      if (s.skipped) {
        notes.push(s.skipped);
        say(s.skipped);
      }
    }
    const found = loaded.statuses.filter((s) => !s.skipped);
    if (found.length)
      notes.push(
        `native peers, one thread (OMP_NUM_THREADS=1, torch.set_num_threads(1), XNNPACK without a thread pool), each in its own process, timed by the method of this library's rows (the median of samples): ${found
          .map((s) => `${s.name} ${s.version}${s.package ? ` (Debian ${s.package})` : ''}`)
          .join(', ')}`,
      );
    peerOps = selectOps(loaded.runners, peerWanted);
    runners = loaded.runners.filter((r) => peerOps.some((o) => o.runner === r));
    if (peerOps.length) {
      peerDir = tempDir();
      say(`checking ${peerOps.length} peer ops against the double reference on ${PEER_SWEEP} inputs`);
      const all = cases();
      const byName = (a: string) => all.find((c) => c.name === a);
      cpu.setThreads(1);
      try {
        accuracy = await checkOps(
          peerOps,
          peerDir,
          (a) => byName(a)?.ref,
          (a) => {
            const c = byName(a);
            return c && { forward: (x) => c.fn.forward(x), backward: (x, dy) => c.fn.backward(x, dy) };
          },
          checkDy,
        );
        notes.push(
          `peers' accuracy: ulp as docs/targets.md counts them, on ${PEER_SWEEP} inputs (half across every float32 exponent, half dense in [-30, 30], and the special values), this library's on the same inputs as "ours"; a peer off by more than 4 ulp is timed all the same`,
        );
      } catch (e) {
        const note = `the peers' accuracy check failed: ${(e as Error).message}`;
        notes.push(note);
        warn(note);
      }
    }
  }

  // 2. The plan: host sizes x thread counts x (copy, activations, peers), then the GPU.
  const measured: Measurement[] = [];
  const peers: Omit<Peer, 'vsRelu'>[] = [];
  const tasks: Task[] = [];
  let data: { n: number; x: Float32Array; dy: Float32Array; out: Float32Array } | undefined;
  const arrays = (n: number) => {
    if (data?.n !== n) {
      data = undefined; // let the previous size go first
      data = { n, ...inputs(n), out: new Float32Array(n) };
    }
    return data;
  };
  const hostTask = (label: string, t: number, record: (ms: number, rme: number) => void, call: () => unknown) =>
    tasks.push({
      label,
      async run() {
        cpu.setThreads(t);
        const r = await time(call, budget);
        record(r.ms, r.rme);
      },
    });

  const ort = opts.peers ? loadOrt() : 'onnxruntime-node left out (--no-peers)';
  const ortPeers = typeof ort === 'string' ? undefined : ort;
  if (typeof ort === 'string') {
    if (opts.peers) {
      notes.push(ort);
      warn(ort);
    }
  } else {
    say(
      `onnxruntime-node ${ort.version}, CPU execution provider, intraOpNumThreads = threads; graphs written as ONNX protobuf bytes by bench/onnx.ts: ` +
        Object.entries(ort.how)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', '),
    );
    notes.push(
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
      notes.push(ok ? note : `${note}, WRONG: ${timedAnyway ? 'timed, marked INACCURATE' : 'not reported'}`);
      if (!ok) warn(note);
      peerOk.set(key, ok);
    }
    return ok;
  };
  const refOf = (name: string) => cases().find((c) => c.name === name)?.ref.f;

  // Below 2^10 one call is too small to split across threads: time it on one, and leave the
  // peers to the sizes they are built for.
  for (const n of opts.hostSizes)
    for (const t of n < PER_CALL_MAX ? [1] : threadCounts) {
      const at = `cpu ${t}t ${pow2(n)}`;
      const base = { backend: 'cpu' as const, threads: t, n };
      hostTask(
        `${at} copy`,
        t,
        (ms, rme) => measured.push({ ...base, activation: 'copy', pass: 'forward', ms, rme }),
        () => {
          const d = arrays(n);
          d.out.set(d.x);
        },
      );
      for (const c of good) {
        const passes: Pass[] = c.paramRef ? ['forward', 'backward', 'paramGrad'] : ['forward', 'backward'];
        for (const pass of passes) {
          let call: () => unknown;
          if (pass === 'forward')
            call = () => {
              const d = arrays(n);
              c.fn.forward(d.x, { out: d.out });
            };
          else if (pass === 'backward')
            call = () => {
              const d = arrays(n);
              c.fn.backward(d.x, d.dy, { out: d.out });
            };
          else
            call = () => {
              const d = arrays(n);
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
              const d = arrays(n);
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
              const d = arrays(n);
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

  // The native peers, one thread, every host size: one task per runner (its own process).
  const ulpOf = (o: Selected) =>
    accuracy.find((a) => a.name === o.op.peer && a.activation === o.op.activation && a.pass === o.op.pass);
  for (const runner of runners)
    tasks.push({
      label: `${runner.label} peers`,
      async run() {
        const mine = peerOps.filter((o) => o.runner === runner);
        const sizes = opts.hostSizes.filter((n) => n >= PER_CALL_MAX);
        const times = await timeOps(runner, mine, peerDir!, sizes, budget, (n) => inputs(n));
        for (const t of times) {
          const o = mine.find((m) => opId(m.op) === t.id);
          if (!o) continue;
          const acc = ulpOf(o);
          peers.push({
            name: o.op.peer,
            version: o.version,
            backend: 'cpu',
            activation: o.op.activation,
            pass: o.op.pass,
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

  // 3. The GPU: kernel times from CUDA events around back-to-back launches (the addon's
  // cudaTimeKernel), device-to-device copy, and the host round trip against the CPU.
  let gpuName: string | null = null;
  let gpuSkipped: string | undefined;
  const nat = native();
  if (!cuda.available()) {
    gpuSkipped = cuda.status().reason ?? 'CUDA is not available';
    const note = `GPU rows skipped: ${gpuSkipped}`;
    notes.push(note);
    say(note);
  } else if (typeof nat.cudaTimeKernel !== 'function') {
    gpuSkipped = 'this addon has no cudaTimeKernel (the CUDA timing helper)';
    const note = `GPU rows skipped: ${gpuSkipped}`;
    notes.push(note);
    say(note);
  } else {
    gpuName = cuda.devices()[0]?.name ?? 'CUDA device 0';
    const gpuGood: Case[] = [];
    for (const c of good) {
      const run: Check = (x, dy) => ({
        forward: c.fn.forward(x, { device: 'cuda' }),
        backward: c.fn.backward(x, dy, { device: 'cuda' }),
      });
      const pg = (x: Float32Array, dy: Float32Array) => Object.values(c.fn.paramGrad(x, dy, { device: 'cuda' }));
      let problems: string[];
      try {
        problems = checkCase(c, run, c.paramRef ? pg : undefined);
      } catch (e) {
        problems = [`the check threw: ${(e as Error).message}`];
      }
      if (problems.length) {
        const note = `${c.name} on the GPU is WRONG, its times are not reported: ${problems.join('; ')}`;
        notes.push(note);
        warn(note);
      } else gpuGood.push(c);
    }
    say(`checked on the GPU (${gpuName}): ${gpuGood.length} of ${good.length} activations right`);
    const kernelMs = (pass: string, code: Float64Array, n: number): number => {
      const probe = nat.cudaTimeKernel(pass, code, n, 3, 0) as number;
      const iterations = Math.min(2000, Math.max(5, Math.ceil(50 / probe)));
      const runs = [0, 1, 2].map(() => nat.cudaTimeKernel(pass, code, n, iterations, 0) as number);
      return runs.sort((a, b) => a - b)[1];
    };
    const reluCode = ak.relu.code;
    const l2 = cuda.devices()[0]?.l2CacheSize;
    for (const n of opts.gpuSizes) {
      const base = { backend: 'cuda' as const, threads: 1, n };
      const resident = (pass: Pass) => (cacheResident(pass, n, l2) ? { cacheResident: true } : {});
      tasks.push({
        label: `gpu ${pow2(n)} copy`,
        async run() {
          try {
            measured.push({
              ...base,
              ...resident('forward'),
              activation: 'copy',
              pass: 'forward',
              ms: kernelMs('copy', reluCode, n),
            });
          } catch (e) {
            const note = `GPU device-to-device copy not timed at ${pow2(n)}: ${(e as Error).message}`;
            notes.push(note);
            warn(note);
          }
        },
      });
      for (const c of gpuGood)
        for (const pass of (c.paramRef ? ['forward', 'backward', 'paramGrad'] : ['forward', 'backward']) as Pass[])
          tasks.push({
            label: `gpu ${pow2(n)} ${c.name} ${pass}`,
            async run() {
              measured.push({ ...base, ...resident(pass), activation: c.name, pass, ms: kernelMs(pass, c.fn.code, n) });
            },
          });
    }
    // The round trip: a host array with device: 'cuda' (upload, kernel, download), at the host sizes.
    for (const n of opts.hostSizes)
      for (const c of gpuGood.filter((g) => g.name === 'relu' || g.name === 'mish'))
        for (const pass of ['forward', 'backward'] as const)
          tasks.push({
            label: `gpu round trip ${pow2(n)} ${c.name} ${pass}`,
            async run() {
              const call =
                pass === 'forward'
                  ? () => {
                      const d = arrays(n);
                      c.fn.forward(d.x, { out: d.out, device: 'cuda' });
                    }
                  : () => {
                      const d = arrays(n);
                      c.fn.backward(d.x, d.dy, { out: d.out, device: 'cuda' });
                    };
              const r = await time(call, budget);
              measured.push({ backend: 'cuda', threads: 1, n, activation: c.name, pass, ms: r.ms, roundTrip: true });
            },
          });
    notes.push(
      'GPU: ms per launch from CUDA events around back-to-back launches (median of 3); copy is cudaMemcpy device to device; ' +
        "round-trip rows are host arrays with device: 'cuda' (upload, kernel, download), vsCpu against the CPU with all threads",
      `GPU sizes whose arrays fit in the L2 (${((l2 || DEFAULT_L2_BYTES) / 2 ** 20).toFixed(0)} MiB${l2 ? '' : ', assumed'}) are marked cacheResident ("in L2"): they time the cache; the headline and the targets are 2^26 and up`,
    );
  }

  // 4. Run the plan.
  const progress = new Progress(tasks.length, true);
  const started = Date.now();
  for (const task of tasks) {
    try {
      await task.run();
    } catch (e) {
      const note = `${task.label} failed: ${(e as Error).message}`;
      notes.push(note);
      warn(note);
    }
    progress.tick(task.label);
  }
  progress.finish();
  cpu.setThreads(allThreads);
  data = undefined;
  if (peerDir) fs.rmSync(peerDir, { recursive: true, force: true });

  // 5. Figures, verdicts, output.
  const rows = deriveRows(measured);
  const reluMs = (p: Omit<Peer, 'vsRelu'>) =>
    rows.find(
      (r) =>
        r.backend === 'cpu' && r.activation === 'relu' && r.pass === p.pass && r.n === p.n && r.threads === p.threads,
    )?.ms;
  const oursMs = (p: Omit<Peer, 'vsRelu'>) =>
    rows.find(
      (r) =>
        r.backend === 'cpu' &&
        r.activation === p.activation &&
        r.pass === p.pass &&
        r.n === p.n &&
        r.threads === p.threads,
    )?.ms;
  const peerRows: Peer[] = peers.map((p) => {
    const relu = reluMs(p);
    const own = oursMs(p);
    return { ...p, vsRelu: relu ? p.ms / relu : null, vsOurs: own ? own / p.ms : null };
  });
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    isa: cpu.isa(),
    threads: allThreads,
    gpu: gpuName,
    node: process.version,
  };
  const load = { start: loadStart, end: os.loadavg()[0], cores: os.cpus().length };
  notes.push(
    `the run took ${((Date.now() - started) / 1e3).toFixed(0)} s; load average ${load.start.toFixed(1)} at the start, ${load.end.toFixed(1)} at the end, on ${load.cores} cores`,
  );
  const doc: Results = {
    machine,
    date: new Date().toISOString(),
    mode: opts.mode,
    load,
    ...(commit ? { commit } : {}),
    bytes: BYTES_NOTE,
    notes,
    rows,
    peers: peerRows,
    ...(nativePeers ? { nativePeers, accuracy } : {}),
    verdicts: verdicts(rows, peerRows, gpuSkipped),
  };
  checkSchema(doc);
  if (opts.jsonOnly) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  say('');
  say(terminalReport(doc));
  const outDir = path.resolve(root, opts.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const suffix = opts.mode === 'full' ? '' : `-${opts.mode}`;
  const base = `${machineName(machine.cpu, machine.threads, machine.gpu)}-${doc.date.slice(0, 10)}${suffix}`;
  fs.writeFileSync(path.join(outDir, `${base}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, `${base}.svg`), chart(doc));
  fs.writeFileSync(path.join(outDir, `${base}.md`), markdownReport(doc, `${base}.svg`));
  say('');
  say(`wrote ${path.relative(process.cwd(), path.join(outDir, base))}.{json,md,svg}`);
}

main().then(
  () => process.exit(), // onnxruntime's thread pools would otherwise keep the process a while
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
