// worker_threads (docs/threads.md): the addon is context-aware. It loads and computes in the main
// thread and in several workers at once, each with its own settings, and a terminated worker
// leaves nothing behind.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { cpu, mish } from '../lib';
import { collectGarbage, floats, sameBits } from './helpers/data';

const dist = path.join(__dirname, '..', 'dist', 'index.js');

// A worker that sets its thread count, computes mish of x, and answers with what it saw.
const computeInWorker = `
  const { parentPort, workerData } = require('worker_threads');
  const ak = require(workerData.dist);
  ak.cpu.setThreads(workerData.threads);
  parentPort.once('message', async (x) => {
    const y = ak.mish.forward(x);
    const yAsync = await ak.mish.forwardAsync(x);
    // Let every worker set its count before any reports it.
    await new Promise((r) => setTimeout(r, 100));
    parentPort.postMessage({ y, yAsync, threads: ak.cpu.threads() });
  });
`;

function start(threads: number): Worker {
  return new Worker(computeInWorker, { eval: true, workerData: { dist, threads } });
}

function answer(w: Worker, x: Float32Array): Promise<{ y: Float32Array; yAsync: Float32Array; threads: number }> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.postMessage(x);
  });
}

describe('worker_threads', () => {
  it('several workers compute at once, each with its own thread count', async () => {
    const x = floats(300_001, 7);
    const expected = mish.forward(x);
    const mainThreads = cpu.threads();
    const workers = [1, 2, 3, 4].map(start);
    try {
      const answers = await Promise.all(workers.map((w) => answer(w, x)));
      answers.forEach((a, i) => {
        expect(a.threads).toBe(i + 1);
        expect(sameBits(a.y, expected)).toBe(true);
        expect(sameBits(a.yAsync, expected)).toBe(true);
      });
      expect(cpu.threads()).toBe(mainThreads); // the workers' settings stayed theirs
      expect(sameBits(mish.forward(x), expected)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });

  it('creating, using and terminating workers many times leaves the RSS flat', async () => {
    const x = floats(1 << 18, 8);
    const cycle = async () => {
      const w = start(2);
      await answer(w, x);
      await w.terminate();
    };
    for (let i = 0; i < 5; i++) await cycle(); // warm up: code, pools, allocator arenas
    collectGarbage();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 40; i++) await cycle();
    collectGarbage();
    const growth = process.memoryUsage().rss - before;
    // A leaked worker context alone would be several MB; forty of them far more.
    expect(growth).toBeLessThan(40 * 2 ** 20);
  });
});
