// The peers: onnxruntime-node on its CPU provider (same thread count) and plain JavaScript loops.
import { onnxModel, peerGraphs } from './onnx';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

export interface OrtPeers {
  version: string;
  how: Record<string, string>;
  /** A call computing y = f(x) for this activation, threads and preallocated arrays. */
  runner(activation: string, threads: number, x: Float32Array, y: Float32Array): Promise<() => Promise<unknown>>;
}

/** onnxruntime-node, or why it is not there. */
export function loadOrt(): OrtPeers | string {
  let ort: Ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    return `onnxruntime-node not loaded (${(e as Error).message.split('\n')[0]}); install the devDependencies`;
  }
  const sessions = new Map<string, Promise<Session>>();
  const session = (activation: string, threads: number): Promise<Session> => {
    const key = `${activation}/${threads}`;
    let s = sessions.get(key);
    if (!s) {
      s = ort.InferenceSession.create(onnxModel(peerGraphs[activation].nodes, peerGraphs[activation].opset), {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      sessions.set(key, s);
    }
    return s;
  };
  return {
    version: ort.env.versions.node ?? ort.env.versions.common,
    how: Object.fromEntries(Object.entries(peerGraphs).map(([k, g]) => [k, g.how])),
    async runner(activation, threads, x, y) {
      const s = await session(activation, threads);
      const feeds = { x: new ort.Tensor('float32', x, [x.length]) };
      const fetches = { y: new ort.Tensor('float32', y, [y.length]) }; // preallocated output
      return () => s.run(feeds, fetches);
    },
  };
}

/** Plain loops, as someone would write them without this library. */
export const jsLoops: Record<string, { how: string; run: (x: Float32Array, y: Float32Array) => void }> = {
  relu: {
    how: 'y[i] = x[i] > 0 ? x[i] : 0',
    run(x, y) {
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        // biome-ignore lint/complexity/useMathMinMax: the loop as written by hand, without a call
        y[i] = v > 0 ? v : 0;
      }
    },
  },
  mish: {
    how: 'y[i] = x[i] * Math.tanh(Math.log1p(Math.exp(x[i])))',
    run(x, y) {
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        y[i] = v * Math.tanh(Math.log1p(Math.exp(v)));
      }
    },
  },
};
