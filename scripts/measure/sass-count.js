#!/usr/bin/env node
// npm run bench:sass: the machine code of the built addon's elementwise CUDA kernels, counted.
// It builds nothing: it disassembles the sm_90 code in build/Release/activation_kernels.node
// (cuobjdump -sass) and prints, for every kernel and pass, the SASS instructions per element of
// its main loop (the 16-byte-aligned body, where the time goes), and that count against the
// budget at which compute, not memory, would set the speed on an H100 and an H200.
//
// The budget: 1.75 GHz x 132 SMs x 4 warp instructions a clock (32 elements each), spread over
// the elements the memory delivers a second (H200 4.8 TB/s, H100 3.35 TB/s; 8 bytes an element
// forward, 12 backward). The goal (docs/development.md): at most 45 forward and 68 backward per
// element at the defaults (the H200 budget with 10% to spare), 1.3x that for aptx at other
// parameters and for two-op blends.
//
// Counting: the main loop is the loop whose body stores the most 16-byte vectors (STG.E.128),
// with the fewest loads among those (the aligned one: there are also loops for inputs at other
// offsets). Every instruction of a path from its head to its back branch counts once (NOPs
// excepted); where the body branches, the shortest and longest paths are both given; an indirect
// branch (BRX, a jump table) or a call (CALL) is one instruction and marked. Per element: the
// path over the floats the body stores. A two-op blend's kernel picks its ops at run time, so it
// is counted once for every pair of ops, its dispatch followed for that pair (sass-dispatch.js,
// with the jump tables from cuobjdump -elf) at t = 1/2; each side's parameters stay open (its
// longest path).
//
//   npm run bench:sass [-- --json] [-- --addon FILE]
// Needs cuobjdump (CUDA's; nvcc's own install here lacks it): CUOBJDUMP=path, else
// build-sass/root/usr/bin/cuobjdump, else cuobjdump on PATH. docs/development.md says how to
// get it without installing anything.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { jumpTables, opFlow } = require('./sass-dispatch.js');

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

/**
 * Shortest and longest paths (instructions, NOPs excepted) from the loop head to its back branch.
 * With a flow (sass-dispatch.js), the branches it resolves take one way: the paths of one pair of
 * ops through a blend's dispatch.
 */
function pathLengths(lines, loop, flow = null) {
  const { head, tail } = loop;
  if (!flow) return walk(lines, head, tail, null, null);
  // the op values as the loop receives them (from the code before it), kept only where the back
  // branch brings the same ones round again
  let state = walk(lines, 0, head, flow, flow.initial).states[head] ?? flow.initial;
  for (;;) {
    const r = walk(lines, head, tail, flow, state);
    const again = flow.meet(state, r.after ?? state);
    if (Object.keys(again).length === Object.keys(state).length) return r; // meet only drops
    state = again;
  }
}

function walk(lines, from, to, flow, init) {
  const index = new Map(lines.map((l, i) => [l.addr, i]));
  const min = new Array(lines.length).fill(Number.POSITIVE_INFINITY);
  const max = new Array(lines.length).fill(Number.NEGATIVE_INFINITY);
  const states = flow ? new Array(lines.length) : null;
  const cost = (l) => (l.op === 'NOP' ? 0 : 1);
  min[from] = cost(lines[from]);
  max[from] = cost(lines[from]);
  if (flow) states[from] = init;
  const marks = new Set();
  let after = null;
  const inside = (t) => t !== null && index.has(t) && index.get(t) > from && index.get(t) <= to;
  for (let i = from; i <= to; i++) {
    if (!Number.isFinite(min[i])) continue;
    const l = lines[i];
    const { state, taken, jump } = flow ? flow.step(l, states[i]) : { state: null, taken: null, jump: null };
    if (i === to) {
      after = state;
      break;
    }
    const brx = l.op.startsWith('BRX');
    if (brx && jump === null) marks.add('BRX');
    if (l.op.startsWith('CALL')) marks.add('CALL');
    const next = [];
    const t = branchTarget(l);
    if (brx && jump !== null) {
      if (inside(jump) && index.get(jump) > i) next.push(index.get(jump));
    } else {
      const stops = l.op === 'EXIT' || l.op === 'RET' || brx;
      if (!(stops || (t !== null && (isUnconditional(l) || taken === true)))) next.push(i + 1);
      if (brx && !isUnconditional(l)) next.push(i + 1);
      // forward branches inside the body; inner back branches are taken as not taken
      if (t !== null && t > l.addr && inside(t) && taken !== false) next.push(index.get(t));
    }
    for (const j of next) {
      min[j] = Math.min(min[j], min[i] + cost(lines[j]));
      max[j] = Math.max(max[j], max[i] + cost(lines[j]));
      if (flow) states[j] = states[j] === undefined ? state : flow.meet(states[j], state);
    }
  }
  return { min: min[to], max: max[to], marks: [...marks], states, after };
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
  // through a jump table (a blend's op dispatch) the paths are not followed here: blendPairs does
  const counted = Number.isFinite(min);
  return {
    lp,
    instructions: counted ? { min, max } : null,
    elements,
    perElement: counted ? { min: min / elements, max: max / elements } : null,
    loads16: body(lp).filter((l) => l.op === 'LDG.E.128').length,
    loopInstructions: lp.tail - lp.head + 1,
    marks,
    dispatches: body(lp).filter((l) => l.op.startsWith('BRX')).length,
    innerLoops: loops.filter((o) => o !== lp && o.head >= lp.head && o.tail <= lp.tail).length,
  };
}

