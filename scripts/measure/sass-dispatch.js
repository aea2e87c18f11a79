// A two-op blend's kernel picks each side's op at run time: a tree of integer comparisons on the
// op (a kernel parameter) ending in small jump tables (BRX through words of the kernel's
// .nv.constant2 section). To count the path one pair of ops takes, this follows the values
// computed from the op parameters through those instructions (a small constant propagation over
// the SASS), and the blend's t through float comparisons, so that their branches resolve; every
// other branch stays open. Used by scripts/measure/sass-count.js.

/** The words of every kernel's .nv.constant2 section (its jump tables), from `cuobjdump -elf`. */
function jumpTables(elfText) {
  const tables = new Map();
  let words = null;
  for (const line of elfText.split('\n')) {
    const m = line.match(/^\.nv\.constant2\.(\S+)/);
    if (m) {
      words = [];
      tables.set(m[1], words);
    } else if (words && /^0x[0-9a-f]/.test(line)) {
      for (const w of line.trim().split(/\s+/)) words.push(Number.parseInt(w, 16));
    } else {
      words = null;
    }
  }
  return tables;
}

const REGISTER = /^(U?R\d+|U?P\d+)$/;
const ZERO = new Set(['RZ', 'URZ']);

/** Operands of an instruction's text, without .reuse and the guard. */
function operandsOf(text) {
  const body = text.replace(/^@!?U?P\w+\s+/, '');
  const space = body.indexOf(' ');
  if (space < 0) return [];
  return body
    .slice(space + 1)
    .split(',')
    .map((o) => o.trim().replace(/\.reuse$/, ''));
}

/** The registers an instruction writes: its first operand (and the rest of a wide one) and the
 * predicates right after it (a carry out, a second comparison result). */
function writes(op, operands) {
  const out = [];
  const first = operands[0];
  if (first === undefined) return out;
  if (REGISTER.test(first)) {
    const width = /\.128\b/.test(op) ? 4 : /\.64\b|\.WIDE\b/.test(op) ? 2 : 1;
    const [, kind, n] = first.match(/^(U?[RP])(\d+)$/);
    for (let k = 0; k < width; k++) out.push(`${kind}${Number(n) + k}`);
  }
  for (let i = 1; i < operands.length && /^!?U?P(\d+|T)$/.test(operands[i]); i++) out.push(operands[i]);
  return out;
}

const COMPARE = {
  EQ: (a, b) => a === b,
  NE: (a, b) => a !== b,
  LT: (a, b) => a < b,
  LE: (a, b) => a <= b,
  GT: (a, b) => a > b,
  GE: (a, b) => a >= b,
};

// FSETP's comparisons: COMPARE's, false where an operand is NaN, and their unordered forms (EQU,
// LTU, ...), true there
const unordered = (a, b) => Number.isNaN(a) || Number.isNaN(b);
const FLOAT_COMPARE = Object.fromEntries(
  Object.entries(COMPARE).flatMap(([name, f]) => [
    [name, (a, b) => !unordered(a, b) && f(a, b)],
    [`${name}U`, (a, b) => unordered(a, b) || f(a, b)],
  ]),
);
const bitsToFloat = (bits) => {
  const view = new DataView(new ArrayBuffer(4));
  view.setInt32(0, bits);
  return view.getFloat32(0);
};

/**
 * The flow of the op values through a kernel: params maps a constant-bank-0 offset (the kernel
 * parameter) to its value, table is the kernel's jump-table words. step(line, state) executes one
 * instruction on state (a frozen object of known registers and predicates) and returns
 * { state, taken, jump }: taken is whether a conditional branch is taken (null: not known), jump
 * the target of an indirect branch (null: not known). meet(a, b) keeps what both states know.
 */
