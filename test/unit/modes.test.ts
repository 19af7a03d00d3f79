import {
  createContainer,
  Direction,
  EngineFactory,
  icmpv6Frame,
  Icmpv6Type,
  NaFlag,
  ndFrame,
  NdOption,
  parseConfig,
  parseNd,
  reasonId,
  reasonText,
  toHex,
  Verdict,
} from '../../src';

const CLUSTER = '02-bf-aa-bb-cc-dd';
const D1 = '03-bf-00-00-01-01';
const D2 = '03-bf-00-00-01-02';
const factory = createContainer().get(EngineFactory);
const h = (name: string, a: string) => ({ name, addresses: [a] });
const three = [h('host1', '2001:db8::101'), h('host2', '2001:db8::102'), h('host3', '2001:db8::103')];
const strict = (hosts: object[], extra: object = {}) =>
  factory.buildCluster(
    parseConfig({ clusterMac: CLUSTER, strictSources: true, replyRewrite: 'sender', hosts, ...extra }),
  );

const nsFrom1 = () =>
  ndFrame(
    { dst: '33-33-ff-00-01-02', src: CLUSTER },
    { src: '2001:db8::101', dst: 'ff02::1:ff00:102' },
    {
      type: Icmpv6Type.NEIGHBOR_SOLICITATION,
      target: '2001:db8::102',
      options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }],
    },
  );
const naTo1 = () =>
  ndFrame(
    { dst: D1, src: CLUSTER },
    { src: '2001:db8::102', dst: '2001:db8::101' },
    {
      type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT,
      flags: NaFlag.SOLICITED | NaFlag.OVERRIDE,
      target: '2001:db8::102',
      options: [{ type: NdOption.TARGET_LL, mac: CLUSTER }],
    },
  );
const dataFrom1 = () =>
  icmpv6Frame(
    { dst: D2, src: CLUSTER },
    { src: '2001:db8::101', dst: '2001:db8::102', hopLimit: 64 },
    { type: 128, body: new Uint8Array(8) },
  );

describe('strict sources state (strict.discovery-first)', () => {
  test('kept across a membership change for members still present, forgotten for one that left', () => {
    const e = factory.create(strict(three), 'host2');
    expect(e.process(nsFrom1(), Direction.Inbound)).toBe(Verdict.Rewrite);
    expect(e.process(naTo1(), Direction.Outbound)).toBe(Verdict.Rewrite);
    expect(e.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Rewrite);

    e.setCluster(strict([three[1], three[0], three[2]])); // reordered: host1 still a member
    expect(e.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Rewrite);

    e.setCluster(strict([three[1], three[2]])); // host1 leaves: no longer a member at all
    expect(e.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Drop);
    expect(reasonText(e.reason)).toMatch(/not a cluster member/);

    e.setCluster(strict(three)); // host1 back: it must discover again
    expect(e.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Drop);
    expect(reasonText(e.reason)).toMatch(/no discovery exchange/);
  });

  test('state is per engine', () => {
    const c = strict(three);
    const a = factory.create(c, 'host2');
    const b = factory.create(c, 'host2');
    a.process(nsFrom1(), Direction.Inbound);
    a.process(naTo1(), Direction.Outbound);
    expect(a.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Rewrite);
    expect(b.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Drop);
  });

  test('an NA to a member that is not rewritten (TLLAO not the cluster MAC) completes no exchange', () => {
    const e = factory.create(strict(three), 'host2');
    const na = ndFrame(
      { dst: D1, src: CLUSTER },
      { src: '2001:db8::102', dst: '2001:db8::101' },
      {
        type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT,
        flags: NaFlag.SOLICITED,
        target: '2001:db8::102',
        options: [{ type: NdOption.TARGET_LL, mac: D2 }],
      },
    );
    // only its source is masked (egress.mask-source): no discovery rule rewrote it
    expect(e.process(na, Direction.Outbound)).toBe(Verdict.Rewrite);
    expect(reasonId(e.reason)).toBe('egress.mask-source');
    expect(e.process(dataFrom1(), Direction.Inbound)).toBe(Verdict.Drop);
  });
});

describe('response synthesizer, NDP (synthesizer.answer-locally)', () => {
  const e = factory.create(parseConfig({ clusterMac: CLUSTER, synthesize: true, hosts: three }), 'host1');
  test('the reply is a valid solicited NA; the NS itself is left untouched', () => {
    const ns = ndFrame(
      { dst: '33-33-ff-00-01-02', src: CLUSTER },
      { src: 'fe80::101', dst: 'ff02::1:ff00:102' },
      {
        type: Icmpv6Type.NEIGHBOR_SOLICITATION,
        target: '2001:db8::102',
        options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }],
      },
    );
    const before = toHex(ns);
    expect(e.process(ns, Direction.Outbound)).toBe(Verdict.Reply);
    expect(toHex(ns)).toBe(before);
    const reply = e.replyFrame.slice(0, e.replyLength);
    expect(toHex(reply.subarray(0, 12))).toBe('02bfaabbccdd02bfaabbccdd');
    expect(parseNd(reply)).toEqual({
      src: '2001:db8::102',
      dst: 'fe80::101',
      hopLimit: 255,
      type: 136,
      code: 0,
      flags: 0x60,
      target: '2001:db8::102',
      options: [{ type: 2, length: 1, mac: D2 }],
      checksum: expect.any(Number),
      checksumOk: true,
    });
  });
  test('a reply after a longer frame carries no stale bytes of it', () => {
    const big = new Uint8Array(1500).fill(0xee);
    big.set(
      ndFrame(
        { dst: '33-33-ff-00-01-03', src: CLUSTER },
        { src: '2001:db8::101', dst: 'ff02::1:ff00:103' },
        {
          type: Icmpv6Type.NEIGHBOR_SOLICITATION,
          target: '2001:db8::103',
          options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }],
        },
      ),
    );
    expect(e.process(big, Direction.Outbound, 86)).toBe(Verdict.Reply);
    expect(e.replyLength).toBe(86);
    expect(parseNd(e.replyFrame.slice(0, 86)).checksumOk).toBe(true);
  });
});
