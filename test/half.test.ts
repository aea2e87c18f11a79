// Half precision, every input: for each of the 65,536 bit patterns of bfloat16 and of float16,
// forward and backward (several dy) give the exact value rounded once to the format (ties to
// even), for every row of the numeric table (test/table.ts) and its parameter table, blends
// included, on every ISA path this machine has. The exact value is the double reference of
// reference/reference.ts, rounded by reference/half.ts apart from the addon's own
// rounding; it is trusted only where it lies farther than 2^-40 (relative) from a rounding
// boundary, and the piecewise-rational functions, whose values can lie on one, are evaluated
// exactly there (BigInt rationals). A transcendental value that near is counted as a failure.
import { afterAll, describe, expect, it } from 'vitest';
import { type Activation, cpu, fromHalf } from '../lib';
import { native } from '../lib/native';
import { limits, type OpRow, opOf } from '../lib/ops';
import { uniform } from '../lib/random';
import {
  add,
  decode,
  type Fmt,
  FORMATS,
  mul,
  type Q,
  q,
  round,
  roundExact,
  roundQuick,
  roundSide,
  sub,
} from '../reference/half';
import { f32, type Reference } from '../reference/reference';
import { parameterRows, rows } from './table';

const initial = cpu.isa();
afterAll(() => cpu.setIsa(initial));
const isas = cpu.supportedIsas();

const NEAR = 2 ** -40;
const FMTS: Fmt[] = ['bfloat16', 'float16'];

// Every bit pattern, and its value (decoded here, not by the addon).
const ALL = Uint16Array.from({ length: 1 << 16 }, (_, i) => i);
const VALUES: Record<Fmt, Float64Array> = {
  bfloat16: Float64Array.from(ALL, (u) => decode(u, 'bfloat16')),
  float16: Float64Array.from(ALL, (u) => decode(u, 'float16')),
};
// dy: 1, -0.375, 3, the smallest subnormal, Infinity (as bits)
const DYS: Record<Fmt, number[]> = {
  bfloat16: [0x3f80, 0xbec0, 0x4040, 0x0001, 0x7f80],
  float16: [0x3c00, 0xb600, 0x4200, 0x0001, 0x7c00],
};

// ---- the exact value of the piecewise-rational functions (null: not one of them) ----

type Exact = (x: Q) => { f: Q; df: Q };
const zero = q(0);
const one = q(1);
const le = (a: Q, b: Q) => a.n * b.d <= b.n * a.d;
const lt = (a: Q, b: Q) => a.n * b.d < b.n * a.d;
const divide = (a: Q, b: Q): Q => (b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n });

function exactOp(name: string, p: number[]): Exact | null {
  const [s, c] = [q(f32(p[0])), q(f32(p[1]))];
  switch (name) {
    case 'relu':
      return (x) => (lt(zero, x) ? { f: x, df: one } : { f: zero, df: zero });
    case 'relu6': {
      const six = q(6);
      return (x) => ({ f: le(x, zero) ? zero : le(six, x) ? six : x, df: lt(zero, x) && lt(x, six) ? one : zero });
    }
    case 'hardSigmoid': {
      const [three, six] = [q(3), q(6)];
      return (x) =>
        le(x, q(-3))
          ? { f: zero, df: zero }
          : le(three, x)
            ? { f: one, df: zero }
            : { f: divide(add(x, three), six), df: divide(one, six) };
    }
    case 'hardGate':
      return (x) => {
        const u = add(x, s);
        if (le(u, zero)) return { f: zero, df: zero };
        if (le(c, u)) return { f: x, df: one };
        return { f: divide(mul(x, u), c), df: divide(add(add(x, x), s), c) };
      };
    case 'leakyRelu':
      return (x) => (lt(zero, x) ? { f: x, df: one } : { f: mul(s, x), df: s });
    default:
      return null;
  }
}

// The exact evaluator of an activation's code (pre-order nodes of 4 numbers), or null.
function exactOf(code: Float64Array): Exact | null {
  const names = new Map<number, string>();
  for (const n of ['relu', 'relu6', 'hardSigmoid', 'hardGate', 'leakyRelu', 'mish']) {
    const op = opOf(n);
    if (op) names.set(op.code, n);
  }
  let pos = 0;
  const parse = (): Exact | null => {
    const node = Array.from(code.subarray(pos, pos + 4));
    pos += 4;
    if (node[0] === 100) {
      const t = q(f32(node[1]));
      const a = parse();
      const b = parse();
      if (f32(node[1]) === 0) return a; // one side as it is
      if (f32(node[1]) === 1) return b;
      if (!a || !b) return null;
      const u = sub(one, t);
      return (x) => {
        const [ea, eb] = [a(x), b(x)];
        return { f: add(mul(u, ea.f), mul(t, eb.f)), df: add(mul(u, ea.df), mul(t, eb.df)) };
      };
    }
    const name = names.get(node[0]);
    return name ? exactOp(name, node.slice(1)) : null;
  };
  return parse();
}

