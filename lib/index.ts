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
export { cpu, type Isa } from './cpu';
export { type CudaDevice, type CudaStatus, cuda, GpuArray } from './cuda';
export type { Device } from './run';
