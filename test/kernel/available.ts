import { KernelDatapath } from '../../src/datapath/kernel';

/**
 * The kernel-datapath tests need the BPF programs built and the right to load them (root). Without
 * them they are skipped, loudly; with INTRACLUSTER_E2E=required (set by .ci/run) a missing
 * capability fails the run.
 */
let cached: { datapath?: KernelDatapath; why?: string } | undefined;

/** The loaded datapath, or why it cannot be loaded here. One load per test file. */
export function kernelDatapath(): { datapath?: KernelDatapath; why?: string } {
  if (cached) return cached;
  try {
    cached = { datapath: KernelDatapath.open() };
  } catch (e) {
    cached = { why: (e as Error).message };
  }
  return cached;
}

/** `describe` when the kernel datapath loads here, else a skip (or, when required, one failing test). */
export function describeKernel(title: string, body: (datapath: () => KernelDatapath) => void): void {
  const { datapath, why } = kernelDatapath();
  if (datapath) {
    describe(title, () => body(() => datapath));
    afterAll(() => datapath.close());
    return;
  }
  if (process.env.INTRACLUSTER_E2E === 'required') {
    describe(title, () => {
      test('the kernel datapath loads (INTRACLUSTER_E2E=required)', () => {
        throw new Error(why);
      });
    });
    return;
  }
  process.stderr.write(
    `KERNEL DATAPATH TESTS SKIPPED (${title}): ${why} (set INTRACLUSTER_E2E=required to make this an error)\n`,
  );
  describe.skip(title, () => body(() => datapath!));
}
