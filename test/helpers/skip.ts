// The reason a suite is skipped, in its title, so that the test report says it:
//   describe.skipIf(!gpu)(`GpuArray on a GPU${skipped(!gpu, 'no GPU')}`, ...)
export function skipped(skip: boolean, why: string): string {
  return skip ? ` (skipped: ${why})` : '';
}
