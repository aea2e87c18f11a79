// The numeric test table: one row per function (activation, reference, dense range, kinks,
// max ulp). test/accuracy.test.ts runs every row on every ISA path this machine has.
import {
  type Activation,
  approxMish,
  aptx,
  blend,
  hardGate,
  hardMish,
  hardSwish,
  hMish,
  linearSwish,
  mish,
  relu,
  silu,
  swish,
} from '../lib';
import {
  approxMishRef,
  aptxRef,
  blendRef,
  hardGateRef,
  linearSwishRef,
  mishRef,
  type Reference,
  reluRef,
  swishRef,
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
];
