export {
  Activation,
  type ActivationName,
  activation,
  approxMish,
  aptx,
  blend,
  type CallOptions,
  elu,
  type Factory,
  type Grads,
  gelu,
  geluTanh,
  hardGate,
  hardMish,
  hardSwish,
  hMish,
  leakyRelu,
  linearSwish,
  mish,
  type Params,
  relu,
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
export type { Device } from './run';
export { type BlendSchedule, type BlendScheduleOptions, blendSchedule, type ScheduleShape } from './schedule';
