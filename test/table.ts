// The numeric test table: one row per function (activation, reference, dense range, kinks,
// max ulp). test/accuracy.test.ts runs every row on every ISA path this machine has.
import {
  type Activation,
  approxMish,
  aptx,
  blend,
  elu,
  gelu,
  geluTanh,
  hardGate,
  hardMish,
  hardSwish,
  hMish,
  leakyRelu,
  linearSwish,
  mish,
  relu,
  selu,
  sigmoid,
  silu,
  softplus,
  swish,
  tanh,
} from '../lib';
import {
  approxMishRef,
  aptxRef,
  blendRef,
  eluRef,
  geluRef,
  geluTanhRef,
  hardGateRef,
  leakyReluRef,
  linearSwishRef,
  mishRef,
  type Reference,
  reluRef,
  seluRef,
  sigmoidRef,
  softplusRef,
  swishRef,
  tanhRef,
} from './reference';

export interface Row {
  name: string;
  fn: Activation;
  ref: Reference;
  range: [number, number];
  kinks: number[];
  maxUlp: number; // DESIGN §4: 4 for every function, forward and backward
}

const row = (
  name: string,
  fn: Activation,
  ref: Reference,
  kinks: number[] = [],
  range: [number, number] = [-30, 30],
) => ({
  name,
  fn,
  ref,
  range,
  kinks,
  maxUlp: 4,
});

export const rows: Row[] = [
  row('relu', relu, reluRef),
  row('mish', mish, mishRef()),
  row('swish', swish, swishRef(1)),
  row('silu', silu, swishRef(1)),
  row('swish beta 2', swish({ beta: 2 }), swishRef(2)),
  row('swish beta 1.7', swish({ beta: 1.7 }), swishRef(1.7)),
  row('swish beta -0.5', swish({ beta: -0.5 }), swishRef(-0.5)),
  row('hardGate', hardGate, hardGateRef(3, 6), [-3, 3]),
  row('hardSwish', hardSwish, hardGateRef(3, 6), [-3, 3]),
  row('hardMish', hardMish, hardGateRef(3, 5), [-3, 2]),
  row('hMish', hMish, hardGateRef(2, 2), [-2, 0]),
  row('hardGate 1.3, 0.7', hardGate({ shift: 1.3, cap: 0.7 }), hardGateRef(1.3, 0.7), [-1.3, 0.7 - 1.3]),
  row('approxMish', approxMish, approxMishRef),
  row('linearSwish', linearSwish, linearSwishRef),
  row('aptx', aptx, aptxRef(1, 1, 0.5)),
  row('aptx 1.5, 0.7, 1.3', aptx({ alpha: 1.5, beta: 0.7, gamma: 1.3 }), aptxRef(1.5, 0.7, 1.3)),
  row('blend mish hardMish 0.5', blend(mish, hardMish, 0.5), blendRef(mishRef(), hardGateRef(3, 5), 0.5), [-3, 2]),
  row('blend mish relu 0.25', blend(mish, relu, 0.25), blendRef(mishRef(), reluRef, 0.25)),
  // The classic functions (cpp/activations_classic.h). Kinks: where a formula switches.
  row('gelu', gelu, geluRef, [-0.7517915, -1, 1, -14, 14], [-16, 16]),
  row('gelu left tail', gelu, geluRef, [-13.2], [-14.5, -5]),
  row('geluTanh', geluTanh, geluTanhRef, [-0.7517915], [-16, 16]),
  row('geluTanh left tail', geluTanh, geluTanhRef, [], [-11, -4]),
  row('sigmoid', sigmoid, sigmoidRef, [], [-110, 30]),
  row('tanh', tanh, tanhRef, [2 ** -13, -(2 ** -13), 15, -15], [-10, 10]),
  row('tanh near 0', tanh, tanhRef, [2 ** -13, -(2 ** -13)], [-(2 ** -8), 2 ** -8]),
  row('softplus', softplus, softplusRef(1), [69.3, -69.3], [-110, 30]),
  row('softplus beta 1.75', softplus({ beta: 1.75 }), softplusRef(1.75), [], [-70, 30]),
  row('softplus beta -0.5', softplus({ beta: -0.5 }), softplusRef(-0.5)),
  row('softplus beta 0.001', softplus({ beta: 0.001 }), softplusRef(0.001), [], [-2e5, 2e4]),
  row('softplus beta 30', softplus({ beta: 30 }), softplusRef(30), [], [-5, 5]),
  row('elu', elu, eluRef(1), [2 ** -25, -(2 ** -25), -30], [-35, 5]),
  row('elu alpha 1.7', elu({ alpha: 1.7 }), eluRef(1.7), [], [-20, 5]),
  row('elu alpha -0.3', elu({ alpha: -0.3 }), eluRef(-0.3), [], [-5, 5]),
  row('selu', selu, seluRef, [], [-20, 5]),
  row('leakyRelu', leakyRelu, leakyReluRef(0.01)),
  row('leakyRelu slope 0.25', leakyRelu({ slope: 0.25 }), leakyReluRef(0.25)),
  row('leakyRelu slope -1.5', leakyRelu({ slope: -1.5 }), leakyReluRef(-1.5)),
  row('leakyRelu slope 0', leakyRelu({ slope: 0 }), leakyReluRef(0)),
  row('blend gelu geluTanh 0.5', blend(gelu, geluTanh, 0.5), blendRef(geluRef, geluTanhRef, 0.5)),
];
