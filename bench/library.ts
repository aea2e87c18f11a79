// The library under test, from its TypeScript sources (scripts/build/run-ts.js transpiles them as they
// are required, as for `npm run report`), and the addon itself for the CUDA timing helper.
import * as ak from '../lib';
import { native } from '../lib/native';

export type { Activation } from '../lib';
export const root = `${__dirname}/..`;
export { ak, native };
