import { createContainer } from '../../src';
import { GOLDEN_DIR, describeGoldenVectors, loadGoldenVectors, runGoldenVector } from '../../src/testing';
import { describeKernel } from './available';

// Every golden vector through the BPF programs (BPF_PROG_TEST_RUN), with the same checks as the
// engine's run: verdict, bytes, reply bytes, reason, nothing written outside the frame.
describeKernel('golden vectors on the kernel datapath', (datapath) => {
  // the runner's own choice of datapath (what an outside suite uses)
  describeGoldenVectors(GOLDEN_DIR, createContainer(), {
    title: 'each vector (runner option datapath: "kernel")',
    datapath: 'kernel',
  });

  test('every vector but those the live kernel never hands to tc went through a test run', () => {
    const vectors = loadGoldenVectors(GOLDEN_DIR);
    let ran = 0;
    const notRun: string[] = [];
    for (const v of vectors) {
      const engine = datapath().create(v.config, v.host);
      const r = runGoldenVector(v, { create: () => engine });
      expect(r.failures).toEqual([]);
      if (engine.lastRan) ran++;
      else notRun.push(`${v.path} (${v.input.length} bytes)`);
    }
    // only frames shorter than an Ethernet header (or than the outer tag the receive path removes)
    for (const n of notRun) expect(Number(/\((\d+) bytes\)/.exec(n)![1])).toBeLessThan(18);
    expect(ran).toBeGreaterThan(vectors.length - 5);
    process.stderr.write(
      `kernel datapath: ${ran} of ${vectors.length} golden vectors through BPF_PROG_TEST_RUN; without a test run: ${notRun.join(', ') || 'none'}\n`,
    );
  });
});
