// Blend schedules: t from 0 to 1 over `steps`, linear or cosine, and the activation at each step.
import { describe, expect, it } from 'vitest';
import { blend, blendSchedule, hardMish, mish, relu } from '../lib';

describe.each(['linear', 'cosine'] as const)('%s', (shape) => {
  const s = blendSchedule({ from: mish, to: relu, steps: 10, shape });

  it('starts at exactly from and ends at exactly to, clamped outside [0, steps]', () => {
    expect(s.t(0)).toBe(0);
    expect(s.t(10)).toBe(1);
    expect(s.t(-3)).toBe(0);
    expect(s.t(25)).toBe(1);
    expect(s.at(0)).toBe(mish);
    expect(s.at(-1)).toBe(mish);
    expect(s.at(10)).toBe(relu);
    expect(s.at(11)).toBe(relu);
  });

  it('is monotone, with t(steps / 2) = 0.5', () => {
    expect(s.t(5)).toBe(0.5);
    let last = 0;
    for (let step = 0; step <= 10; step += 0.25) {
      const t = s.t(step);
      expect(t).toBeGreaterThanOrEqual(last);
      expect(t).toBeLessThanOrEqual(1);
      last = t;
    }
  });

  it('at(step) is blend(from, to, t(step))', () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => i / 8 - 4);
    const mid = s.at(3);
    expect(mid.name).toBe('blend');
    expect(mid.params.t).toBe(s.t(3));
    expect(mid.forward(x)).toEqual(blend(mish, relu, s.t(3)).forward(x));
  });
});

describe('shapes', () => {
  it('linear is step / steps; cosine starts and ends slowly', () => {
    const lin = blendSchedule({ from: mish, to: hardMish, steps: 4 });
    expect(lin.shape).toBe('linear');
    expect([0, 1, 2, 3, 4].map(lin.t)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const cos = blendSchedule({ from: mish, to: hardMish, steps: 4, shape: 'cosine' });
    expect(cos.t(1)).toBeCloseTo((1 - Math.SQRT1_2) / 2, 15);
    expect(cos.t(3)).toBeCloseTo((1 + Math.SQRT1_2) / 2, 15);
    expect(cos.t(1)).toBeLessThan(lin.t(1));
  });
});

describe('bad input', () => {
  it.each([
    [undefined, new TypeError('Expected an object for options but received undefined')],
    [{ from: 'mish', to: relu, steps: 3 }, new TypeError('Expected an activation for from but received string "mish"')],
    [{ from: mish, to: null, steps: 3 }, new TypeError('Expected an activation for to but received null')],
    [{ from: mish, to: relu }, new TypeError('Expected a positive integer for steps but received undefined')],
    [{ from: mish, to: relu, steps: 0 }, new RangeError('Expected a positive integer for steps but received 0')],
    [{ from: mish, to: relu, steps: 2.5 }, new RangeError('Expected a positive integer for steps but received 2.5')],
    [
      { from: mish, to: relu, steps: 3, shape: 'cos' },
      new RangeError('Expected one of linear, cosine for shape but received "cos"'),
    ],
    [
      { from: mish, to: relu, steps: 3, step: 1 },
      new RangeError(
        `Expected one of from, to, steps, shape for an option name of blendSchedule but received "step"; did you mean 'steps'?`,
      ),
    ],
  ])('blendSchedule(%o)', (options, error) => {
    expect(() => blendSchedule(options as never)).toThrow(error);
  });

  it('t and at take a finite step', () => {
    const s = blendSchedule({ from: mish, to: relu, steps: 3 });
    expect(() => s.t('1' as never)).toThrow(new TypeError('Expected a number for step but received string "1"'));
    expect(() => s.at(Number.NaN)).toThrow(
      new RangeError('Expected a finite float32 number for step but received NaN'),
    );
  });
});
