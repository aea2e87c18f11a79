// Every check on what a caller passes, with one message format:
//   Expected <what was expected> for <argument> but received <what it was>
// TypeError for a wrong type, RangeError for a wrong value.
import { isFloat32Array, isProxy, isUint16Array } from 'node:util/types';

// A caller's string in a message: quoted, and cut to its first 80 characters, so that a message
// never repeats untrusted input whole (a server that logs or returns it would amplify it).
const QUOTED = 80;
export function quote(value: string): string {
  if (value.length <= QUOTED) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTED))}... (${value.length} characters)`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `string ${quote(value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'bigint':
      return `bigint ${String(value)}n`;
    case 'symbol':
      return 'symbol';
    case 'function':
      return 'function';
    default: {
      // A Proxy's traps, or a getter, would run the caller's code (and may throw) here.
      if (isProxy(value)) return 'Proxy';
      const d = Object.getOwnPropertyDescriptor(value, 'constructor') ?? protoConstructor(value);
      const name = d && 'value' in d ? (d.value as { name?: unknown } | null)?.name : undefined;
      if (typeof name !== 'string' || name === '') return 'Object';
      return name.length <= QUOTED ? name : `${name.slice(0, QUOTED)}... (${name.length} characters)`;
    }
  }
}

function protoConstructor(value: object): PropertyDescriptor | undefined {
  const proto = Object.getPrototypeOf(value);
  return proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, 'constructor');
}

export function typeError(expected: string, name: string, received: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(received)}`);
}

export function rangeError(expected: string, name: string, received: string): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${received}`);
}

function isDetached(a: ArrayBufferView): boolean {
  if (a.byteLength !== 0 || a.buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(a.buffer); // throws on a detached buffer, not on an empty one
    return false;
  } catch {
    return true;
  }
}

// A Node Buffer holds bytes: say how to see them as floats.
function bufferHint(b: Buffer): string {
  if (b.length % 4 !== 0) return `: its ${b.length} bytes are not a whole number of float32 values`;
  if (b.byteOffset % 4 !== 0)
    return `: its byteOffset ${b.byteOffset} is not a multiple of 4, so copy it: new Float32Array(new Uint8Array(b).buffer)`;
  return ': view it as one with new Float32Array(b.buffer, b.byteOffset, b.length / 4)';
}

// The length a typed array has, whatever a subclass's length getter says.
const lengthOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float32Array.prototype), 'length')?.get as (
  this: ArrayBufferView,
) => number;
// A typed array's own type name ('Float16Array'), whatever it says of itself; undefined for
// anything else.
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Float32Array.prototype),
  Symbol.toStringTag,
)?.get as (this: unknown) => string | undefined;

/** The host arrays a call takes: float32 values, or half-precision bits (a Float16Array where the runtime has one). */
export type ArrayKind = 'Float32Array' | 'Uint16Array' | 'Float16Array';
/** A host array of one of the kinds. */
export type HostArray = Float32Array | Uint16Array;

export function isArrayKind(value: unknown, kind: ArrayKind): boolean {
  if (kind === 'Float32Array') return isFloat32Array(value);
  if (kind === 'Uint16Array') return isUint16Array(value);
  return ArrayBuffer.isView(value) && typedArrayName.call(value) === 'Float16Array';
}

export function checkFloat32Array(value: unknown, name: string): Float32Array {
  return checkArray(value, name, 'Float32Array') as Float32Array;
}

// label: how the argument is named in a message, e.g. 'dy (dtype bfloat16)'; hint: what to add
// to a wrong type's message.
export function checkArray(value: unknown, name: string, kind: ArrayKind, label = name, hint = ''): HostArray {
  if (isProxy(value))
    throw new TypeError(`Expected a ${kind} for ${label} but received a Proxy: pass the array itself`);
  if (!isArrayKind(value, kind)) {
    const e = typeError(kind, label, value);
    if (kind === 'Float32Array' && Buffer.isBuffer(value)) e.message += bufferHint(value);
    else e.message += hint;
    throw e;
  }
  const a = value as HostArray;
  if (isDetached(a)) throw new TypeError(`Expected an attached ${kind} for ${label} but received a detached one`);
  const length = lengthOf.call(a);
  if (a.length !== length)
    throw new TypeError(
      `Expected a ${kind} whose length is its own for ${label} but received a ${describe(value)} saying length ${String(a.length).slice(0, QUOTED)} for its ${length} elements`,
    );
  return a;
}

