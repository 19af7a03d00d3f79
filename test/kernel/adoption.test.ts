import { parseConfig } from '../../src';
import { createEngineFactory } from '../../src/defaults';
import { BpfObject } from '../../src/datapath/bpf';
import { KernelMaps } from '../../src/datapath/maps';
import { describeKernel } from './available';

// An `attach` that adopts a running datapath (after --keep or a kill -9) opens the pinned maps with
// a KernelMaps of its own, which holds no inner maps yet. Strict-sources state (which members a
// discovery exchange completed with) lives in the inner map of the generation in use: adoption
// carries it over by host name, as every later membership change does (Engine.setCluster).
describeKernel('strict-sources state across an adoption of the maps', () => {
  const factory = createEngineFactory();
  const cluster = (names: string[]) =>
    factory.buildCluster(
      parseConfig({
        clusterMac: '02-bf-aa-bb-cc-dd',
        strictSources: true,
        hosts: names.map((n) => ({ name: n, addresses: [`198.18.0.${Number(n.slice(1))}`] })),
      }),
    );
  let obj: BpfObject;
  beforeEach(() => {
    obj = BpfObject.open();
  });
  afterEach(() => obj.close());
  const maps = () => new KernelMaps(obj.lib, (n) => obj.mapFd(n));

  /** IPv4 data from 198.18.0.<from> to h1's dedicated MAC through `ingress`: the tc return code. */
  function ingress(from: number): number {
    const f = Buffer.from(
      '03bfc6120001' + // h1's dedicated MAC (ipv4-prefix: 03-bf + 198.18.0.1)
        '02bfaabbccdd' +
        '0800' +
        '45000024000000004011' +
        '0000' +
        `c61200${from.toString(16).padStart(2, '0')}` +
        'c6120001' +
        '00'.repeat(16),
      'hex',
    );
    const data = Uint8Array.from(f);
    const result = new Uint32Array(4);
    return obj.lib.testRun(obj.programFd('ingress'), data, data.length, new Uint8Array(256), null, null, 1, result);
  }
  const SHOT = 2;

  /** What the previous control process did: install h1..h3, exchanges completed with h2 and h3, then gone. */
  function previousProcess(): void {
    const old = maps();
    old.install(cluster(['h1', 'h2', 'h3']), 'h1');
    old.setDiscovered(Uint8Array.of(0, 1, 1));
    expect(old.discoveredHosts()).toEqual(['h2', 'h3']);
    expect(ingress(3)).not.toBe(SHOT);
    old.close(); // the kill -9: our fds go, the maps stay with the programs
  }

  test('adopted with the previous membership: members still present keep their exchange, by name', () => {
    previousProcess();
    const adopter = maps();
    expect(adopter.adoptDiscovery(['h1', 'h2', 'h3'])).toBe(true);
    // the adopter's config: h2 gone, h4 new, another order
    adopter.install(cluster(['h3', 'h1', 'h4']), 'h1');
    expect(adopter.discoveredHosts()).toEqual(['h3']);
    expect(ingress(3)).not.toBe(SHOT); // h3's data is still delivered
    expect(ingress(4)).toBe(SHOT); // h4 has completed no exchange
    adopter.close();
  });

  test('adopted without the previous names, or with names that do not fit the maps: nothing is carried', () => {
    previousProcess();
    const a = maps();
    expect(a.adoptDiscovery(['h1', 'h2'])).toBe(false); // the maps hold 3 hosts
    a.install(cluster(['h1', 'h2', 'h3']), 'h1');
    expect(a.discoveredHosts()).toEqual([]);
    expect(ingress(3)).toBe(SHOT);
    a.close();
  });
});
