// A strict TypeScript consumer of the package (ESM, module nodenext, strict,
// noUncheckedIndexedAccess, exactOptionalPropertyTypes): compiled and run by
// scripts/check/check-consumer.sh against the packed tarball, and by test/consumer.test.ts against
// this checkout's dist/. Every @ts-expect-error line is a mistake the types must catch: if one
// compiled, tsc would fail on the unused directive.
import assert from 'node:assert/strict';
import ak, {
  type Activation,
  type ActivationName,
  type ActivationSpec,
  activation,
  aptx,
  blend,
  cuda,
  GpuArray,
  hardGate,
  hardMish,
  isActivationName,
  mish,
  relu,
  swish,
  toHalf,
} from 'activation-kernels';

const x = Float32Array.from({ length: 1000 }, (_, i) => i / 100 - 5);
const dy = new Float32Array(x.length).fill(0.5);

// 1. Params and paramGrad typed per activation.
const a = aptx({ beta: 2 });
const { alpha, beta, gamma } = a.paramGrad(x, dy);
const s: number = alpha + beta + gamma;
const b2: number = a.params.beta;
const sw: number = swish({ beta: 2 }).paramGrad(x, dy).beta;
const cap: number = hardGate({ cap: 4 }).params.cap;
assert.equal(b2, 2);
assert.equal(cap, 4);
assert.ok(Number.isFinite(s) && Number.isFinite(sw));
// @ts-expect-error a typo in a parameter name
assert.throws(() => aptx({ betta: 2 }), RangeError);
// @ts-expect-error swish has no alpha
assert.throws(() => swish({ alpha: 1 }), RangeError);
// @ts-expect-error hardGate has no gradient to take
assert.throws(() => hardGate.paramGrad(x, dy).shift, TypeError);
// @ts-expect-error mish has nothing to train: the call itself is the mistake
assert.throws(() => mish.paramGrad(x, dy), TypeError);
// @ts-expect-error the same for the async form
await assert.rejects(() => mish.paramGradAsync(x, dy), TypeError);

// Half precision: the dtype literal picks Uint16Array in and out.
const bits = toHalf(x, 'bfloat16');
const yb: Uint16Array = mish.forward(bits, { dtype: 'bfloat16' });
const ob = new Uint16Array(bits.length);
const same: Uint16Array = mish.backward(bits, yb, { dtype: 'bfloat16', out: ob });
assert.equal(same, ob);
// @ts-expect-error a Float32Array with a half dtype
assert.throws(() => mish.forward(x, { dtype: 'bfloat16' }), TypeError);
// @ts-expect-error half-precision bits without a dtype
assert.throws(() => mish.forward(bits), TypeError);

// activation(name, params) typed per name.
const byName = activation('aptx', { beta: 2 });
const nb: number = byName.params.beta;
assert.equal(nb, 2);
const g2: number = activation('swish', { beta: 3 }).paramGrad(x, dy).beta;
assert.ok(Number.isFinite(g2));
assert.equal(activation('mish'), mish);
// @ts-expect-error a typo in a parameter name
assert.throws(() => activation('aptx', { betta: 2 }), RangeError);
// @ts-expect-error mish takes no parameters
assert.throws(() => activation('mish', { beta: 1 }), RangeError);
// @ts-expect-error not a name
assert.throws(() => activation('Mish'), RangeError);

// A name from a config: the type guard.
const configName: string = JSON.parse('"hardSwish"') as string;
// @ts-expect-error a string is not an ActivationName
activation(configName).forward(x);
if (!isActivationName(configName)) throw new Error('hardSwish is a name');
const named: ActivationName = configName;
const fromConfig: Activation = activation(named);
assert.equal(fromConfig.name, 'hardSwish');
assert.ok(activation.names.includes(named));

// forward/backward accept the union and return the matching union.
function apply(t: Float32Array | GpuArray): Float32Array | GpuArray {
  return mish.forward(t);
}
assert.ok(apply(x) instanceof Float32Array);
const onGpu: GpuArray | undefined = cuda.available() ? mish.forward(GpuArray.from(x)) : undefined;
void onGpu;

// Results the library allocates are Float32Array<ArrayBuffer>; out keeps its own type.
const y = mish.forward(x);
const buffer: ArrayBuffer = y.buffer;
const dx: Float32Array<ArrayBuffer> = mish.backward(x, dy);
const ya: Float32Array<ArrayBuffer> = await mish.forwardAsync(x);
const shared = new Float32Array(new SharedArrayBuffer(4 * x.length));
const ys: Float32Array<SharedArrayBuffer> = mish.forward(x, { out: shared });
assert.equal(ys, shared);
assert.equal(buffer.byteLength, 4 * x.length);
assert.equal(dx.length, x.length);
assert.deepEqual(ya, y);
structuredClone(y, { transfer: [y.buffer] }); // what postMessage(y, [y.buffer]) needs
// @ts-expect-error out must be a Float32Array
assert.throws(() => mish.forward(x, { out: new Float64Array(x.length) }), TypeError);
// @ts-expect-error a host x with a GpuArray dy
if (cuda.available()) mish.backward(x, GpuArray.alloc(x.length));

// The default export, in ESM as in CommonJS.
assert.equal(ak.mish, mish);
assert.equal(ak.activation, activation);

// 2. Activations as data.
const spec: ActivationSpec = a.toJSON();
assert.equal(JSON.stringify(a), '{"name":"aptx","params":{"alpha":1,"beta":2,"gamma":0.5}}');
const blended = blend(a, hardMish, 0.25);
assert.equal(
  JSON.stringify(blended),
  '{"name":"blend","a":{"name":"aptx","params":{"alpha":1,"beta":2,"gamma":0.5}},"b":{"name":"hardMish"},"t":0.25}',
);
const loaded = activation(JSON.parse(JSON.stringify(blended)) as ActivationSpec);
assert.deepEqual(Array.from(loaded.forward(x)), Array.from(blended.forward(x)));
assert.equal(activation(spec).params.beta, 2);
const literal: ActivationSpec = {
  name: 'blend',
  a: { name: 'mish' },
  b: { name: 'swish', params: { beta: 2 } },
  t: 0.5,
};
activation(literal);
// @ts-expect-error a typo in a spec's parameter name
const badSpec: ActivationSpec = { name: 'aptx', params: { betta: 2 } };
void badSpec;

// A blend's paramGrad: the trainable side, weighted by its share of the blend.
const bg = blend(aptx({ beta: 2 }), hardMish, 0.3).paramGrad(x, dy);
const ba: number = bg.a.alpha;
const whole = aptx({ beta: 2 }).paramGrad(x, dy);
assert.ok(Math.abs(ba - (1 - Math.fround(0.3)) * whole.alpha) <= 1e-9 * Math.abs(whole.alpha));
// @ts-expect-error hardMish has no parameters: no b
void bg.b;
const nested: number = blend(relu, blend(swish, aptx, 0.5), 0.5).paramGrad(x, dy).b.a.beta;
assert.ok(Number.isFinite(nested));

// Immutable, and methods work unbound.
assert.ok(Object.isFrozen(mish) && Object.isFrozen(a) && Object.isFrozen(a.params));
assert.throws(() => {
  (mish as { name: string }).name = 'x';
}, TypeError);
const f = mish.forward;
assert.deepEqual(f(x), mish.forward(x));

console.log('consumer: ok');