// The side of a smooth function's value on a boundary (mid), where its structure puts it there:
// g (f, or f'·dy) is c x^k + c' x^(k+1) + ... near 0 and a x + (a tail that vanishes faster than
// any power) far out; the leading term is the boundary, the rest has the sign it has closer in,
// where double resolves it (near 0 at s = x 2^m, about 2^-12, where the leading term is mid
// 2^(mk); far out at x/2^m, the first point where the rest passes 2^-45 of the leading term).
function smoothSide(ref: Reference, x: number, dy: number | undefined, v: number, mid: number): number | undefined {
  const g = (y: number) => (dy === undefined ? ref.f(y) : ref.df(y) * dy);
  if (x === 0) return 0; // f(0), f'(0) dy: a dyadic constant on the boundary
  if (Math.abs(x) < 2 ** -20) {
    const k = Math.round(Math.log2(g(2 * x) / v));
    const m = -12 - Math.floor(Math.log2(Math.abs(x)));
    return Math.sign(g(x * 2 ** m) - mid * 2 ** (m * k));
  }
  const a = ref.df(x);
  let linear = true; // no rest anywhere: a x itself (swish at beta 0)
  for (let m = 1; Math.abs(x * 2 ** -m) >= 2 ** -20; m++) {
    const s = x * 2 ** -m;
    const lead = dy === undefined ? a * s : a * dy;
    const rest = g(s) - lead;
    if (Math.abs(rest) > 2 ** -45 * Math.abs(lead)) return Math.sign(rest);
    linear &&= rest === 0;
  }
  return linear ? 0 : undefined;
}

// ---- the expected bits ----

interface Expected {
  forward: Uint16Array;
  backward: Uint16Array[]; // per dy
  anyZero: Uint8Array[]; // per dy: f'(x) = 0, either zero is right
  settled: number; // values on or near a boundary, evaluated exactly
  near: string[]; // transcendental values near a boundary: the reference cannot decide
}

function expected(fn: Activation, ref: Reference, fmt: Fmt): Expected {
  const xs = VALUES[fmt];
  const exact = exactOf(fn.code);
  const e: Expected = {
    forward: new Uint16Array(xs.length),
    backward: DYS[fmt].map(() => new Uint16Array(xs.length)),
    anyZero: DYS[fmt].map(() => new Uint8Array(xs.length)),
    settled: 0,
    near: [],
  };
  // dy: undefined for forward
  const settle = (v: number, x: number, exactValue: (() => Q) | null, what: string, dy?: number): number => {
    const r = round(v, fmt);
    if (!(r.distance < NEAR) || !Number.isFinite(x)) return r.bits;
    e.settled++;
    if (exactValue) return roundExact(exactValue(), r, fmt);
    const side = smoothSide(ref, x, dy, v, r.mid);
    if (side !== undefined) return roundSide(r, side, fmt);
    e.settled--;
    e.near.push(`${what} at x = ${x}: ${v}`);
    return r.bits;
  };
  const dys = DYS[fmt].map((b) => decode(b, fmt));
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const f = ref.f(x);
    const quick = roundQuick(f, fmt); // most values: no boundary near
    e.forward[i] = quick >= 0 ? quick : settle(f, x, exact && (() => exact(q(x)).f), 'forward');
    const df = ref.df(x);
    for (let k = 0; k < dys.length; k++) {
      const dy = dys[k];
      if (df === 0) {
        e.anyZero[k][i] = 1;
        continue;
      }
      const g = df * dy;
      const quickG = roundQuick(g, fmt);
      e.backward[k][i] =
        quickG >= 0
          ? quickG
          : settle(
              g,
              x,
              exact && Number.isFinite(dy) ? () => mul(exact(q(x)).df, q(dy)) : null,
              `backward dy ${dy}`,
              dy,
            );
    }
  }
  return e;
}

function firstMismatch(got: Uint16Array, want: Uint16Array, fmt: Fmt, anyZero?: Uint8Array): string {
  for (let i = 0; i < got.length; i++) {
    if (got[i] === want[i]) continue;
    if (anyZero?.[i] && (got[i] & 0x7fff) === 0) continue;
    const x = decode(i, fmt);
    return `x = ${x} (0x${i.toString(16)}): got 0x${got[i].toString(16)} (${decode(got[i], fmt)}), want 0x${want[i].toString(16)} (${decode(want[i], fmt)})`;
  }
  return 'none';
}

const same = (a: Uint16Array, b: Uint16Array) => a.length === b.length && a.every((v, i) => v === b[i]);

