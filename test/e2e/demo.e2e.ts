// The live part of `intracluster demo` (src/live/demo.ts): it builds the cluster twice, with the
// layer and without it, and must report success with the layer and failure without; on the kernel
// datapath by default where it can run, and on the TAP shim.
import { runLiveDemo } from '../../src/live/demo';
import { listNamespaces } from '../../src/live/bed';
import { E2E_CLI, datapathDescribe } from './helpers/live';

datapathDescribe('live demo', (datapath) => {
  test('says its datapath, shows members reaching each other with the layer and not without, then cleans up', async () => {
    let text = '';
    const mine = async () => (await listNamespaces()).filter((n) => n.startsWith(`ic-${process.pid}-`));
    // the kernel datapath is the default where it can run (it can: this describe is not skipped)
    const code = await runLiveDemo(
      { stdout: { write: (s: string) => (text += s) } },
      { intracluster: E2E_CLI, ...(datapath === 'shim' ? { datapath } : {}) },
    );
    expect(text).toMatch(datapath === 'kernel' ? /^Datapath: kernel \(BPF programs/m : /^Datapath: TAP shim/m);
    // The whole demo output on stderr when something is off (jest shows only the first mismatch).
    if (code !== 0 || !/host1 +host2 +0\/2 +0\/2 +FAILED/.test(text)) process.stderr.write(text);
    expect(text).toContain('with the layer 6/6, without 0/6');
    expect(text).toContain(
      'non-member reaches every member: with yes, without yes; it learned only the cluster MAC: yes',
    );
    expect(text).toMatch(/host1 +host2 +2\/2 +2\/2 +ok 16384 B \/ ok 16384 B/);
    expect(text).toMatch(/host1 +host2 +0\/2 +0\/2 +FAILED/);
    expect(code).toBe(0);
    expect(await mine()).toEqual([]);
  });
});
