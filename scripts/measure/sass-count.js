#!/usr/bin/env node
// npm run bench:sass: the machine code of the built addon's elementwise CUDA kernels, counted.
// It builds nothing: it disassembles the sm_90 code in build/Release/activation_kernels.node
// (cuobjdump -sass) and prints, for every kernel and pass, the SASS instructions per element of
// its main loop (the 16-byte-aligned body, where the time goes), and that count against the
// budget at which compute, not memory, would set the speed on an H100 and an H200.
//
// The budget: 1.75 GHz x 132 SMs x 4 warp instructions a clock (32 elements each), spread over the elements the memory
// delivers a second (H200 4.8 TB/s, H100 3.35 TB/s; 8 bytes an element forward, 12 backward).
// The goal (docs/development.md): at most 45 forward and 68 backward per element at the
// defaults (the H200 budget with 10% to spare), 1.3x that for aptx at other parameters and for
// two-op blends.
//
// Counting: the main loop is the loop whose body stores the most 16-byte vectors (STG.E.128),
// with the fewest loads among those (the aligned one: there are also loops for inputs at other
// offsets). Every
// instruction of a path from its head to its back branch counts once (NOPs excepted); where the
// body branches, the shortest and longest paths are both given; an indirect branch (BRX, a jump
// table) or a call (CALL) is one instruction and marked. Per element: the path over the floats
// the body stores.
//
//   npm run bench:sass [-- --json] [-- --addon FILE]
// Needs cuobjdump (CUDA's; nvcc's own install here lacks it): CUOBJDUMP=path, else
// build-sass/root/usr/bin/cuobjdump, else cuobjdump on PATH. docs/development.md says how to
// get it without installing anything.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..', '..');

const CLOCK_HZ = 1.75e9;
const SMS = 132;
const ISSUE = 4; // warp instructions a clock per SM
const WARP = 32; // threads (elements) a warp instruction serves
const GPUS = { H200: 4.8e12, H100: 3.35e12 };
const BYTES = { forward: 8, backward: 12 };
const GOAL = { forward: 45, backward: 68 };
const GOAL_SLACK = 1.3; // aptx at other parameters, two-op blends

/** Instructions per element that compute can afford while memory moves `bytes` an element. */
function budget(gpu, pass) {
  return (CLOCK_HZ * SMS * ISSUE * WARP) / (GPUS[gpu] / BYTES[pass]);
}

function findTool(name) {
  const env = process.env[name.toUpperCase()];
  const candidates = [env, path.join(root, 'build-sass/root/usr/bin', name), name].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return null;
}

const HOW_TO_GET = `cuobjdump was not found (nvcc's own install here does not have it). To get it without
installing anything system-wide, from Debian's non-free nvidia-cuda-toolkit package:
  mkdir -p build-sass/apt/lists/partial build-sass/apt/cache/archives/partial && cd build-sass
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  printf 'deb %s trixie main contrib non-free\\n' "$mirror" > apt/sources.list
  A="-o Dir::Etc::sourcelist=$PWD/apt/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$PWD/apt/lists -o Dir::Cache=$PWD/apt/cache -o Debug::NoLocking=1"
  apt-get $A update && apt-get $A download nvidia-cuda-toolkit && dpkg -x nvidia-cuda-toolkit_*.deb root
then run this again (or set CUOBJDUMP to a cuobjdump that reads sm_90).`;

/** { name, lines: [{ addr, op, text }] } for every function of the sm_90 SASS listing. */
function parseListing(text) {
  const functions = [];
  let current = null;
  for (const line of text.split('\n')) {
    const f = line.match(/Function : (\S+)/);
    if (f) {
      current = { name: f[1], lines: [] };
      functions.push(current);
      continue;
    }
    const m = current && line.match(/^\s+\/\*([0-9a-f]{4,})\*\/\s+(.*?);/);
    if (!m) continue;
    const text = m[2].trim();
    const op = text.replace(/^@!?U?P\w+\s+/, '').split(/\s+/)[0];
    current.lines.push({ addr: Number.parseInt(m[1], 16), op, text });
  }
  return functions;
}

const isUnconditional = (l) => !/^@/.test(l.text);
const branchTarget = (l) => {
  if (!/^BRA\b/.test(l.op)) return null;
  const t = l.text.match(/0x([0-9a-f]+)\s*$/);
  return t ? Number.parseInt(t[1], 16) : null;
};

/** The loops of a function: back branches (target at or before the branch), as index ranges. */
function loopsOf(lines) {
  const index = new Map(lines.map((l, i) => [l.addr, i]));
  const loops = [];
  for (const [i, l] of lines.entries()) {
    const t = branchTarget(l);
    if (t !== null && t <= l.addr && index.has(t)) loops.push({ head: index.get(t), tail: i });
  }
  return loops;
}

