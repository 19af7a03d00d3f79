// Test f: membership at run time. The shims re-read the config on SIGHUP. A member removed
// from the config stops being rewritten for (the others treat it as a non-member, and its own shim,
// no longer listed, relays unchanged); re-added, it works again. An invalid config keeps the old one.
// Both datapaths: with the kernel one, attach installs each membership in the maps atomically.
import { writeFileSync } from 'node:fs';
import { Bed, MEMBERS, bedConfig } from '../../src/live/bed';
import { FAMILIES, createBed, datapathDescribe, expectedMac, orderedPairs } from './helpers/live';

datapathDescribe('live membership change at run time (SIGHUP reload)', (datapath) => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', datapath });
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  const pingAll = (count = 2) =>
    Promise.all(
      orderedPairs(bed.members).flatMap(([a, b]) =>
        FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], count)) })),
      ),
    );
  // Entries learned under the old membership stay until the kernel re-resolves (NUD) or they are
  // flushed; flushing makes every member resolve afresh under the new one (docs/live.md).
  const flushAll = () => Promise.all(bed.members.map((m) => bed.flushNeigh(m)));

  test('f. all three members talk before the change', async () => {
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
  });

  test('f. removed from the config: host3 is no longer reached; host1 and host2 still talk', async () => {
    bed.writeConfig(bedConfig('dedicated', MEMBERS.slice(0, 2)));
    const lines = await bed.reloadShims();
    expect(lines[0]).toMatch(/^reloaded .*2 members \(host1, host2\)/);
    expect(lines[1]).toMatch(/^reloaded .*2 members \(host1, host2\)/);
    expect(lines[2]).toMatch(
      /^reloaded .*host host3 is not listed in the config: (relaying|passing every frame) unchanged/,
    );
    await flushAll();
    for (const r of await pingAll()) {
      const withHost3 = r.route.includes('host3');
      expect(r).toEqual({ route: r.route, sent: 2, received: withHost3 ? 0 : 2 });
    }
    // Nobody holds a dedicated MAC for host3 any more; host1 and host2 still hold each other's.
    const [h1, h2, h3] = bed.members;
    for (const [a, b] of [
      [h1, h2],
      [h2, h1],
    ]) {
      const table = await bed.neigh(a);
      for (const f of FAMILIES) expect(table.find((e) => e.dst === b[f])?.lladdr).toBe(expectedMac('dedicated', b, f));
    }
    for (const a of [h1, h2]) {
      const table = await bed.neigh(a);
      for (const f of FAMILIES)
        expect(table.find((e) => e.dst === h3[f])?.lladdr ?? null).not.toBe(expectedMac('dedicated', h3, f));
    }
  });

  test('f. an invalid config is refused and the membership in force stays', async () => {
    writeFileSync(bed.configPath, '{ "clusterMac": "02-bf-c6-12-00-64", "hosts": [ ');
    const lines = await bed.reloadShims();
    for (const l of lines) expect(l).toMatch(/^reload failed, keeping the previous config/);
    const r = await bed.ping(bed.members[0], bed.members[1].ipv4, 2);
    expect(r).toEqual({ sent: 2, received: 2 });
  });

  test('f. re-added: all three members talk again with dedicated MACs', async () => {
    bed.writeConfig(bedConfig('dedicated'));
    const lines = await bed.reloadShims();
    for (const l of lines) expect(l).toMatch(/^reloaded .*3 members \(host1, host2, host3\)/);
    await flushAll();
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
    for (const a of bed.members) {
      const table = await bed.neigh(a);
      for (const b of bed.members.filter((x) => x !== a))
        for (const f of FAMILIES)
          expect(table.find((e) => e.dst === b[f])?.lladdr).toBe(expectedMac('dedicated', b, f));
    }
  });
});