export function checkLength(a: HostArray, name: string, length: number, of: string): void {
  if (a.length !== length) throw rangeError(`length ${length} (the length of ${of})`, name, `length ${a.length}`);
}

// `out` may be one of `inputs` exactly (in place) or disjoint from all of them.
export function checkOut(out: HostArray, inputs: Array<[HostArray, string]>): void {
  for (const [input, name] of inputs) {
    if (out.buffer !== input.buffer) continue;
    const same = out.byteOffset === input.byteOffset && out.length === input.length;
    const disjoint =
      out.byteOffset + out.byteLength <= input.byteOffset || input.byteOffset + input.byteLength <= out.byteOffset;
    if (!same && !disjoint)
      throw rangeError(`${name} itself or memory disjoint from ${name}`, 'out', `a view that partly overlaps ${name}`);
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;

export interface NumberRule {
  above?: number; // exclusive lower bound
  min?: number;
  max?: number;
  nonzero?: boolean; // also as a float32: 1e-46 rounds to 0
}

// A parameter: a number that is finite as a float32, within the rule's bounds.
export function checkNumber(value: unknown, name: string, rule: NumberRule = {}): number {
  if (typeof value !== 'number') throw typeError('a number', name, value);
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX)
    throw rangeError('a finite float32 number', name, String(value));
  if (rule.nonzero && Math.fround(value) === 0) throw rangeError('a nonzero float32 number', name, String(value));
  if (rule.above !== undefined && !(value > rule.above))
    throw rangeError(`a number > ${rule.above}`, name, String(value));
  if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max))
    throw rangeError(`a number in [${rule.min}, ${rule.max}]`, name, String(value));
  return value;
}

// An options object (or undefined) whose keys are all known: a typo must not pass silently.
// keyName says what a key is, e.g. 'a parameter name of swish'.
export function checkOptions<T extends object>(
  value: unknown,
  name: string,
  keyName: string,
  known: readonly string[],
): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError('an object', name, value);
  for (const key of Object.keys(value)) checkKey(key, keyName, known);
  return value as Partial<T>;
}

/** A key of an object the caller passed, one of `known`; keyName says what a key is. */
export function checkKey(key: string, keyName: string, known: readonly string[]): void {
  if (!known.includes(key))
    throw rangeError(known.length ? `one of ${known.join(', ')}` : 'none', keyName, quote(key) + hint(key, known));
}

// aliases: what a value the caller may mean is called here ({ gpu: 'cuda' }), for the hint.
export function checkOneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T {
  if (typeof value !== 'string') throw typeError(`one of ${allowed.join(', ')}`, name, value);
  if (!allowed.includes(value as T)) {
    const alias = Object.hasOwn(aliases, value.toLowerCase())
      ? `; did you mean '${aliases[value.toLowerCase()]}'?`
      : '';
    throw rangeError(`one of ${allowed.join(', ')}`, name, quote(value) + (alias || hint(value, allowed)));
  }
  return value as T;
}

// Edits (insert, delete, substitute, swap two neighbours) turning a into b, ignoring case.
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0][j] = j;
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[x.length][y.length];
}

/**
 * "; did you mean 'mish'?" when one allowed value is the same but for case, or the nearest
 * within 2 edits (1 for names of 4 letters, none for shorter ones: 'gpu' is not 'cpu'); else "".
 */
export function hint(value: string, allowed: readonly string[]): string {
  if (value.length > 64) return '';
  const limit = value.length <= 3 ? 0 : value.length === 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const a of allowed) {
    const d = distance(value, a);
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
