// Blend schedules: move a model from one activation to another over a number of training steps,
// t going from 0 to 1 (linearly, or along a half cosine that starts and ends slowly).
import { Activation, blend } from './activations';
import { checkNumber, checkOneOf, checkOptions, rangeError, typeError } from './validate';

/** How t goes from 0 to 1: 'linear', or 'cosine' (a half cosine: slow at both ends). */
export type ScheduleShape = 'linear' | 'cosine';
const SHAPES: readonly ScheduleShape[] = ['linear', 'cosine'];

/** blendSchedule()'s options: `{ from: mish, to: hardMish, steps: 1000, shape: 'cosine' }`. */
export interface BlendScheduleOptions {
  from: Activation;
  to: Activation;
  /** steps to go from t = 0 (at step 0) to t = 1 (at step `steps` and after) */
  steps: number;
  /** default 'linear' */
  shape?: ScheduleShape;
}

/** A schedule: t(step) in [0, 1] and at(step) = blend(from, to, t(step)). */
export interface BlendSchedule {
  readonly from: Activation;
  readonly to: Activation;
  readonly steps: number;
  readonly shape: ScheduleShape;
  /** The blend weight at `step`, in [0, 1]; steps outside [0, steps] are clamped. */
  t(step: number): number;
  /** blend(from, to, t(step)); `from` itself at t = 0 and `to` itself at t = 1. */
  at(step: number): Activation;
}

/**
 * Moves a model from one activation to another over `steps` training steps: t(step) = step/steps
 * ('linear', the default) or 1/2 + sin(π(step/steps − 1/2))/2 ('cosine'), clamped to [0, 1].
 * @example const s = blendSchedule({ from: mish, to: hardMish, steps: 1000 }); s.at(step).forward(x)
 */
export function blendSchedule(options: BlendScheduleOptions): BlendSchedule {
  if (options === undefined) throw typeError('an object', 'options', options);
  const o = checkOptions<BlendScheduleOptions>(options, 'options', 'an option name of blendSchedule', [
    'from',
    'to',
    'steps',
    'shape',
  ]);
  if (!(o.from instanceof Activation)) throw typeError('an activation', 'from', o.from);
  if (!(o.to instanceof Activation)) throw typeError('an activation', 'to', o.to);
  const steps = o.steps;
  if (typeof steps !== 'number') throw typeError('a positive integer', 'steps', steps);
  if (!Number.isInteger(steps) || steps < 1) throw rangeError('a positive integer', 'steps', String(steps));
  const shape = o.shape === undefined ? 'linear' : checkOneOf(o.shape, 'shape', SHAPES);
  const { from, to } = o;

  const t = (step: number): number => {
    checkNumber(step, 'step');
    const u = Math.min(1, Math.max(0, step / steps));
    // sin form: exactly 0, 1/2 and 1 at u = 0, 1/2, 1
    return shape === 'linear' ? u : 0.5 + 0.5 * Math.sin(Math.PI * (u - 0.5));
  };
  const at = (step: number): Activation => {
    const v = t(step);
    return v === 0 ? from : v === 1 ? to : blend(from, to, v);
  };
  return Object.freeze({ from, to, steps, shape, t, at });
}
