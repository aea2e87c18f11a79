// Rows for the bench's pure parts (test/bench.test.ts, test/bench-docs.test.ts): one
// measurement of this library and one of a peer, at 2^20 on one CPU thread unless `extra` says
// otherwise.
import type { Measurement, Peer } from '../../bench/results';

export const measurement = (
  activation: string,
  pass: Measurement['pass'],
  ms: number,
  extra: Partial<Measurement> = {},
): Measurement => ({ backend: 'cpu', threads: 1, n: 2 ** 20, activation, pass, ms, ...extra }) as Measurement;

export const peerRow = (
  name: string,
  activation: string,
  pass: Peer['pass'],
  ms: number,
  extra: Partial<Peer> = {},
): Peer => ({
  name,
  version: '1.0',
  backend: 'cpu',
  activation,
  pass,
  n: 2 ** 20,
  ms,
  threads: 1,
  how: '',
  vsRelu: null,
  maxUlp: 2,
  maxUlp30: 2,
  wrong: null,
  ...extra,
});
