// The host side: which SIMD path runs, and how many threads large arrays use.
import { native } from './native';
import { checkNumber, checkOneOf } from './validate';

/** A CPU path: AVX-512, AVX2+FMA, NEON or plain scalar code. */
export type Isa = 'avx512' | 'avx2' | 'neon' | 'scalar';

/**
 * The host side: which SIMD path runs (chosen from the processor at load) and how many threads
 * large arrays (2^18 elements and more) are split over (default: all cores).
 * @example cpu.isa() // 'avx512' on a Zen 4
 */
export const cpu = {
  /** The SIMD path in use: chosen from the processor at load, ACTIVATION_KERNELS_ISA forces one. */
  isa(): Isa {
    return native().isa() as Isa;
  },
  /** Every path this processor can run, best first. */
  supportedIsas(): Isa[] {
    return native().supportedIsas() as Isa[];
  },
  /** Switch the path (for tests and benchmarks); RangeError if this processor lacks it. */
  setIsa(isa: Isa): void {
    const supported = cpu.supportedIsas();
    checkOneOf(isa, 'isa', supported);
    native().setIsa(isa);
  },
  /** Threads used for large host arrays in this JS context (default: all cores). */
  threads(): number {
    return native().threads();
  },
  setThreads(n: number): void {
    checkNumber(n, 'n', { min: 1, max: 1024 });
    if (!Number.isInteger(n)) throw new RangeError(`Expected an integer in [1, 1024] for n but received ${n}`);
    native().setThreads(n);
  },
};