/** Shortest and longest paths (instructions, NOPs excepted) from the loop head to its back branch. */
function pathLengths(lines, loop) {
  const { head, tail } = loop;
  const index = new Map(lines.map((l, i) => [l.addr, i]));
  const min = new Array(lines.length).fill(Number.POSITIVE_INFINITY);
  const max = new Array(lines.length).fill(Number.NEGATIVE_INFINITY);
  const cost = (l) => (l.op === 'NOP' ? 0 : 1);
  min[head] = cost(lines[head]);
  max[head] = cost(lines[head]);
  const marks = new Set();
  for (let i = head; i < tail; i++) {
    if (!Number.isFinite(min[i])) continue;
    const l = lines[i];
    if (l.op.startsWith('BRX')) marks.add('BRX');
    if (l.op.startsWith('CALL')) marks.add('CALL');
    const next = [];
    const t = branchTarget(l);
    const stops = l.op === 'EXIT' || l.op === 'RET' || l.op.startsWith('BRX');
    if (!(stops || (t !== null && isUnconditional(l)))) next.push(i + 1);
    if (l.op.startsWith('BRX') && !isUnconditional(l)) next.push(i + 1);
    // forward branches inside the body; inner back branches are taken as not taken
    if (t !== null && t > l.addr && index.has(t) && index.get(t) <= tail) next.push(index.get(t));
    for (const j of next) {
      min[j] = Math.min(min[j], min[i] + cost(lines[j]));
      max[j] = Math.max(max[j], max[i] + cost(lines[j]));
    }
  }
  return { min: min[tail], max: max[tail], marks: [...marks] };
}

/** The main loop's counts of one kernel: per element, shortest and longest path. */
function mainLoop(fn) {
  const loops = loopsOf(fn.lines);
  const body = (lp) => fn.lines.slice(lp.head, lp.tail + 1);
  const stores = (lp) => body(lp).filter((l) => l.op === 'STG.E.128').length;
  const loads = (lp) => body(lp).filter((l) => l.op.startsWith('LDG')).length;
  const candidates = loops.filter((lp) => stores(lp) > 0);
  if (candidates.length === 0) return null;
  // the most elements an iteration, then the fewest loads (the aligned loop), then the shortest
  candidates.sort((a, b) => stores(b) - stores(a) || loads(a) - loads(b) || a.tail - a.head - (b.tail - b.head));
  const lp = candidates[0];
  const { min, max, marks } = pathLengths(fn.lines, lp);
  const elements = 4 * stores(lp);
  // a jump table in the body: its paths cannot be followed, the count is unknown
  if (!Number.isFinite(min))
    return {
      instructions: null,
      elements,
      perElement: null,
      loads16: 0,
      loopInstructions: lp.tail - lp.head + 1,
      marks,
    };
  const wide = body(lp).filter((l) => l.op === 'LDG.E.128').length;
  const dispatches = body(lp).filter((l) => l.op.startsWith('BRX')).length;
  const inner = loops.filter((o) => o !== lp && o.head >= lp.head && o.tail <= lp.tail).length;
  return {
    instructions: { min, max },
    elements,
    perElement: { min: min / elements, max: max / elements },
    loads16: wide,
    loopInstructions: lp.tail - lp.head + 1,
    marks,
    dispatches,
    innerLoops: inner,
  };
}

/** What a kernel computes, from its demangled name: { kind, fn, pass } or null. */
function describe(demangled) {
  if (!/elementwise</.test(demangled)) return null;
  const pass = /Map1</.test(demangled) ? 'forward' : /Map2</.test(demangled) ? 'backward' : null;
  if (!pass) return null;
  const op = demangled.match(/OpFn<ak::gpu::(?:ForwardOf|BackwardOf), ak::cuda::(\w+)>/);
  if (op) return { kind: 'op', fn: op[1], pass };
  if (/BlendFn</.test(demangled)) return { kind: 'blend', fn: 'blend (two ops)', pass };
  if (/ProgramFn</.test(demangled)) return { kind: 'interpreter', fn: 'blend tree', pass };
  return { kind: 'other', fn: demangled, pass };
}

/**
 * The goal of a kernel described by describe(), among kernels of the functions fns: the default
 * one for an op at its defaults, 1.3x that for a two-op blend and for a formula's general kernel
 * where it has a plain variant (SwishPlain; AptxPlain and its AptxPlainExact, the kernel at the
 * defaults): that kernel runs only at other parameters. Nested blends (the interpreter): null,
 * their count depends on the program.
 */
function goalOf(what, fns) {
  if (what.kind === 'interpreter') return null;
  const general = fns.some((f) => f !== what.fn && f.startsWith(what.fn) && f.includes('Plain'));
  return GOAL[what.pass] * (what.kind === 'op' && !general ? 1 : GOAL_SLACK);
}