const table = [...rows, ...parameterRows];
for (const fmt of FMTS) {
  describe(`${fmt}: every input rounded correctly`, () => {
    let settled = 0;
    for (const r of table) {
      it(`${r.name}`, () => {
        const want = expected(r.fn, r.ref, fmt);
        expect(want.near, 'reference values within 2^-40 of a rounding boundary').toEqual([]);
        settled += want.settled;
        const dys = DYS[fmt].map((b) => new Uint16Array(ALL.length).fill(b));
        let best: Uint16Array[] | undefined;
        for (const isa of isas) {
          cpu.setIsa(isa);
          // the other paths: forward and two dy (the time of the test is mostly theirs)
          const passes = best ? dys.slice(0, 2) : dys;
          const got = [
            r.fn.forward(ALL, { dtype: fmt }),
            ...passes.map((dy) => r.fn.backward(ALL, dy, { dtype: fmt })),
          ];
          if (!best) {
            best = got;
            expect(firstMismatch(got[0], want.forward, fmt), `${isa} forward`).toBe('none');
            dys.forEach((dy, k) => {
              expect(
                firstMismatch(got[k + 1], want.backward[k], fmt, want.anyZero[k]),
                `${isa} backward, dy = ${decode(dy[0], fmt)}`,
              ).toBe('none');
            });
          } else {
            // the same bits as the first path (zeros of a zero gradient included)
            got.forEach((g, k) => {
              expect(same(g, (best as Uint16Array[])[k]), `${isa} gives ${isas[0]}'s bits, pass ${k}`).toBe(true);
            });
          }
        }
      });
    }
    it('some values lay on a boundary and were settled exactly', () => {
      // hardSwish's x(x + 3)/6 and its kin reach exact ties
      expect(settled).toBeGreaterThan(0);
    });
  });
}

// paramGrad sums the float32 values of half inputs exactly as it sums those float32 arrays.
// The fact the passes lean on where a formula states a slope zone (cpp/types.h, SlopeZone):
// outside it, for every half-precision x, the float32 backward(x, 1) is within 2^-21 |f'(x)| +
// 2^-100 of f'(x), on every path. (Inside, the contract's 2^-24 |dy| stands.)
describe('the slope zones the formulas state', () => {
  // the first row of each op that has a zone, at the parameters the zone is stated at
  const { codeWidth } = limits();
  const ops = native().ops as OpRow[];
  const seen = new Set<number>();
  const stated = table.flatMap((r) => {
    const code = [...r.fn.code];
    const op = ops[code[0]];
    if (code.length !== codeWidth || !op?.slopeZone || seen.has(code[0])) return [];
    if (!(op.slopeAt ?? []).every((p, k) => f32(code[1 + k]) === p)) return [];
    seen.add(code[0]);
    return [{ ...r, zone: op.slopeZone, op: op.name }];
  });
  it("are stated by the functions whose slope is relatively accurate away from the zeros of f'", () => {
    expect(stated.map((r) => r.op).sort()).toEqual(
      [
        'approxMish',
        'aptx',
        'elu',
        'gelu',
        'geluTanh',
        'linearSwish',
        'mish',
        'selu',
        'sigmoid',
        'softplus',
        'swish',
        'tanh',
      ].sort(),
    );
  });
  for (const fmt of FMTS) {
    const x = Float32Array.from(VALUES[fmt].filter(Number.isFinite));
    const ones = new Float32Array(x.length).fill(1);
    for (const r of stated) {
      it(`${fmt}: ${r.name} outside [${r.zone}]`, () => {
        const [lo, hi] = r.zone;
        for (const isa of isas) {
          cpu.setIsa(isa);
          const g = r.fn.backward(x, ones);
          const misses: string[] = [];
          let checked = 0;
          for (let i = 0; i < x.length; i++) {
            if (x[i] >= lo && x[i] <= hi) continue;
            checked++;
            const want = r.ref.df(x[i]);
            if (!(Math.abs(g[i] - want) <= 2 ** -21 * Math.abs(want) + 2 ** -100))
              misses.push(`x = ${x[i]}: got ${g[i]}, want ${want}`);
          }
          expect(checked, isa).toBeGreaterThan(x.length / 2);
          expect(misses.slice(0, 5), `${isa}: ${misses.length} misses`).toEqual([]);
        }
      });
    }
  }
});

describe('paramGrad of half inputs', () => {
  for (const fmt of FMTS) {
    it(`${fmt}: the sums of the widened values, bit for bit`, () => {
      const finite = ALL.filter((u) => Number.isFinite(decode(u, fmt)) && Math.abs(decode(u, fmt)) < 100);
      const dy = finite.slice().reverse();
      for (const r of table.filter((t) => t.fn.gradNames.length && !t.fn.sides)) {
        const got = r.fn.paramGrad(finite, dy, { dtype: fmt });
        const want = r.fn.paramGrad(fromHalf(finite, fmt), fromHalf(dy, fmt));
        expect(got, r.name).toEqual(want);
      }
    });
  }
  it('the quick rounding agrees with the careful one', () => {
    const random = uniform(7);
    let checked = 0;
    for (const fmt of FMTS)
      for (let i = 0; i < 200_000; i++) {
        const v = (random() - 0.5) * 2 ** Math.floor(random() * 300 - 150);
        const quick = roundQuick(v, fmt);
        if (quick >= 0) {
          expect(quick, `${fmt} ${v}`).toBe(round(v, fmt).bits);
          checked++;
        }
      }
    expect(checked).toBeGreaterThan(100_000);
    expect(FORMATS.float16.max).toBe(65504);
  });
});
