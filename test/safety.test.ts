// What a caller (or an attacker) can do to a call that must neither crash the process nor give
// wrong numbers without an error: buffers resized, transferred or dropped while an async call
// runs, threads the system refuses, memory shared through two buffer objects, NaN weights,
// shared activations changed from outside, huge or odd inputs in messages. What could crash
// runs in a child process, so that a crash fails the test instead of the runner.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activation, aptxLayer, cpu, mish, swish } from '../lib';
import { native } from '../lib/native';

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist', 'index.js');

// Runs a script in a fresh node (with the built package in process.env.AK).
function node(script: string, opts: { args?: string[]; env?: NodeJS.ProcessEnv; wrap?: string[] } = {}) {
  const argv = [...(opts.wrap ?? []), process.execPath, ...(opts.args ?? []), '-e', script];
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, AK: dist, ...opts.env },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

// mish(1) as the kernels give it, for the children's results.
const mish1 = mish.forward(new Float32Array([1]))[0];

describe('an async call whose buffers change while it runs', () => {
  it('survives a resizable buffer shrunk under it, as input, as out and as both', () => {
    const r = node(`
      const ak = require(process.env.AK);
      const n = 1 << 22;
      const seen = [];
      const settle = (p) => p.then((y) => 'resolved ' + y.length + ' ' + y[n - 1], (e) => 'rejected ' + e.message);
      (async () => {
        for (const role of ['both', 'x', 'out']) {
          const rab = new ArrayBuffer(4 * n, { maxByteLength: 4 * n });
          const a = new Float32Array(rab).fill(1);
          const p = role === 'both' ? ak.mish.forwardAsync(a, { out: a })
            : role === 'x' ? ak.mish.forwardAsync(a)
            : ak.mish.forwardAsync(new Float32Array(n).fill(1), { out: a });
          rab.resize(16);
          seen.push(role + ': ' + await settle(p));
          const b = new ArrayBuffer(4 * n, { maxByteLength: 4 * n });
          const g = new Float32Array(b).fill(1);
          const q = ak.mish.backwardAsync(g, g, { out: g });
          b.resize(0);
          seen.push(role + ' backward: ' + await settle(q));
        }
        console.log(JSON.stringify(seen));
      })();
    `);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const seen: string[] = JSON.parse(r.stdout);
    const resized =
      /^rejected Expected a Float32Array of 4194304 elements, attached and not resized until the call settled, for out but received one resized to \d+ elements while the call ran; nothing was written to it$/;
    expect(seen[0].slice('both: '.length)).toMatch(resized);
    expect(seen[2]).toBe(`x: resolved 4194304 ${mish1}`); // computed on the copy taken at the call
    expect(seen[4].slice('out: '.length)).toMatch(resized);
    for (const i of [1, 3, 5]) expect(seen[i]).toMatch(/backward: rejected Expected .* resized to 0 elements/);
  });

  it('survives a buffer transferred and dropped by its receiver while the call runs', () => {
    const r = node(
      `
      const ak = require(process.env.AK);
      const { MessageChannel } = require('worker_threads');
      const n = 1 << 22;
      const seen = [];
      const settle = (p) => p.then((y) => 'resolved ' + y.length + ' ' + y[n - 1], (e) => 'rejected ' + e.message);
      const drop = (buffer, how) => {
        if (how === 'structuredClone') structuredClone(buffer, { transfer: [buffer] });
        else {
          const { port1, port2 } = new MessageChannel();
          port1.postMessage(buffer, [buffer]);
          port1.close();
          port2.close();
        }
        for (let i = 0; i < 3; i++) gc(); // the receiver's copy is gone: its memory freed
        const junk = []; // and reused
        for (let i = 0; i < 8; i++) junk.push(new Float32Array(n).fill(7));
      };
      (async () => {
        for (const how of ['structuredClone', 'postMessage']) {
          const a = new Float32Array(n).fill(1);
          const p = ak.mish.forwardAsync(a, { out: a });
          drop(a.buffer, how);
          seen.push(how + ' both: ' + await settle(p));
          const b = new Float32Array(n).fill(1);
          const q = ak.mish.forwardAsync(b);
          drop(b.buffer, how);
          seen.push(how + ' x: ' + await settle(q));
          const c = new Float32Array(n).fill(1);
          const dy = new Float32Array(n).fill(1);
          const s = ak.aptx.paramGradAsync(c, dy);
          drop(c.buffer, how);
          drop(dy.buffer, how);
          seen.push(how + ' paramGrad: ' + Object.keys(await s).length);
        }
        console.log(JSON.stringify(seen));
      })();
    `,
      { args: ['--expose-gc'] },
    );
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const seen: string[] = JSON.parse(r.stdout);
    for (const how of ['structuredClone', 'postMessage']) {
      const [both, x, grads] = seen.filter((s) => s.startsWith(`${how} `));
      expect(both).toBe(
        `${how} both: rejected Expected a Float32Array of 4194304 elements, attached and not resized until the call settled, for out but received one detached (transferred) while the call ran; nothing was written to it`,
      );
      expect(x).toBe(`${how} x: resolved 4194304 ${mish1}`);
      expect(grads).toBe(`${how} paramGrad: 3`);
    }
  });

  it('gives the bits of the sync call on every kind of buffer, in place or not', async () => {
    const n = 1 << 19;
    const x = Float32Array.from({ length: n }, (_, i) => ((i % 2001) - 1000) / 100);
    const dy = Float32Array.from({ length: n }, (_, i) => ((i % 7) - 3) / 2);
    const y = mish.forward(x);
    const g = mish.backward(x, dy);
    const same = (a: Float32Array, b: Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    const kinds: Record<string, (from: Float32Array) => Float32Array> = {
      plain: (from) => from.slice(),
      shared: (from) => {
        const a = new Float32Array(new SharedArrayBuffer(4 * from.length));
        a.set(from);
        return a;
      },
      resizable: (from) => {
        const a = new Float32Array(new ArrayBuffer(4 * from.length, { maxByteLength: 8 * from.length }));
        a.set(from);
        return a;
      },
    };
    for (const [kind, make] of Object.entries(kinds)) {
      expect(same(await mish.forwardAsync(make(x)), y), kind).toBe(true);
      const out = make(new Float32Array(n));
      expect(await mish.forwardAsync(make(x), { out })).toBe(out);
      expect(same(out, y), `${kind} out`).toBe(true);
      const inPlace = make(x);
      await mish.forwardAsync(inPlace, { out: inPlace });
      expect(same(inPlace, y), `${kind} in place`).toBe(true);
      expect(same(await mish.backwardAsync(make(x), make(dy)), g), `${kind} backward`).toBe(true);
      const onDy = make(dy);
      await mish.backwardAsync(make(x), onDy, { out: onDy });
      expect(same(onDy, g), `${kind} backward on dy`).toBe(true);
      const onX = make(x);
      await mish.backwardAsync(onX, make(dy), { out: onX });
      expect(same(onX, g), `${kind} backward on x`).toBe(true);
    }
  });

  it('says what happened to an array detached before a sync or async call', async () => {
    const a = new Float32Array(8);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    const detached = 'Expected an attached Float32Array for x but received a detached one';
    expect(() => mish.forward(a)).toThrow(detached);
    await expect(mish.forwardAsync(a)).rejects.toThrow(detached);
    // a length-tracking view over a shrunk buffer is simply shorter
    const rab = new ArrayBuffer(32, { maxByteLength: 32 });
    const v = new Float32Array(rab).fill(1);
    rab.resize(8);
    expect(Array.from(await mish.forwardAsync(v))).toEqual([mish1, mish1]);
  });
});

describe('limits of the system', () => {
  // RLIMIT_NPROC binds a plain user only: as root the child runs as nobody.
  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  const root = process.getuid?.() === 0;
  const can = process.platform === 'linux' && prlimit !== undefined && (!root || setpriv !== undefined);
  it.skipIf(!can)('runs on the threads there are when the system refuses more', () => {
    const wrap = [
      ...(root ? [setpriv as string, '--reuid=65534', '--regid=65534', '--clear-groups'] : []),
      prlimit as string,
      '--nproc=24',
    ];
    const r = node(
      `
      const ak = require(process.env.AK);
      ak.cpu.setThreads(64);
      const x = new Float32Array(1 << 22).fill(1);
      const y = ak.mish.forward(x);
      ak.mish.forwardAsync(x).then((z) => console.log(y[0], y[y.length - 1], z[z.length - 1]));
    `,
      { wrap },
    );
    expect(r.error).toBe(undefined);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${mish1} ${mish1} ${mish1}\n`);
  });

  it.skipIf(process.platform !== 'linux')('lets threads above the setting go', () => {
    const r = node(`
      const threads = () => Number(/Threads:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]);
      const ak = require(process.env.AK);
      const before = threads();
      ak.cpu.setThreads(64);
      ak.mish.forward(new Float32Array(1 << 22));
      const many = threads();
      ak.cpu.setThreads(2);
      ak.mish.forward(new Float32Array(1 << 20));
      const deadline = Date.now() + 5000;
      const wait = () => {
        if (threads() - before <= 1 || Date.now() > deadline)
          console.log(JSON.stringify({ before, many, after: threads() }));
        else setTimeout(wait, 10);
      };
      wait();
    `);
    expect(r.status, r.stderr).toBe(0);
    const { before, many, after } = JSON.parse(r.stdout);
    expect(many - before).toBe(63);
    expect(after - before).toBe(1); // one helper for setThreads(2)
  });

  it('refuses a layer shape whose sizes wrap past 2^64 (the addon called directly)', () => {
    const r = node(`
      const n = require(process.env.AK + '/../native.js').native();
      const e = () => new Float32Array(0);
      const shapes = [[2 ** 32, 2 ** 32, 0], [0, 2 ** 32, 2 ** 32], [2 ** 40, 2 ** 30, 1]];
      const seen = [];
      for (const [b, d, m] of shapes) {
        for (const call of [
          () => n.aptxLayerForward(b, d, m, e(), e(), e(), e(), e(), e(), 1),
          () => n.aptxLayerBackward(b, d, m, e(), e(), e(), e(), e(), e(), null, e(), e(), e(), 1),
        ]) {
          try { call(); seen.push('returned'); } catch (err) { seen.push(err.message); }
        }
      }
      console.log(JSON.stringify(seen));
    `);
    expect(r.signal, r.stderr).toBe(null);
    expect(r.status, r.stderr).toBe(0);
    const seen: string[] = JSON.parse(r.stdout);
    expect(seen).toHaveLength(6);
    for (const s of seen) expect(s).toBe('activation-kernels internal call: shape too large');
  });
});

describe('no silently wrong numbers', () => {
  it('refuses out sharing memory with an input through another SharedArrayBuffer object', async () => {
    const sab = new SharedArrayBuffer(64);
    const x = new Float32Array(sab, 0, 8).fill(1);
    const other = new Float32Array(structuredClone(sab), 4, 8); // the same memory, one float on
    const dy = new Float32Array(8).fill(1);
    const msg = (input: string) =>
      `Expected ${input} itself or memory disjoint from ${input} for out but received a view that partly overlaps ${input} (the same memory through another buffer object)`;
    expect(() => mish.forward(x, { out: other })).toThrow(msg('x'));
    expect(() => mish.backward(x, dy, { out: other })).toThrow(msg('x'));
    expect(() => mish.backward(dy, x, { out: other })).toThrow(msg('dy'));
    await expect(mish.forwardAsync(x, { out: other })).rejects.toThrow(msg('x'));
    await expect(mish.backwardAsync(dy, x, { out: other })).rejects.toThrow(msg('dy'));
    // with an option the call takes the long way: the same answer
    await expect(mish.forwardAsync(x, { out: other, device: 'cpu' })).rejects.toThrow(msg('x'));
    expect(Array.from(other)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]); // nothing written
    // a shared WebAssembly.Memory's buffer before and after grow: two objects, one memory
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const before = new Float32Array(memory.buffer, 0, 1024);
    memory.grow(1);
    const after = new Float32Array(memory.buffer, 8, 1024);
    expect(() => mish.forward(before, { out: after })).toThrow(msg('x'));
    // the same memory exactly is in place, and allowed
    const same = new Float32Array(memory.buffer, 0, 1024);
    before.fill(1);
    mish.forward(before, { out: same });
    expect(same[1023]).toBe(mish1);
  });

  it('gives NaN from an APTx layer with a NaN weight, on every ISA', () => {
    const isa = cpu.isa();
    try {
      for (const path of cpu.supportedIsas()) {
        cpu.setIsa(path);
        for (const weight of ['alpha', 'beta', 'gamma'] as const) {
          // inputs of 37: a vector part and a tail on every ISA
          const layer = aptxLayer({ inputs: 37, outputs: 3, seed: 1 });
          layer.params[weight][0] = Number.NaN; // weight (0, 0)
          const x = Float32Array.from({ length: 2 * 37 }, (_, i) => ((i % 9) - 4) / 3 + 0.1);
          const y = layer.forward(x, 2);
          const where = `${path} ${weight}`;
          expect(Number.isNaN(y[0]) && Number.isNaN(y[3]), `${where}: y of output 0`).toBe(true);
          expect(y.slice(1, 3).every(Number.isFinite), `${where}: other outputs`).toBe(true);
          const g = layer.backward(x, new Float32Array(6).fill(1), 2);
          expect(Number.isNaN(g.dx[0]), `${where}: dx`).toBe(true);
          expect(Number.isNaN(g.gamma[0]) || weight === 'gamma', `${where}: dgamma`).toBe(true);
          if (weight === 'beta') expect(Number.isNaN(g.beta[0]), `${where}: dbeta`).toBe(true);
          expect(g.beta.slice(1).every(Number.isFinite), `${where}: other dbeta`).toBe(true);
        }
      }
    } finally {
      cpu.setIsa(isa);
    }
  });

  it('keeps a shared activation what it says it is, whatever a caller writes', () => {
    const x = Float32Array.from([-2, -1, 0.5, 3]);
    const want = Array.from(mish.forward(x));
    const m = mish as unknown as Record<string, unknown>;
    (mish.code as Float64Array)[0] = 0; // a new array each time
    expect(() => {
      m.cache = { program: native().program(activation('relu').code) };
    }).toThrow(TypeError);
    expect('cache' in mish).toBe(false);
    expect(() => {
      m.encode = () => activation('relu').code;
    }).toThrow(TypeError);
    expect(Object.isFrozen(mish) && Object.isFrozen(mish.params)).toBe(true);
    expect(Array.from(mish.forward(x))).toEqual(want);
    expect(JSON.stringify(mish)).toBe('{"name":"mish"}');
  });
});

describe('messages', () => {
  it('quote at most 80 characters of what a caller passed', () => {
    const long = 'x'.repeat(1e6);
    const calls: Array<() => unknown> = [
      () => activation({ name: long } as never),
      () => activation(long as never),
      () => activation({ name: 'aptx', params: { [long]: 1 } } as never),
      () => mish.forward(new Float32Array(1), { device: long as never }),
      () => mish.forward(new Float32Array(1), { [long]: 1 } as never),
      () => swish({ beta: long as never }),
      () => mish.forward({ constructor: { name: long } } as never),
      () => cpu.setIsa(long as never),
    ];
    for (const call of calls) {
      let message = '';
      try {
        call();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^Expected /);
      expect(message.length, message.slice(0, 200)).toBeLessThan(400);
      expect(message).toContain('(1000000 characters)');
    }
  });

  it('say what is wrong with a Proxy, a subclass that lies and params in an array', () => {
    const proxy = new Proxy(new Float32Array(4), {});
    expect(() => mish.forward(proxy)).toThrow(
      'Expected a Float32Array for x but received a Proxy: pass the array itself',
    );
    expect(() => mish.forward(new Float32Array(4), { out: proxy })).toThrow(
      'Expected a Float32Array for out but received a Proxy',
    );
    class Liar extends Float32Array {
      get length() {
        return 4;
      }
    }
    const liar = new Liar(8);
    expect(() => mish.forward(new Float32Array(4), { out: liar })).toThrow(
      'Expected a Float32Array whose length is its own for out but received a Liar saying length 4 for its 8 elements',
    );
    expect(() => mish.forward(liar)).toThrow(/^Expected a Float32Array whose length is its own for x/);
    // an honest subclass is a Float32Array
    class Tagged extends Float32Array {}
    expect(mish.forward(new Tagged([1]))[0]).toBe(mish1);
    expect(() => activation({ name: 'aptx', params: [1, 2, 3] } as never)).toThrow(
      'Expected an object of the parameters of aptx { alpha, beta, gamma } for spec.params but received Array',
    );
  });

  it('warn about an ACTIVATION_KERNELS_ISA this processor does not run', () => {
    const r = node("require(process.env.AK).mish.forward(new Float32Array(1)); console.log('ran')", {
      env: { ACTIVATION_KERNELS_ISA: 'not-a-path' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('ran\n');
    expect(r.stderr).toContain(
      `Expected one of ${cpu.supportedIsas().join(', ')} (the paths this processor runs) for ACTIVATION_KERNELS_ISA but received "not-a-path": using ${cpu.supportedIsas()[0]}`,
    );
    const quiet = node('require(process.env.AK).mish.forward(new Float32Array(1))', {
      env: { ACTIVATION_KERNELS_ISA: cpu.supportedIsas().at(-1) },
    });
    expect(quiet.stderr).toBe('');
  });
});

describe('docs/threads.md', () => {
  it('gives the thresholds the code uses', () => {
    const header = fs.readFileSync(path.join(root, 'cpp', 'cpu', 'compute.h'), 'utf8');
    const doc = fs.readFileSync(path.join(root, 'docs', 'threads.md'), 'utf8');
    const exp = (name: string) => Number(new RegExp(`${name} = size_t\\(1\\) << (\\d+);`).exec(header)?.[1]);
    const [all, cheap] = [exp('kParallelThreshold'), exp('kParallelThresholdCheap')];
    expect(all).toBeGreaterThan(0);
    expect(doc).toContain(`Arrays of at least 2^${all} elements`);
    expect(doc).toContain(`2^${cheap} for the cheap ones`);
    expect(doc).not.toMatch(new RegExp(`threshold 2\\^(?!${all}\\b)\\d+ \\(\`kParallelThreshold\``));
  });
});