function opFlow(params, table) {
  const value = (state, o) => {
    if (ZERO.has(o)) return 0;
    if (/^-?0x[0-9a-f]+$/.test(o)) return Number.parseInt(o, 16) | 0;
    return Object.hasOwn(state, o) ? state[o] : undefined;
  };
  const predicate = (state, o) => {
    const negated = o.startsWith('!');
    const name = negated ? o.slice(1) : o;
    const v = name === 'PT' || name === 'UPT' ? true : Object.hasOwn(state, name) ? state[name] : undefined;
    return v === undefined ? undefined : v !== negated;
  };
  const known = (...vs) => vs.every((v) => v !== undefined);
  // a float operand: a register or parameter word (its bits), RZ, or a decimal immediate, with
  // the - and |.| modifiers
  const floatValue = (state, o) => {
    const m = o.match(/^(-?)(\|?)([^|]+)\|?$/);
    if (!m) return undefined;
    const [, negated, absolute, x] = m;
    const bank0 = x.match(/^c\[0x0\]\[0x([0-9a-f]+)\]$/);
    const bits = bank0 ? params.get(Number.parseInt(bank0[1], 16)) : value(state, x);
    const decimal = /^[\d.]/.test(x) && !x.startsWith('0x');
    let f = decimal ? Number(x) : bits === undefined ? undefined : bitsToFloat(bits);
    if (f === undefined) return undefined;
    if (absolute) f = Math.abs(f);
    return negated ? -f : f;
  };

  /** The values an instruction computes, or null where it is not one this follows. */
  function evaluate(op, o, state) {
    const [base] = op.split('.');
    const v = (i) => value(state, o[i]);
    const unsigned = /\.U32\b/.test(op);
    const u = (x) => (unsigned ? x >>> 0 : x | 0);
    if (base === 'LDC' || base === 'ULDC') {
      const bank0 = o[1]?.match(/^c\[0x0\]\[0x([0-9a-f]+)\]$/);
      if (bank0) {
        // a 64-bit load fills the next register with the next word
        const offset = Number.parseInt(bank0[1], 16);
        const words = /\.64\b/.test(op) ? [offset, offset + 4] : [offset];
        const [, kind, n] = o[0].match(/^(U?R)(\d+)$/) ?? [];
        if (!kind || words.some((w) => !params.has(w))) return null;
        return Object.fromEntries(words.map((w, k) => [`${kind}${Number(n) + k}`, params.get(w)]));
      }
      const bank2 = o[1]?.match(/^c\[0x2\]\[(U?R\d+)\+0x([0-9a-f]+)\]$/);
      const index = bank2 && value(state, bank2[1]);
      if (index === undefined || !bank2) return null;
      const word = table[(index + Number.parseInt(bank2[2], 16)) / 4];
      return word === undefined ? null : { [o[0]]: word };
    }
    if ((base === 'MOV' || base === 'UMOV') && known(v(1))) return { [o[0]]: v(1) };
    if ((base === 'IADD3' || base === 'UIADD3') && !/\.X\b/.test(op) && REGISTER.test(o[0]) && o.length === 4) {
      if (known(v(1), v(2), v(3))) return { [o[0]]: (v(1) + v(2) + v(3)) | 0 };
    }
    if (base === 'SHF' && /\.L\.U32\b/.test(op) && ZERO.has(o[3]) && known(v(1), v(2)))
      return { [o[0]]: (v(1) << v(2)) | 0 };
    if (base === 'VIMNMX' || base === 'VIADDMNMX') {
      const add = base === 'VIADDMNMX';
      const [a, b] = add ? [known(v(1), v(2)) ? v(1) + v(2) : undefined, v(3)] : [v(1), v(2)];
      const min = predicate(state, o[o.length - 1]);
      if (!known(a, b, min)) return null;
      return { [o[0]]: min ? Math.min(u(a), u(b)) : Math.max(u(a), u(b)) };
    }
    // ISETP and FSETP: the comparison, and-ed or or-ed with a predicate; a second destination
    // gets the negated comparison joined the same way
    const set = op.match(/^(U?I|F)SETP\.([A-Z]+)(\.U32)?\.(AND|OR)$/);
    if (set && o.length === 5) {
      const float = set[1] === 'F';
      const compare = (float ? FLOAT_COMPARE : COMPARE)[set[2]];
      const [a, b] = float ? [floatValue(state, o[2]), floatValue(state, o[3])] : [v(2), v(3)];
      const c = predicate(state, o[4]);
      if (!compare || !known(a, b, c)) return null;
      const r = float ? compare(a, b) : compare(u(a), u(b));
      const join = (x) => (set[4] === 'AND' ? x && c : x || c);
      const out = { [o[0]]: join(r) };
      if (o[1] !== 'PT' && o[1] !== 'UPT') out[o[1]] = join(!r);
      return out;
    }
    return null;
  }

  function step(line, state) {
    const guard = line.text.match(/^@(!?U?P\w+)\s/);
    const on = guard ? predicate(state, guard[1]) : true;
    const o = operandsOf(line.text);
    let taken = null;
    let jump = null;
    if (line.op.startsWith('BRA') && guard) taken = on === undefined ? null : on;
    if (line.op.startsWith('BRX') && on === true) {
      // BRX Rn -offset: to Rn + the next address - offset (the table holds function offsets)
      const [reg, rel] = (o[0] ?? '').split(/\s+/);
      const target = value(state, reg);
      const offset = rel && /^-?0x[0-9a-f]+$/.test(rel) ? Number.parseInt(rel, 16) : undefined;
      if (known(target, offset)) jump = target + line.addr + 16 + offset;
    }
    if (on === false) return { state, taken, jump };
    const computed = on === true ? evaluate(line.op, o, state) : null;
    const written = writes(line.op, o);
    if (!computed && !written.some((r) => Object.hasOwn(state, r))) return { state, taken, jump };
    const next = { ...state };
    for (const r of written) delete next[r];
    if (computed) Object.assign(next, computed);
    return { state: Object.freeze(next), taken, jump };
  }

  function meet(a, b) {
    if (a === b) return a;
    const out = {};
    for (const [k, v] of Object.entries(a)) if (b[k] === v) out[k] = v;
    return Object.freeze(out);
  }

  return { initial: Object.freeze({}), step, meet };
}

module.exports = { jumpTables, opFlow };
