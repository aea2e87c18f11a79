// The part of vitest's API that the GPU tests use, for gpu-bundle/ (a GPU server without
// network gets no vitest): describe/it with skipIf and each, and the matchers of test/cuda*.ts
// and test/aptx-layer-gpu*.ts. scripts/gpu/run-tests.js runs what the test files register.

const tests = [];
const prefix = [];
let skipping = 0;

function describe(name, body) {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}
describe.skipIf = (condition) => (name, body) => {
  if (condition) skipping++;
  try {
    describe(name, body);
  } finally {
    if (condition) skipping--;
  }
};

function it(name, body) {
  tests.push({ name: [...prefix, name].join(' > '), body, skip: skipping > 0 });
}
it.skipIf = (condition) => (name, body) => {
  if (condition) tests.push({ name: [...prefix, name].join(' > '), body, skip: true });
  else it(name, body);
};

// it.each's name: printf-style %s %d %i %f %j %o %O %# %% from the row's values, in order.
function eachName(name, args, index) {
  let next = 0;
  return name.replace(/%[sdifjoO#%]/g, (spec) => {
    if (spec === '%%') return '%';
    if (spec === '%#') return String(index);
    const v = args[next++];
    if (spec === '%d' || spec === '%i') return String(spec === '%i' ? Math.trunc(Number(v)) : Number(v));
    if (spec === '%f') return String(Number(v));
    if (spec === '%s' && typeof v === 'string') return v;
    return show(v);
  });
}
it.each = (table) => (name, body) => {
  table.forEach((row, index) => {
    const args = Array.isArray(row) ? row : [row];
    it(eachName(name, args, index), () => body(...args));
  });
};

function show(v) {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Error) return `${v.constructor.name}(${JSON.stringify(v.message)})`;
  try {
    const s = JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));
    return s && s.length > 200 ? `${s.slice(0, 200)}...` : String(s);
  } catch {
    return String(v);
  }
}

function equal(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal(a[k], b[k]));
}

function throwsLike(error, expected) {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(error?.message ?? String(error));
  if (typeof expected === 'function') return error instanceof expected;
  if (expected instanceof Error)
    return error?.constructor === expected.constructor && error.message === expected.message;
  return String(error?.message).includes(String(expected));
}

function matchers(actual, message, negate) {
  const check = (pass, what) => {
    if (pass === negate)
      throw new Error(`${message ? `${message}: ` : ''}expected ${show(actual)} ${negate ? 'not ' : ''}${what}`);
  };
  const thrown = () => {
    try {
      actual();
    } catch (e) {
      return { error: e };
    }
    return undefined;
  };
  return {
    toBe: (v) => check(Object.is(actual, v), `to be ${show(v)}`),
    toEqual: (v) => check(equal(actual, v), `to equal ${show(v)}`),
    toBeTruthy: () => check(Boolean(actual), 'to be truthy'),
    toBeNull: () => check(actual === null, 'to be null'),
    toBeGreaterThan: (v) => check(actual > v, `to be > ${v}`),
    toBeGreaterThanOrEqual: (v) => check(actual >= v, `to be >= ${v}`),
    toBeLessThanOrEqual: (v) => check(actual <= v, `to be <= ${v}`),
    toBeInstanceOf: (c) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toMatch: (re) => check(typeof actual === 'string' && re.test(actual), `to match ${re}`),
    toThrow: (expected) => {
      const t = thrown();
      const ok = t !== undefined && throwsLike(t.error, expected);
      if (ok === negate)
        throw new Error(
          `${message ? `${message}: ` : ''}expected ${negate ? 'no throw' : `a throw of ${show(expected)}`}, got ${t ? show(t.error) : 'no throw'}`,
        );
    },
  };
}

function expect(actual, message) {
  const m = matchers(actual, message, false);
  m.not = matchers(actual, message, true);
  m.rejects = {
    toThrow: async (expected) => {
      try {
        await actual;
      } catch (e) {
        if (throwsLike(e, expected)) return;
        throw new Error(`expected a rejection with ${show(expected)}, got ${show(e)}`);
      }
      throw new Error(`expected a rejection with ${show(expected)}, got a resolution`);
    },
  };
  return m;
}
expect.fail = (message) => {
  throw new Error(message ?? 'expect.fail()');
};

module.exports = { describe, it, expect, tests };