/** The ops in the order of their numbers: the registry's lines (cpp/ops.h). */
function registryOps(text = fs.readFileSync(path.join(root, 'cpp/ops.h'), 'utf8')) {
  return [...text.matchAll(/^\s*X\((\w+),/gm)].map((m) => m[1]);
}

// Where a two-op blend's kernel finds its ops and t: BlendFn's first three words
// (cuda/device_ops.cuh), at the start of the kernel's parameters (sm_90: constant bank 0 from
// offset 0x210). The pairs are counted at t = 1/2, a blend strictly between its sides (at t = 0
// or 1 the kernel returns one side as it is).
const BLEND_OPS_AT = [0x210, 0x214];
const BLEND_T_AT = 0x218;
const HALF_BITS = 0x3f000000;

/**
 * A two-op blend's main loop counted for every pair of ops, each through its own dispatch (the
 * jump tables of its kernel, table): [{ a, b, min, max }] per element.
 */
function blendPairs(fn, loop, table, ops) {
  const pairs = [];
  for (const [i, a] of ops.entries())
    for (const [j, b] of ops.entries()) {
      const flow = opFlow(
        new Map([
          [BLEND_OPS_AT[0], i],
          [BLEND_OPS_AT[1], j],
          [BLEND_T_AT, HALF_BITS],
        ]),
        table,
      );
      const r = pathLengths(fn.lines, loop.lp, flow);
      const resolved = Number.isFinite(r.min) && !r.marks.includes('BRX');
      pairs.push({
        a,
        b,
        min: resolved ? r.min / loop.elements : null,
        max: resolved ? r.max / loop.elements : null,
        marks: r.marks,
      });
    }
  return pairs;
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

/** Whether kernel function f is a plain variant of op (SwishPlain of Swish; AptxPlainExact of Aptx
 * and of AptxPlain), not another function (Relu6 of Relu, GeluTanh of Gelu). */
const isVariantOf = (f, op) => f !== op && f.startsWith(op) && f.includes('Plain');

/**
 * The goal of a kernel described by describe(), among kernels of the functions fns: the default
 * one for an op at its defaults, 1.3x that for a two-op blend and for a formula's general kernel
 * where it has a plain variant (SwishPlain, SoftplusPlain; AptxPlain and its AptxPlainExact, the
 * kernel at the defaults): that kernel runs only at other parameters. Nested blends (the
 * interpreter): null, their count depends on the program.
 */
function goalOf(what, fns) {
  if (what.kind === 'interpreter') return null;
  const general = fns.some((f) => isVariantOf(f, what.fn));
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
  const dump = (what) => {
    const r = spawnSync(cuobjdump, [what, '-arch', 'sm_90', addon], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`bench:sass: ${cuobjdump} ${what} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  let functions;
  let tables;
  try {
    functions = parseListing(dump('-sass'));
    tables = jumpTables(dump('-elf'));
  } catch (e) {
    console.error(e.message);
    return 2;
  }
  if (functions.length === 0) {
    console.error('bench:sass: no sm_90 code in the addon (built without CUDA, or without sm_90?)');
    return 2;
  }
  const names = demangleAll(functions.map((f) => f.name));
  const fns = names.map((n) => describe(n)?.fn).filter(Boolean);
  const ops = registryOps();
  const rows = [];
  const row = (what, loop, perElement, extra = {}) => ({
    function: what.fn,
    kind: what.kind,
    pass: what.pass,
    perElement,
    elementsPerIteration: loop.elements,
    loads16PerIteration: loop.loads16,
    marks: loop.marks,
    // indirect branches (jump tables: a run-time op dispatch) in the loop body, and loops inside
    // it (the interpreter's loop over the program, counted once)
    dispatchesPerIteration: loop.dispatches,
    innerLoops: loop.innerLoops,
    budget: { H100: budget('H100', what.pass), H200: budget('H200', what.pass) },
    ratio: perElement && {
      H100: perElement.max / budget('H100', what.pass),
      H200: perElement.max / budget('H200', what.pass),
    },
    goal: goalOf(what, fns),
    ...extra,
  });
  const blends = [];
  for (const [i, fn] of functions.entries()) {
    const what = describe(names[i]);
    const loop = what && mainLoop(fn);
    if (!loop) continue;
    if (what.kind === 'blend') {
      blends.push({ what, loop, pairs: blendPairs(fn, loop, tables.get(fn.name) ?? [], ops) });
      continue;
    }
    const r = row(what, loop, loop.perElement, { instructions: loop.instructions });
    // within the instructions, with two 16-byte loads in flight and no run-time op dispatch
    r.meetsGoal =
      r.goal === null
        ? null
        : loop.perElement !== null && loop.perElement.max <= r.goal && loop.loads16 >= 2 && loop.dispatches === 0;
    rows.push(r);
  }
  // A two-op blend is judged by its pairs of functions that are within the goal themselves (at
  // their defaults: a plain variant's kernel where the op has one), each side through its
  // general formula, as the blend runs it. Its dispatch is once a side per iteration.
  const atDefaults = (op) =>
    rows
      .filter((r) => r.kind === 'op' && (r.function === op || isVariantOf(r.function, op)))
      .sort((x, y) => y.function.length - x.function.length);
  for (const { what, loop, pairs } of blends) {
    const within = (op) => atDefaults(op).find((r) => r.pass === what.pass)?.meetsGoal === true;
    const counted = pairs.filter((p) => p.max !== null);
    const perElement =
      counted.length === pairs.length && counted.length > 0
        ? { min: Math.min(...counted.map((p) => p.min)), max: Math.max(...counted.map((p) => p.max)) }
        : null;
    const judged = pairs.filter((p) => within(p.a) && within(p.b));
    const marks = [...new Set(pairs.flatMap((p) => p.marks))];
    const r = row(what, { ...loop, marks }, perElement, { pairs, pairsJudged: judged.length });
    const over = judged.filter((p) => p.max === null || p.max > r.goal);
    const worst = judged.reduce((w, p) => (w === null || (p.max ?? Infinity) > (w.max ?? Infinity) ? p : w), null);
    r.pairsWithinGoal = judged.length - over.length;
    r.worstPair = worst;
    r.meetsGoal = perElement !== null && over.length === 0 && loop.loads16 >= 2;
    rows.push(r);
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
  const notes = (row) => {
    const out = row.marks.filter((m) => m !== 'BRX');
    if (row.pairs) {
      const w = row.worstPair;
      out.push(`${row.pairs.length} pairs of ops counted`);
      out.push(`${row.pairsWithinGoal} of the ${row.pairsJudged} pairs of functions within the goal are within it`);
      if (w) out.push(`worst ${w.a} + ${w.b} ${w.max === null ? '?' : fmt(w.max)}`);
    } else if (row.dispatchesPerIteration) {
      out.push(`${row.dispatchesPerIteration} BRX in the loop (op dispatch; paths through it not counted)`);
    }
    if (row.innerLoops) out.push(`${row.innerLoops} inner loop(s) counted once`);
    return out;
  };
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
    notes(row).join('; '),
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

module.exports = { parseListing, loopsOf, pathLengths, mainLoop, blendPairs, registryOps, describe, goalOf, budget };
