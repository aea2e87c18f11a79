// The compiled library (dist/), loaded from the repository root: the benchmark measures the
// package as users get it. Run from build/bench/bench/ (bench/tsconfig.json).
import path from 'node:path';
import type * as Library from '../dist/index';
import type { Native } from '../dist/native';

export const root = path.resolve(__dirname, '../../..');
export const ak: typeof Library = require(path.join(root, 'dist'));
const nativeModule: { native(): Native } = require(path.join(root, 'dist', 'native'));
export const native = (): Native => nativeModule.native();
export type Activation = Library.Activation;
