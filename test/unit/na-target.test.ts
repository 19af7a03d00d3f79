// docs/rules.md ndp.override-hazard: the address an NA binds is its target (RFC 4861 7.2.5), so the
// inbound rule keys on the target, whatever the IPv6 source.
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
  reasonText,
  Verdict,
} from '../../src';

const CLUSTER = '02-bf-aa-bb-cc-dd';
const OUTSIDER_MAC = '00-00-5e-00-53-65';
const factory = createContainer().get(EngineFactory);
const hosts = [
  { name: 'host1', addresses: ['2001:db8::101'] },
  { name: 'host2', addresses: ['2001:db8::102'] },
  { name: 'host3', addresses: ['2001:db8::103'] },
];
const engine = (extra: object = {}) =>
  factory.create(parseConfig({ clusterMac: CLUSTER, virtualIps: ['2001:db8::100'], hosts, ...extra }), 'host2');

function na(
  src: string,
  dst: string,
  target: string,
  flags: number,
  lla: string,
  ethSrc = CLUSTER,
  ethDst = '33-33-00-00-00-01',
): Uint8Array {
  return ndFrame(
    { dst: ethDst, src: ethSrc },
    { src, dst },
    { type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT, flags, target, options: [{ type: NdOption.TARGET_LL, mac: lla }] },
  );
}
const tllao = (f: Uint8Array) => parseNd(f).options.find((o) => o.type === NdOption.TARGET_LL)?.mac;

describe('ndp.override-hazard: an inbound NA is keyed on its target', () => {
  test.each([
    ['a non-member', '2001:db8::7', OUTSIDER_MAC],
    ['the virtual IP', '2001:db8::100', CLUSTER],
    ['another member (host3)', '2001:db8::103', CLUSTER],
    ['the local host itself', '2001:db8::102', CLUSTER],
  ])(
    "from %s, advertising host1's address with the cluster MAC: TLLAO := host1's dedicated MAC, checksum kept valid",
    (_who, src, ethSrc) => {
      const f = na(src, 'ff02::1', '2001:db8::101', NaFlag.OVERRIDE, CLUSTER, ethSrc);
      expect(engine().process(f, Direction.Inbound)).toBe(Verdict.Rewrite);
      expect(tllao(f)).toBe('03-bf-00-00-01-01');
      expect(parseNd(f).checksumOk).toBe(true);
    },
  );

  test("the local host's own address as target is left to the local stack", () => {
    const e = engine();
    const f = na('2001:db8::7', 'ff02::1', '2001:db8::102', NaFlag.OVERRIDE, CLUSTER, OUTSIDER_MAC);
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Pass);
    expect(reasonText(e.reason)).toMatch(/own addresses/);
  });

  test('a virtual IP target keeps the cluster MAC, whoever advertises it', () => {
    const e = engine();
    const f = na('2001:db8::101', 'ff02::1', '2001:db8::100', NaFlag.OVERRIDE, CLUSTER);
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Pass);
    expect(reasonText(e.reason)).toMatch(/virtual IP/);
  });

  test("a non-member's NA for a target that is no member's stays unchanged", () => {
    const e = engine();
    const f = na('2001:db8::7', 'ff02::1', '2001:db8::7', NaFlag.OVERRIDE, CLUSTER, OUTSIDER_MAC);
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Pass);
    expect(reasonText(e.reason)).toMatch(/non-member/);
  });

  test("strict sources: a non-member's forged solicited NA to this host for a member's address completes no exchange", () => {
    const e = engine({ strictSources: true });
    const echo = () =>
      icmpv6Frame(
        { dst: '03-bf-00-00-01-02', src: CLUSTER },
        { src: '2001:db8::101', dst: '2001:db8::102', hopLimit: 64 },
        { type: 128, body: new Uint8Array(8) },
      );
    const forged = na(
      '2001:db8::7',
      '2001:db8::102',
      '2001:db8::101',
      NaFlag.SOLICITED | NaFlag.OVERRIDE,
      CLUSTER,
      OUTSIDER_MAC,
      CLUSTER,
    );
    expect(e.process(forged, Direction.Inbound)).toBe(Verdict.Rewrite); // the binding is corrected ...
    expect(e.process(echo(), Direction.Inbound)).toBe(Verdict.Drop); // ... but no exchange with host1 completed
    expect(reasonText(e.reason)).toMatch(/no discovery exchange/);
    // host1's own solicited NA to host2 completes it
    expect(
      e.process(
        na(
          '2001:db8::101',
          '2001:db8::102',
          '2001:db8::101',
          NaFlag.SOLICITED | NaFlag.OVERRIDE,
          CLUSTER,
          CLUSTER,
          CLUSTER,
        ),
        Direction.Inbound,
      ),
    ).toBe(Verdict.Rewrite);
    expect(e.process(echo(), Direction.Inbound)).toBe(Verdict.Rewrite);
  });
});
