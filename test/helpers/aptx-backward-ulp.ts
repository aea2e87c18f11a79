// The worst backward error of aptx at large gamma, on every ISA, in ulp beyond the 2^-24 |dy|
// allowance (reference/reference.ts backwardError: the contract holds it to 4) and in plain ulp: every float within 2^16 floats of each zero
// of f' in [-32, 32] (where it exceeds the contract, if anywhere), and every 2^-10 step over
// [-32, 32].
//   node scripts/build/run-ts.js test/helpers/aptx-backward-ulp.ts [alpha beta gamma ...]
import { aptx, cpu } from '../../lib';
import { aptxRef, backwardError, ulp32 } from '../../reference/reference';

const given = process.argv.slice(2).map(Number);
const configs: number[][] = [];
for (let i = 0; i + 2 < given.length; i += 3) configs.push(given.slice(i, i + 3));
if (configs.length === 0)
  for (const alpha of [1, 0.7]) for (const gamma of [3, 10, 1000]) configs.push([alpha, 1, gamma]);

const bits = new Float32Array(1);
const asInt = new Int32Array(bits.buffer);
function neighbours(x: number, radius: number): number[] {
  bits[0] = x;
  const start = asInt[0];
  const out: number[] = [];
  for (let k = -radius; k <= radius; k++) {
    asInt[0] = start + k;
    out.push(bits[0]);
  }
  return out;
}

for (const [alpha, beta, gamma] of configs) {
  const ref = aptxRef(alpha, beta, gamma);
  const xs: number[] = [];
  let previous = ref.df(-32);
  for (let x = -32 + 2 ** -10; x <= 32; x += 2 ** -10) {
    const d = ref.df(x);
    xs.push(x);
    if (Math.sign(d) !== Math.sign(previous)) {
      let lo = x - 2 ** -10;
      let hi = x;
      for (let i = 0; i < 80; i++) {
        const mid = (lo + hi) / 2;
        if (Math.sign(ref.df(mid)) === Math.sign(ref.df(lo))) lo = mid;
        else hi = mid;
      }
      for (const v of neighbours(Math.fround(lo), 1 << 16)) xs.push(v);
    }
    previous = d;
  }
  const x = Float32Array.from(xs);
  const dy = new Float32Array(x.length).fill(1);
  const f = aptx({ alpha, beta, gamma });
  const row: string[] = [];
  for (const isa of cpu.supportedIsas()) {
    cpu.setIsa(isa);
    const g = f.backward(x, dy);
    let worst = 0;
    let at = 0;
    let plain = 0;
    let plainAt = 0;
    for (let i = 0; i < x.length; i++) {
      const r = ref.df(x[i]);
      const e = backwardError(g[i], r, 1);
      if (e > worst) {
        worst = e;
        at = x[i];
      }
      const p = Number.isFinite(r) ? Math.abs(g[i] - r) / ulp32(r) : 0;
      if (p > plain) {
        plain = p;
        plainAt = x[i];
      }
    }
    row.push(`${isa} ${worst.toPrecision(4)} ulp at x = ${at} (plain ${plain.toPrecision(4)} at ${plainAt})`);
  }
  console.log(`aptx(${alpha}, ${beta}, ${gamma}), ${x.length} inputs: ${row.join('; ')}`);
}
