// The program (cpp/program.h): one decoder for the CPU and the CUDA kernels. A code the addon
// decodes for the CPU it decodes for the device and the reverse, over hostile codes as well as
// every code lib/ writes; the op table and limits lib/ reads are the addon's.
import { describe, expect, it } from 'vitest';
import { activation, blend, hardMish, mish, relu } from '../lib';
import { native } from '../lib/native';
import { uniform } from '../lib/random';

const n = native();
// The kernels' loop on the host: CUDA compiled with its diagnostics (the development build).
const deviceLoop = typeof n.cudaElementwiseOnHost === 'function';

// Whether a call accepts the code: undefined, or the TypeError's message.
function outcome(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
}

// Random codes: valid ones from lib/, then mutated (a number replaced by an odd one, doubles
// dropped or added, nodes repeated past the limits).
function* codes(seed: number, count: number): Generator<Float64Array> {
  const next = uniform(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const names = activation.names;
  const odd = [NaN, Infinity, -Infinity, -1, 0.5, 1.5, 99, 100, 101, 3.5e38, -3.5e38, 2 ** 31, -0, 1e-45];
  for (let i = 0; i < count; i++) {
    let f = activation(pick(names));
    for (let depth = Math.floor(next() * 4); depth > 0; depth--) f = blend(f, activation(pick(names)), next());
    const code = [...f.code];
    const mutation = Math.floor(next() * 5);
    if (mutation === 1) code[Math.floor(next() * code.length)] = pick(odd);
    if (mutation === 2) code.length -= 1 + Math.floor(next() * 3);
    if (mutation === 3) code.push(...[0, 0, 0, 0].slice(0, 1 + Math.floor(next() * 4)));
    if (mutation === 4) code.unshift(...Array.from({ length: 17 }, () => [100, 0.5, 0, 0]).flat());
    yield Float64Array.from(code);
  }
}

describe('the program', () => {
  it('lib/ writes codes from the addon op table: one row per op, each of its names', () => {
    const ops = n.ops as { name: string; params: number }[];
    for (const name of ['relu', 'mish', 'swish', 'hardGate', 'aptx', 'leakyRelu', 'relu6', 'hardSigmoid'])
      expect(ops.map((o) => o.name)).toContain(name);
    expect(mish.code[0]).toBe(ops.findIndex((o) => o.name === 'mish'));
    expect(hardMish.code.slice(0, 3)).toEqual(Float64Array.from([ops.findIndex((o) => o.name === 'hardGate'), 3, 5]));
    expect(blend(mish, relu, 0.25).code[0]).toBe(n.limits.blendCode);
  });

  it('a shared activation cannot be changed through its code', () => {
    const code = mish.code;
    code[0] = 0;
    expect(mish.code[0]).not.toBe(0);
    expect(mish.forward(new Float32Array([-1]))[0]).toBeLessThan(0); // still mish, not relu
  });

  it('rejects what breaks the limits, and only that', () => {
    const { maxNodes, maxDepth, blendCode } = n.limits;
    const blendOf = (a: number[], b: number[]) => [blendCode, 0.5, 0, 0, ...a, ...b];
    const leaf = [...mish.code];
    let chain = leaf; // blends nested maxDepth deep
    for (let i = 0; i < maxDepth; i++) chain = blendOf(chain, leaf);
    const full = (levels: number): number[] => (levels === 0 ? leaf : blendOf(full(levels - 1), full(levels - 1)));
    const levels = Math.floor(Math.log2(maxNodes + 1)) - 1; // 2^(levels + 1) - 1 nodes, at most maxNodes
    const count = (code: number[]) => code.length / n.limits.codeWidth;
    expect(count(full(levels))).toBeLessThanOrEqual(maxNodes);
    expect(outcome(() => n.program(Float64Array.from(chain)))).toBeUndefined();
    expect(outcome(() => n.program(Float64Array.from(full(levels))))).toBeUndefined();
    const tooDeep = blendOf(chain, leaf);
    const tooMany = blendOf(full(levels), blendOf(leaf, leaf));
    expect(count(tooMany)).toBeGreaterThan(maxNodes);
    for (const code of [tooDeep, tooMany])
      expect(outcome(() => n.program(Float64Array.from(code)))).toBe(
        'activation-kernels internal call: malformed activation code',
      );
  });

  it.skipIf(!deviceLoop)('the CPU and the device accept and reject exactly the same codes', () => {
    const x = new Float32Array([-2, -0.5, 0, 0.5, 2]);
    const out = new Float32Array(x.length);
    let accepted = 0;
    let rejected = 0;
    for (const code of codes(7, 3000)) {
      const cpu = outcome(() => n.forward(code, x, out));
      const device = outcome(() => n.cudaElementwiseOnHost('forward', code, x, null, out));
      expect(device, `code ${Array.from(code).join(', ')}`).toBe(cpu);
      if (cpu === undefined) accepted++;
      else rejected++;
    }
    expect(accepted).toBeGreaterThan(500); // both kinds are exercised
    expect(rejected).toBeGreaterThan(500);
  });
});
