// Host timings with the benchmark package, and the progress bar on stderr.
import Benchmark from 'benchmark';

export interface Timing {
  ms: number; // median of the samples, per call
  rme: number; // relative margin of error of the mean, percent
}

export interface Budget {
  minTime: number; // seconds per sample
  maxTime: number; // seconds per benchmark (at least minSamples samples are taken)
  minSamples: number;
}

/** Times fn (sync), or fn(done) with `deferred` for promise-returning calls. */
export function time(fn: () => unknown, budget: Budget, deferred = false): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const options: Benchmark.Options = {
      ...budget,
      defer: deferred,
      fn: deferred
        ? (d: Benchmark.Deferred) => {
            (fn() as Promise<unknown>).then(
              () => d.resolve(),
              (e) => reject(e),
            );
          }
        : fn,
      onComplete(this: Benchmark) {
        if (this.error) return reject(this.error);
        const sample = [...this.stats.sample].sort((a, b) => a - b);
        const mid = sample.length >> 1;
        const median = sample.length % 2 ? sample[mid] : (sample[mid - 1] + sample[mid]) / 2;
        resolve({ ms: median * 1e3, rme: this.stats.rme });
      },
      onError(this: Benchmark) {
        reject(this.error ?? new Error('benchmark failed'));
      },
    };
    new Benchmark(options).run({ async: true });
  });
}

/** A one-line progress bar on stderr (a line per 10% when stderr is not a terminal). */
export class Progress {
  private done = 0;
  private lastDecile = -1;
  private readonly start = Date.now();

  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  tick(label: string): void {
    this.done++;
    if (!this.enabled) return;
    const frac = this.done / this.total;
    const elapsed = (Date.now() - this.start) / 1e3;
    const eta = frac > 0 ? elapsed / frac - elapsed : 0;
    const status = `${String(Math.round(frac * 100)).padStart(3)}% ${this.done}/${this.total} ${elapsed.toFixed(0)}s, ~${eta.toFixed(0)}s left`;
    if (process.stderr.isTTY) {
      const width = 30;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
      const line = `[${bar}] ${status} ${label}`.slice(0, (process.stderr.columns ?? 100) - 1);
      process.stderr.write(`\r\x1b[K${line}`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) process.stderr.write(`bench: ${status} ${label}\n`);
      this.lastDecile = decile;
    }
  }

  finish(): void {
    if (this.enabled && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  }
}
