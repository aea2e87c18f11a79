// Everything the package exports by name; lib/index.ts adds the default export.
export {
  Activation,
  type ActivationName,
  type ActivationOf,
  type ActivationSpec,
  approxMish,
  aptx,
  type Blend,
  type BlendGrads,
  type BlendSpec,
  blend,
  type CallOptions,
  elu,
  type Factory,
  type GradOptions,
  type Grads,
  gelu,
  geluTanh,
  type HalfCallOptions,
  hardGate,
  hardMish,
  hardSigmoid,
  hardSwish,
  hMish,
  leakyRelu,
  linearSwish,
  mish,
  type NamedSpec,
  type OutOf,
  type Params,
  type ParamsArg,
  type ParamsOf,
  type ResultOf,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softplus,
  swish,
  tanh,
} from './activations';
export {
  AptxLayer,
  type AptxLayerGpuGrads,
  type AptxLayerGrads,
  type AptxLayerOptions,
  type AptxLayerParams,
  aptxLayer,
} from './aptx-layer';
export { cpu, type Isa } from './cpu';
export { type CudaDevice, type CudaStatus, cuda, GpuArray } from './cuda';
export { type Dtype, fromHalf, type HalfDtype, toHalf } from './half';
export type { Device } from './run';
export { type BlendSchedule, type BlendScheduleOptions, blendSchedule, type ScheduleShape } from './schedule';
export { activation, isActivationName } from './spec';
