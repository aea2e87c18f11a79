export {
  Activation,
  type ActivationName,
  activation,
  approxMish,
  aptx,
  blend,
  type CallOptions,
  type Factory,
  type Grads,
  hardGate,
  hardMish,
  hardSwish,
  hMish,
  linearSwish,
  mish,
  type Params,
  relu,
  silu,
  swish,
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
