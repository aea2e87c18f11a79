// Async calls and threads (docs/threads.md): async gives the bits of sync, keeps its arrays alive, runs
// many at once and never blocks the event loop; every thread count gives the same bits.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aptx, blend, cpu, hardMish, mish, relu, swish } from '../lib';
import { collectGarbage, floats, sameBits } from './helpers/data';
import { rows } from './table';

const initialThreads = cpu.threads();
afterEach(() => cpu.setThreads(initialThreads));
const dist = path.join(__dirname, '..', 'dist', 'index.js');
const trainable = rows.filter((r) => r.fn.gradNames.length > 0);

describe('async calls', () => {
  it('give the same bits as the sync calls, for every function, paramGrad included', async () => {
    const x = floats(100_003, 1);
    const dy = floats(100_003, 2);
    for (const { name, fn } of rows) {
      expect(sameBits(await fn.forwardAsync(x), fn.forward(x)), `${name} forward`).toBe(true);
      expect(sameBits(await fn.backwardAsync(x, dy), fn.backward(x, dy)), `${name} backward`).toBe(true);
    }
    for (const { name, fn } of trainable)
      expect(await fn.paramGradAsync(x, dy), `${name} paramGrad`).toEqual(fn.paramGrad(x, dy));
  });

  it('keep their arrays alive: nothing else holds them while the garbage collector runs', async () => {
    const pending = Array.from({ length: 8 }, (_, i) => {
      const out = new Float32Array(200_000);
      return mish.backwardAsync(floats(200_000, i), floats(200_000, 100 + i), { out });
    });
    for (let i = 0; i < 5; i++) {
      new Array(1e5).fill({}); // garbage
      collectGarbage();
    }
    const results = await Promise.all(pending);
    results.forEach((g, i) => {
      expect(sameBits(g, mish.backward(floats(200_000, i), floats(200_000, 100 + i)))).toBe(true);
    });
  });

  it('sixteen at once on overlapping views of one buffer all return the right values', async () => {
    const shared = floats(400_000, 3);
    const dy = floats(400_000, 4);
    const fns = [mish, relu, hardMish, swish({ beta: 1.5 }), aptx, blend(mish, hardMish, 0.5)];
    const calls = Array.from({ length: 16 }, (_, i) => {
      const f = fns[i % fns.length];
      const x = shared.subarray(i * 17_001, i * 17_001 + 150_000 + i);
      const d = dy.subarray(i * 9_001, i * 9_001 + x.length);
      const kind = i % 3;
      const result = kind === 0 ? f.forwardAsync(x) : kind === 1 ? f.backwardAsync(x, d) : aptx.paramGradAsync(x, d);
      const expected = kind === 0 ? f.forward(x) : kind === 1 ? f.backward(x, d) : aptx.paramGrad(x, d);
      return { result, expected };
    });
    for (const { result, expected } of calls) {
      const got = await result;
      if (got instanceof Float32Array) expect(sameBits(got, expected as Float32Array)).toBe(true);
      else expect(got).toEqual(expected);
    }
    expect(sameBits(shared, floats(400_000, 3))).toBe(true); // the inputs are untouched
  });

  it('never block the event loop: a 1 ms interval keeps firing while 2^25 elements are computed', async () => {
    const x = floats(1 << 25, 5);
    cpu.setThreads(1); // the longest call this machine can make of it (15 ms or more)
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await mish.forwardAsync(x, { out: x });
    clearInterval(timer);
    // Blocked, the loop could tick at most once, after the call; free, it ticks all along.
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('report a buffer transferred away while they ran as a TypeError, without crashing', async () => {
    const x = floats(1 << 22, 6);
    const pending = mish.forwardAsync(x, { out: x });
    const moved = new Float32Array(structuredClone(x.buffer, { transfer: [x.buffer] }));
    await expect(pending).rejects.toThrow(
      new TypeError(
        'Expected a Float32Array of 4194304 elements, attached and not resized until the call settled, for out but received one detached (transferred) while the call ran; nothing was written to it',
      ),
    );
    expect(sameBits(moved, floats(1 << 22, 6))).toBe(true); // the receiver's memory untouched
  });
});

describe('threads', () => {
  it('cpu.threads() defaults to every core and cpu.setThreads(n) sets it', () => {
    expect(initialThreads).toBeGreaterThanOrEqual(1);
    cpu.setThreads(3);
    expect(cpu.threads()).toBe(3);
  });

  // Around the block (2^14) and the parallel threshold (2^16) boundaries.
  const sizes = [1, 16_383, 16_384, 16_385, 65_537, 3 * 16_384 + 5, 262_143, 262_144, 262_145, 1_000_003];
  it.each(sizes)('1 to 4 threads give the same bits at length %i, paramGrad included', (n) => {
    const x = floats(n, n);
    const dy = floats(n, n + 1);
    for (const { name, fn } of rows) {
      cpu.setThreads(1);
      const y = fn.forward(x);
      const g = fn.backward(x, dy);
      const p = fn.gradNames.length > 0 ? fn.paramGrad(x, dy) : undefined;
      for (let t = 2; t <= 4; t++) {
        cpu.setThreads(t);
        expect(sameBits(fn.forward(x), y), `${name} forward, ${t} threads`).toBe(true);
        expect(sameBits(fn.backward(x, dy), g), `${name} backward, ${t} threads`).toBe(true);
        if (p) expect(fn.paramGrad(x, dy), `${name} paramGrad, ${t} threads`).toEqual(p);
      }
    }
  });
});

// Runs a script in a fresh node (with the built package) and says how it ended.
function node(script: string, timeout = 60_000) {
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, AK: dist },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('the thread pool', () => {
  it.skipIf(process.platform !== 'linux')('starts on the first large call, not before', () => {
    const r = node(`
      const threads = () => Number(/Threads:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]);
      const ak = require(process.env.AK);
      ak.cpu.setThreads(4);
      ak.mish.forward(new Float32Array(1000));
      const before = threads();
      ak.mish.forward(new Float32Array(1 << 20));
      console.log(JSON.stringify({ before, after: threads() }));
    `);
    expect(r.status, r.stderr).toBe(0);
    const { before, after } = JSON.parse(r.stdout);
    expect(after - before).toBe(3); // the caller and three helpers
  });

  it('lets the process exit at once after threaded calls', () => {
    const r = node(`
      const ak = require(process.env.AK);
      ak.cpu.setThreads(4);
      const x = new Float32Array(1 << 22);
      ak.mish.forward(x, { out: x });
      ak.aptx.paramGrad(x, x);
      ak.mish.forwardAsync(x).then(() => console.log('done'));
    `);
    expect(r.signal, 'killed by the timeout: exit hung').toBe(null);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('done\n');
  });

  it('lets a process exit that terminates a worker in the middle of threaded calls', () => {
    const r = node(`
      const { Worker } = require('worker_threads');
      const w = new Worker(\`
        const ak = require(process.env.AK);
        ak.cpu.setThreads(4);
        const x = new Float32Array(1 << 22);
        require('worker_threads').parentPort.postMessage('running');
        for (;;) { ak.mish.forward(x, { out: x }); ak.mish.forwardAsync(x); }
      \`, { eval: true });
      w.once('message', () => setTimeout(() => w.terminate().then((code) => console.log('terminated', code)), 50));
    `);
    expect(r.signal, 'killed by the timeout: exit hung').toBe(null);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('terminated 1\n');
  });
});
