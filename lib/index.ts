// The package: `import { mish } from 'activation-kernels'`, or `import ak from 'activation-kernels'`
// and `ak.mish`: the default export holds every named one, in ESM and CommonJS alike.
import * as api from './api';

export * from './api';
export default api;
