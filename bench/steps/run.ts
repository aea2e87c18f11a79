// What the steps of one bench run share: the options, the output, the notes that go into the
// results, the timing budget, the inputs, and the plan of timed tasks with what they measured.
import type { parseArgs } from '../args';
import { inputs } from '../cases';
import type { HalfDtype } from '../half';
import { ak } from '../library';
import type { Measurement, Peer } from '../results';
import { type Budget, Progress } from '../timing';

export interface Task {
  label: string;
  run(): Promise<void>;
}

export interface Run {
  opts: ReturnType<typeof parseArgs>;
  say(line: string): void;
  warn(line: string): void;
  /** what the results say about how they were made */
  notes: string[];
  budget: Budget;
  allThreads: number;
  threadCounts: number[];
  tasks: Task[];
  measured: Measurement[];
  peers: Omit<Peer, 'vsRelu'>[];
  /** x, dy and out of n elements, made once per size (the previous size's are let go first) */
  arrays(n: number): { n: number; x: Float32Array; dy: Float32Array; out: Float32Array };
  /** the same inputs rounded to a 16-bit format, as raw bits, and its out; kept with arrays(n) */
  halfArrays(n: number, dtype: HalfDtype): { x: Uint16Array; dy: Uint16Array; out: Uint16Array };
  release(): void;
}

/** Sizes below this are per-call timings (n = 1 in --quick): one thread, no peers. */
export const PER_CALL_MAX = 2 ** 10;

export function newRun(opts: Run['opts']): Run {
  const allThreads = ak.cpu.threads();
  let data: ReturnType<Run['arrays']> | undefined;
  let halves = new Map<HalfDtype, ReturnType<Run['halfArrays']>>();
  return {
    opts,
    say: (line) => {
      if (!opts.jsonOnly) process.stdout.write(`${line}\n`);
    },
    warn: (line) => process.stderr.write(`bench: ${line}\n`),
    notes: [],
    budget:
      opts.mode === 'quick'
        ? { minTime: 0.02, maxTime: 0.25, minSamples: 5 }
        : { minTime: 0.025, maxTime: 0.35, minSamples: 5 },
    allThreads,
    threadCounts: allThreads > 1 ? [1, allThreads] : [1],
    tasks: [],
    measured: [],
    peers: [],
    arrays(n) {
      if (data?.n !== n) {
        data = undefined; // let the previous size go first
        halves = new Map();
        data = { n, ...inputs(n), out: new Float32Array(n) };
      }
      return data;
    },
    halfArrays(n, dtype) {
      const d = this.arrays(n);
      let h = halves.get(dtype);
      if (!h) {
        h = { x: ak.toHalf(d.x, dtype), dy: ak.toHalf(d.dy, dtype), out: new Uint16Array(n) };
        halves.set(dtype, h);
      }
      return h;
    },
    release() {
      data = undefined;
      halves = new Map();
    },
  };
}

/** A note in the results that the terminal shows too. */
export function notice(run: Run, note: string, warn = false): void {
  run.notes.push(note);
  if (warn) run.warn(note);
  else run.say(note);
}

/** Runs the plan in order; a task that throws becomes a note, and the others go on. */
export async function execute(run: Run): Promise<void> {
  const progress = new Progress(run.tasks.length, true);
  for (const task of run.tasks) {
    try {
      await task.run();
    } catch (e) {
      notice(run, `${task.label} failed: ${(e as Error).message}`, true);
    }
    progress.tick(task.label);
  }
  progress.finish();
  ak.cpu.setThreads(run.allThreads);
  run.release();
}
