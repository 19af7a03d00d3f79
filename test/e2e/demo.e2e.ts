// The live part of `intracluster demo` (src/live/demo.ts): it builds the cluster twice, with the
// shims and with them relaying unchanged, and must report success with the layer and failure without.
import { runLiveDemo } from '../../src/live/demo';
import { listNamespaces } from '../../src/live/bed';
import { E2E_CLI, liveDescribe } from './helpers/live';

liveDescribe('live demo', () => {
  test('shows members reaching each other with the shims and not without, then cleans up', async () => {
    let text = '';
    const mine = async () => (await listNamespaces()).filter((n) => n.startsWith(`ic-${process.pid}-`));
    const code = await runLiveDemo({ stdout: { write: (s: string) => (text += s) } }, { intracluster: E2E_CLI });
    // The whole demo output on stderr when something is off (jest shows only the first mismatch).
    if (code !== 0 || !/host1 +host2 +0\/2 +0\/2 +FAILED/.test(text)) process.stderr.write(text);
    expect(text).toContain('with the layer 6/6, without 0/6');
    expect(text).toContain('non-member reaches every member: with yes, without yes; it learned only the cluster MAC: yes');
    expect(text).toMatch(/host1 +host2 +2\/2 +2\/2 +ok 16384 B \/ ok 16384 B/);
    expect(text).toMatch(/host1 +host2 +0\/2 +0\/2 +FAILED/);
    expect(code).toBe(0);
    expect(await mine()).toEqual([]);
  });
});
