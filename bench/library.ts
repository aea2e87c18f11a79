// The library under test, from its TypeScript sources (scripts/build/run-ts.js transpiles them as they
// are required, as for `npm run report`), and the addon itself for the CUDA timing helper.
import * as ak from '../lib';
import { native } from '../lib/native';
import type { HalfDtype } from './half';

export type { Activation } from '../lib';
export const root = `${__dirname}/..`;
export { ak, native };

/** An activation called on 16-bit arrays: x, dy and out are Uint16Array of raw bits. */
export interface HalfActivation {
  forward(x: Uint16Array, options: { dtype: HalfDtype; out?: Uint16Array }): Uint16Array;
  backward(x: Uint16Array, dy: Uint16Array, options: { dtype: HalfDtype; out?: Uint16Array }): Uint16Array;
}

/** The 16-bit calling form of an activation (its `dtype` option). */
export const halfOf = (fn: object): HalfActivation => fn as HalfActivation;
