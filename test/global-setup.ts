// Says once, before the run, why the GPU suites are skipped (their titles say it too).
import { cuda } from '../lib';

export default function setup(): void {
  let reason: string | null;
  try {
    reason = cuda.available() ? null : cuda.status().reason;
  } catch (e) {
    reason = (e as Error).message; // no addon: the suites themselves will say so
  }
  if (reason !== null) process.stdout.write(`GPU suites skipped: no GPU (${reason})\n`);
}
