// Activations by name and as data: activation(name, params), activation(spec) for the JSON that
// JSON.stringify(activation) writes, and isActivationName. A spec may come from an untrusted
// config: it is read as data (own data properties only, no getters run), every key is known,
// blends nest at most 16 deep with at most 64 activations, every number is checked, and what is
// wrong is a TypeError or RangeError in the one format, naming where in the spec it is.
import {
  type Activation,
  type ActivationName,
  type ActivationOf,
  type ActivationSpec,
  blend,
  byName,
  type ParamsArg,
} from './activations';
import { limits } from './ops';
import { checkKey, checkNumber, checkOneOf, checkOptions, rangeError, typeError } from './validate';

const names = Object.freeze(Object.keys(byName) as ActivationName[]);

/**
 * True when s names an activation of the table: narrows a name read from a config.
 * @example if (isActivationName(s)) activation(s)
 */
export function isActivationName(s: unknown): s is ActivationName {
  return typeof s === 'string' && (names as readonly string[]).includes(s);
}

// where: the path of the params in a spec ('spec.a.params'), for the messages.
function byNameCall(name: unknown, params: unknown, where?: string): Activation<object, unknown> {
  const key = checkOneOf(name, 'name', names);
  const found: Activation<object, unknown> = byName[key];
  if (typeof found === 'function')
    return (found as unknown as (p: unknown, where?: string) => Activation<object, unknown>)(params, where);
  checkOptions(params, 'params', `a parameter name of ${key}${where ? ` in ${where}` : ''}`, []);
  return found;
}

// The own data properties of a spec node, each key known.
// shape: what the node is, for the messages ('an activation spec object', or the params of one).
const SPEC_SHAPE = '({ name, params } or { name: "blend", a, b, t })';
function entries(
  value: unknown,
  where: string,
  known: readonly string[],
  what = { kind: 'an activation spec object', plain: 'a plain object', shape: SPEC_SHAPE },
): Map<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value))
    throw typeError(`${what.kind} ${what.shape}`, where, value);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw typeError(`${what.plain} ${what.shape}`, where, value);
  const out = new Map<string, unknown>();
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol')
      throw new TypeError(`Expected string keys only for ${where} but received a symbol key`);
    checkKey(key, `a key of ${where}`, known);
    const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
    if (!('value' in d)) throw new TypeError(`Expected a data property for ${where}.${key} but received a getter`); // key: a known one
    out.set(key, d.value);
  }
  return out;
}

function fromSpec(spec: unknown, where: string, depth: number, count: { nodes: number }): Activation<object, unknown> {
  const { maxNodes, maxDepth } = limits();
  if (++count.nodes > maxNodes) throw rangeError(`at most ${maxNodes} activations`, 'spec', 'more');
  if (depth > maxDepth) throw rangeError(`blends nested at most ${maxDepth} deep`, 'spec', 'deeper');
  const name =
    spec !== null && typeof spec === 'object' && Object.hasOwn(spec, 'name')
      ? Object.getOwnPropertyDescriptor(spec, 'name')?.value
      : undefined;
  if (name === 'blend') {
    const e = entries(spec, where, ['name', 'a', 'b', 't']);
    for (const k of ['a', 'b', 't'])
      if (!e.has(k)) throw typeError(k === 't' ? 'a number' : 'an activation spec', `${where}.${k}`, undefined);
    const a = fromSpec(e.get('a'), `${where}.a`, depth + 1, count);
    const b = fromSpec(e.get('b'), `${where}.b`, depth + 1, count);
    return blend(a, b, checkNumber(e.get('t'), `${where}.t`, { min: 0, max: 1 }));
  }
  const e = entries(spec, where, ['name', 'params']);
  const key = checkOneOf(name, `${where}.name`, [...names, 'blend']) as ActivationName;
  const found: Activation<object, unknown> = byName[key];
  const known = Object.keys(found.params);
  const params = e.get('params');
  if (params === undefined) return byNameCall(key, undefined);
  const shape = known.length ? `{ ${known.join(', ')} }` : '{}';
  const given = entries(params, `${where}.params`, known, {
    kind: `an object of the parameters of ${key}`,
    plain: `a plain object of the parameters of ${key}`,
    shape,
  });
  return byNameCall(key, Object.fromEntries(given), `${where}.params`);
}

/**
 * An activation by name, for configs: `activation('aptx', { beta: 2 })` (parameters typed per
 * name, any left out), or from its spec, the JSON that JSON.stringify(activation) writes:
 * `activation({ name: 'blend', a: { name: 'mish' }, b: { name: 'relu' }, t: 0.25 })`. A spec is
 * validated like any input (it may come from an untrusted config). `activation.names` lists the
 * names.
 * @example activation(JSON.parse(saved))
 */
function activationFn<N extends ActivationName>(name: N, params?: ParamsArg<N>): ActivationOf<N>;
function activationFn(spec: ActivationSpec): Activation;
function activationFn(nameOrSpec: unknown, params?: unknown): Activation<object, unknown> {
  if (typeof nameOrSpec !== 'string' && nameOrSpec !== null && typeof nameOrSpec === 'object') {
    if (params !== undefined) throw typeError('no second argument after a spec', 'params', params);
    return fromSpec(nameOrSpec, 'spec', 0, { nodes: 0 });
  }
  if (typeof nameOrSpec !== 'string')
    throw typeError(`an activation name (one of ${names.join(', ')}) or a spec object`, 'name', nameOrSpec);
  return byNameCall(nameOrSpec, params);
}

/**
 * An activation by name, `activation('aptx', { beta: 2 })`, or from its spec (the JSON that
 * JSON.stringify writes), validated as untrusted input; `activation.names` lists the names.
 * @example activation(JSON.parse('{"name":"swish","params":{"beta":2}}'))
 */
export const activation: typeof activationFn & {
  /** Every name activation() takes, in the table's order: `['relu', 'mish', 'swish', ...]`. */
  readonly names: readonly ActivationName[];
} = Object.freeze(Object.assign(activationFn, { names }));
