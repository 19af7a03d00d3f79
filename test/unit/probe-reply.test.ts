// docs/rules.md arp.probe-reply-to-cluster: the stack's answer to an RFC 5227 probe that carried the
// cluster MAC leaves to broadcast, payload unchanged.
import {
  arpFrame,
  ArpOp,
  createContainer,
  Direction,
  EngineFactory,
  parseConfig,
  reasonId,
  toHex,
  Verdict,
} from '../../src';

const CLUSTER = '02-bf-aa-bb-cc-dd';
const factory = createContainer().get(EngineFactory);
const engine = () =>
  factory.create(
    parseConfig({
      clusterMac: CLUSTER,
      maskSourceMac: false, // only this rule's bytes (with masking: test/golden/mask/109)
      hosts: [
        { name: 'host1', addresses: ['12.12.4.101'] },
        { name: 'host2', addresses: ['12.12.4.102'] },
      ],
    }),
    'host2',
  );
const reply = (dst: string, tha: string, tpa: string) =>
  arpFrame({ dst, src: CLUSTER }, { op: ArpOp.REPLY, sha: CLUSTER, spa: '12.12.4.102', tha, tpa });

describe('arp.probe-reply-to-cluster', () => {
  test('a reply to a probe addressed to the cluster MAC: Ethernet destination := broadcast, nothing else', () => {
    const e = engine();
    const f = reply(CLUSTER, CLUSTER, '0.0.0.0');
    const want = toHex(reply('ff-ff-ff-ff-ff-ff', CLUSTER, '0.0.0.0'));
    expect(e.process(f, Direction.Outbound)).toBe(Verdict.Rewrite);
    expect(reasonId(e.reason)).toBe('arp.probe-reply-broadcast');
    expect(toHex(f)).toBe(want);
  });

  test.each([
    ["a non-member's MAC (its own probe)", '00-00-5e-00-53-65', '0.0.0.0'],
    ["a member's dedicated MAC", '03-bf-0c-0c-04-65', '0.0.0.0'],
  ])('a reply to a probe addressed to %s is not this rule', (_what, dst, tpa) => {
    const e = engine();
    const f = reply(dst, dst, tpa);
    e.process(f, Direction.Outbound);
    expect(reasonId(e.reason)).not.toBe('arp.probe-reply-broadcast');
    expect(toHex(f).slice(0, 12)).toBe(dst.replace(/-/g, ''));
  });

  test('an inbound probe reply is not this rule (outbound only)', () => {
    const e = engine();
    const f = reply(CLUSTER, CLUSTER, '0.0.0.0');
    e.process(f, Direction.Inbound);
    expect(reasonId(e.reason)).not.toBe('arp.probe-reply-broadcast');
  });
});