function demangleAll(names) {
  const tool = findTool('c++filt') ?? findTool('cu++filt');
  if (!tool) return names;
  const r = spawnSync(tool, [], { input: names.join('\n'), encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n') : names;
}

function main(argv) {
  const json = argv.includes('--json');
  const ai = argv.indexOf('--addon');
  const addon = ai >= 0 ? argv[ai + 1] : path.join(root, 'build/Release/activation_kernels.node');
  if (!fs.existsSync(addon)) {
    console.error(`bench:sass: ${addon} not found: build the addon with CUDA first (npm run build:addon)`);
    return 2;
  }
  const cuobjdump = findTool('cuobjdump');
  if (!cuobjdump) {
    console.error(`bench:sass: ${HOW_TO_GET}`);
    return 2;
  }
  const r = spawnSync(cuobjdump, ['-sass', '-arch', 'sm_90', addon], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) {
    console.error(`bench:sass: ${cuobjdump} -sass failed: ${r.stderr.trim()}`);
    return 2;
  }
  const functions = parseListing(r.stdout);
  if (functions.length === 0) {
    console.error('bench:sass: no sm_90 code in the addon (built without CUDA, or without sm_90?)');
    return 2;
  }
  const names = demangleAll(functions.map((f) => f.name));
  const fns = names.map((n) => describe(n)?.fn).filter(Boolean);
  const rows = [];
  for (const [i, fn] of functions.entries()) {
    const what = describe(names[i]);
    if (!what) continue;
    const loop = mainLoop(fn);
    if (!loop) continue;
    const goal = goalOf(what, fns);
    const per = loop.perElement;
    rows.push({
      function: what.fn,
      kind: what.kind,
      pass: what.pass,
      perElement: loop.perElement,
      instructions: loop.instructions,
      elementsPerIteration: loop.elements,
      loads16PerIteration: loop.loads16,
      marks: loop.marks,
      // indirect branches (jump tables: a run-time op dispatch) in the loop body, and loops
      // inside it (the interpreter's loop over the program, counted once)
      dispatchesPerIteration: loop.dispatches,
      innerLoops: loop.innerLoops,
      budget: { H100: budget('H100', what.pass), H200: budget('H200', what.pass) },
      ratio: per && {
        H100: per.max / budget('H100', what.pass),
        H200: per.max / budget('H200', what.pass),
      },
      goal,
      // within the instructions, with two 16-byte loads in flight and no run-time op dispatch in the
      // loop (a count through a jump table would not be a count)
      meetsGoal: goal === null ? null : per !== null && per.max <= goal && loop.loads16 >= 2 && loop.dispatches === 0,
    });
  }
  rows.sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.function.localeCompare(b.function) || a.pass.localeCompare(b.pass),
  );
  if (json) {
    const tool = cuobjdump.startsWith(root) ? path.relative(root, cuobjdump) : cuobjdump;
    console.log(JSON.stringify({ addon: path.relative(root, addon), arch: 'sm_90', cuobjdump: tool, rows }, null, 2));
    return 0;
  }
  const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const range = (p) => (p === null ? '?' : p.min === p.max ? fmt(p.max) : `${fmt(p.min)}-${fmt(p.max)}`);
  const head = [
    'function',
    'pass',
    'instr/elem',
    'elem/iter',
    '16B loads/iter',
    'H100 ratio',
    'H200 ratio',
    'goal',
    'met',
    'notes',
  ];
  const body = rows.map((row) => [
    row.function,
    row.pass,
    range(row.perElement),
    String(row.elementsPerIteration),
    String(row.loads16PerIteration),
    row.ratio ? row.ratio.H100.toFixed(2) : '?',
    row.ratio ? row.ratio.H200.toFixed(2) : '?',
    row.goal === null ? '-' : fmt(row.goal),
    row.meetsGoal === null ? '-' : row.meetsGoal ? 'yes' : 'NO',
    [
      ...row.marks.filter((m) => m !== 'BRX'),
      ...(row.dispatchesPerIteration
        ? [
            `${row.dispatchesPerIteration} BRX per ${row.elementsPerIteration} elements (op dispatch; paths through it not counted)`,
          ]
        : []),
      ...(row.innerLoops ? [`${row.innerLoops} inner loop(s) counted once`] : []),
    ].join('; '),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells) =>
    cells
      .map((v, c) => v.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  console.log(
    `sm_90 SASS of ${path.relative(root, addon)}: main loop instructions per element (longest path against the budget)`,
  );
  console.log(
    `budget per element: H100 ${budget('H100', 'forward').toFixed(1)} forward, ${budget('H100', 'backward').toFixed(1)} backward; H200 ${budget('H200', 'forward').toFixed(1)} forward, ${budget('H200', 'backward').toFixed(1)} backward (ratio > 1: compute-bound)`,
  );
  console.log(line(head));
  for (const b of body) console.log(line(b));
  const judged = rows.filter((row) => row.meetsGoal !== null);
  const met = judged.filter((row) => row.meetsGoal).length;
  console.log(`${met} of ${judged.length} kernels within the goal (nested blends are not judged)`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { parseListing, loopsOf, pathLengths, mainLoop, describe, goalOf, budget };
