import { AdapterConflictError, FrameContext, ProtocolAdapter } from '../../src/adapter';
import { defaultAdapters, defaultMappings } from '../../src/defaults';
import { EngineFactory } from '../../src/factory';
import {
  Direction,
  Verdict,
  defineReason,
  reasonId,
  parseConfig,
  icmpv6Frame,
  ndFrame,
  NdOption,
  Icmpv6Type,
} from '../../src';
import { expectNoAllocationPerFrame } from './alloc-measure';

/**
 * Narrower adapter claims: an RFC 3122 Inverse Neighbor Discovery adapter (ICMPv6 141/142) beside
 * the built-in NDP adapter; conflicts are an AdapterConflictError naming both adapters.
 */
const Seen = defineReason('ind.seen', 'inverse ND: kept');

class InverseNd implements ProtocolAdapter {
  readonly name = 'inverse-nd';
  readonly etherTypes: number[] = [];
  readonly claims = [{ etherType: 0x86dd, ipProtocol: 58, upperTypes: [141, 142] }];
  seen = 0;
  process(c: FrameContext): Verdict {
    this.seen++;
    c.reason = Seen;
    return Verdict.Pass;
  }
}

const config = parseConfig({
  clusterMac: '02-bf-aa-bb-cc-dd',
  hosts: [
    { name: 'host1', addresses: ['2001:db8::101'] },
    { name: 'host2', addresses: ['2001:db8::102'] },
  ],
});
const eth = { dst: '33-33-00-00-00-01', src: '02-bf-aa-bb-cc-dd' };
const ip = { src: '2001:db8::101', dst: 'ff02::1' };

describe('adapter claims', () => {
  test('ICMPv6 141 goes to the narrower adapter; NS still to NDP', () => {
    const ind = new InverseNd();
    const e = new EngineFactory([...defaultAdapters(), ind], defaultMappings()).create(config, 'host2');
    const f = icmpv6Frame(eth, ip, { type: 141 });
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Pass);
    expect(reasonId(e.reason)).toBe('ind.seen');
    const ns = ndFrame(
      { dst: '33-33-ff-00-01-02', src: eth.src },
      { src: '2001:db8::101', dst: 'ff02::1:ff00:102' },
      {
        type: Icmpv6Type.NEIGHBOR_SOLICITATION,
        target: '2001:db8::102',
        options: [{ type: NdOption.SOURCE_LL, mac: eth.src }],
      },
    );
    expect(e.process(ns, Direction.Inbound)).toBe(Verdict.Rewrite);
    expect(reasonId(e.reason)).toBe('ndp.step502');
    const echo = icmpv6Frame(eth, ip, { type: 128 });
    expect(e.process(echo, Direction.Inbound)).toBe(Verdict.Pass);
    expect(reasonId(e.reason)).toBe('ipv6.data');
    expect(ind.seen).toBe(1);
  });

  test('dispatch through a claim allocates nothing', async () => {
    const e = new EngineFactory([...defaultAdapters(), new InverseNd()], defaultMappings()).create(config, 'host2');
    await expectNoAllocationPerFrame(e, Direction.Inbound, icmpv6Frame(eth, ip, { type: 142 }), Verdict.Pass);
  }, 60_000);

  test('two adapters claiming the same EtherType: AdapterConflictError with both names', () => {
    const a = { ...new InverseNd(), name: 'a', etherTypes: [0x88b6], claims: [] };
    const b = { ...new InverseNd(), name: 'b', etherTypes: [0x88b6], claims: [] };
    expect(() => new EngineFactory([a, b], defaultMappings()).create(config, 'host2')).toThrow(AdapterConflictError);
    try {
      new EngineFactory([a, b], defaultMappings()).create(config, 'host2');
    } catch (err) {
      expect(err).toMatchObject({ first: 'a', second: 'b', selector: 'EtherType 0x88b6' });
    }
  });

  test('overlapping ICMPv6 types conflict; disjoint ones do not', () => {
    const other = {
      ...new InverseNd(),
      name: 'other',
      claims: [{ etherType: 0x86dd, ipProtocol: 58, upperTypes: [142, 143] }],
    };
    const disjoint = {
      ...new InverseNd(),
      name: 'disjoint',
      claims: [{ etherType: 0x86dd, ipProtocol: 58, upperTypes: [200] }],
    };
    let err: unknown;
    try {
      new EngineFactory([...defaultAdapters(), new InverseNd(), other], defaultMappings()).create(config, 'host2');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdapterConflictError);
    expect(err).toMatchObject({
      first: 'inverse-nd',
      second: 'other',
      selector: 'EtherType 0x86dd, IP protocol 58, type 142',
    });
    expect(() =>
      new EngineFactory([...defaultAdapters(), new InverseNd(), disjoint], defaultMappings()).create(config, 'host2'),
    ).not.toThrow();
  });
});
