import { ndFrame, icmpv6Frame, ipv6MulticastMac, parseNd, solicitedNode } from '../../adapters/ndp/repr';
import { Icmpv6Type, NaFlag, NdOption } from '../../adapters/ndp/icmpv6';
import { parseFrame } from '../frame/build';
import { Direction } from '../verdict';
import { formatAddress } from '../address';
import { FrameTable, Labels } from './frame-table';
import { CLUSTER_MAC, HOST1, HOST2, WalkthroughSection } from './demo-walkthrough';

/** The demo hosts' IPv6 addresses (byte vectors only) and their ipv6-low32 dedicated MACs. */
export const HOST1_V6 = { ip: '2001:db8::101', dedicated: '03-bf-00-00-01-01' };
export const HOST2_V6 = { ip: '2001:db8::102', dedicated: '03-bf-00-00-01-02' };

const C = CLUSTER_MAC;
const NS = Icmpv6Type.NEIGHBOR_SOLICITATION;
const NA = Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
const SOLICITED = solicitedNode(HOST2_V6.ip);

/**
 * The IPv6 analogue of FIG. 6 and FIG. 7 (RFC 4861), each frame built independently of the engine:
 * the NS's SLLAO gets host1's dedicated MAC at host2 (step 502 analogue), host2's NA gets host2's
 * dedicated MAC in its TLLAO (508), host1's layer puts the cluster MAC back in the Ethernet
 * destination (510), and the data frames follow FIG. 7. Checksums are recomputed by the builder.
 */
const expected = {
  ns: ndFrame(
    { dst: ipv6MulticastMac(SOLICITED), src: C },
    { src: HOST1_V6.ip, dst: SOLICITED },
    { type: NS, target: HOST2_V6.ip, options: [{ type: NdOption.SOURCE_LL, mac: C }] },
  ),
  ns502: ndFrame(
    { dst: ipv6MulticastMac(SOLICITED), src: C },
    { src: HOST1_V6.ip, dst: SOLICITED },
    { type: NS, target: HOST2_V6.ip, options: [{ type: NdOption.SOURCE_LL, mac: HOST1_V6.dedicated }] },
  ),
  na: ndFrame(
    { dst: HOST1_V6.dedicated, src: C },
    { src: HOST2_V6.ip, dst: HOST1_V6.ip },
    {
      type: NA,
      flags: NaFlag.SOLICITED | NaFlag.OVERRIDE,
      target: HOST2_V6.ip,
      options: [{ type: NdOption.TARGET_LL, mac: C }],
    },
  ),
  na508: ndFrame(
    { dst: HOST1_V6.dedicated, src: C },
    { src: HOST2_V6.ip, dst: HOST1_V6.ip },
    {
      type: NA,
      flags: NaFlag.SOLICITED | NaFlag.OVERRIDE,
      target: HOST2_V6.ip,
      options: [{ type: NdOption.TARGET_LL, mac: HOST2_V6.dedicated }],
    },
  ),
  na510: ndFrame(
    { dst: C, src: C },
    { src: HOST2_V6.ip, dst: HOST1_V6.ip },
    {
      type: NA,
      flags: NaFlag.SOLICITED | NaFlag.OVERRIDE,
      target: HOST2_V6.ip,
      options: [{ type: NdOption.TARGET_LL, mac: HOST2_V6.dedicated }],
    },
  ),
};

function echo(dstMac: string, src: string, dst: string, type: 128 | 129): Uint8Array {
  return icmpv6Frame(
    { dst: dstMac, src: C },
    { src, dst, hopLimit: 64 },
    { type, word: 0x00010001, body: Buffer.from('intracluster') },
  );
}

const ND_COLUMNS = [
  'row',
  'Eth dst',
  'Eth src',
  'type',
  'src IP',
  'dst IP',
  'target',
  'link-layer option',
  'csum',
] as const;

/** FIG. 6-style cells of an NS/NA or ICMPv6 echo frame. */
function ndCells(row: string, frame: Uint8Array, labels: Labels): string[] {
  const eth = parseFrame(frame);
  const type = frame[eth.l3 + 40];
  if (type !== NS && type !== NA) {
    const addr = (o: number) => formatAddress(frame.subarray(eth.l3 + o, eth.l3 + o + 16));
    return [
      row,
      labels.get(eth.dst),
      labels.get(eth.src),
      type === 128 ? 'echo req' : type === 129 ? 'echo rep' : String(type),
      labels.get(addr(8)),
      labels.get(addr(24)),
      '',
      '',
      '',
    ];
  }
  const nd = parseNd(frame);
  const kind =
    nd.type === NS ? 'NS' : `NA ${nd.flags & NaFlag.SOLICITED ? 'S' : ''}${nd.flags & NaFlag.OVERRIDE ? 'O' : ''}`;
  const opt = nd.options.find((o) => o.mac !== undefined);
  const optText = opt ? `${opt.type === NdOption.SOURCE_LL ? 'SLLAO' : 'TLLAO'} ${labels.get(opt.mac!)}` : '';
  return [
    row,
    labels.get(eth.dst),
    labels.get(eth.src),
    kind,
    labels.get(nd.src),
    labels.get(nd.dst),
    labels.get(nd.target),
    optText,
    nd.checksumOk ? 'ok' : 'BAD',
  ];
}

export const ipv6Section: WalkthroughSection = {
  title: 'IPv6: Neighbor Discovery between host1 and host2 (RFC 4861; steps 500-510, 700-706)',
  run(ctx) {
    const labels = ctx.labels;
    labels
      .set(HOST1_V6.ip, '::101')
      .set(HOST2_V6.ip, '::102')
      .set(SOLICITED, 'sn(::102)')
      .set(ipv6MulticastMac(SOLICITED), '33-33-ff-00-01-02');
    const t = new FrameTable(ND_COLUMNS, ctx.width);
    const row = (n: string, frame: Uint8Array, want: Uint8Array, where: string, note: string) =>
      t.add(ndCells(n, frame, labels), [`${ctx.check(`IPv6 ${n}`, frame, want, '[= expected]')} ${where}`, note]);

    const out1 = ctx.step(HOST1.name, Direction.Outbound, expected.ns);
    row(
      '500',
      out1.frame,
      expected.ns,
      "host1's stack solicits ::102 with its SLLAO = cluster MAC; it leaves host1 as built.",
      out1.note,
    );
    const in2 = ctx.step(HOST2.name, Direction.Inbound, out1.frame);
    row(
      '502',
      in2.frame,
      expected.ns502,
      "What host2's layer hands its stack: SLLAO = host1's dedicated MAC, checksum updated (RFC 1624).",
      in2.note,
    );
    const out2 = ctx.step(HOST2.name, Direction.Outbound, expected.na);
    row(
      '506',
      expected.na,
      expected.na,
      "host2's stack answers to the MAC it learned, TLLAO = its own (cluster) MAC.",
      "host2's stack built it; its layer has not seen it yet",
    );
    row('508', out2.frame, expected.na508, "What host2's layer sends: TLLAO = host2's dedicated MAC.", out2.note);
    const in1 = ctx.step(HOST1.name, Direction.Inbound, out2.frame);
    row(
      '510',
      in1.frame,
      expected.na510,
      "What host1's layer hands its stack: Ethernet destination back to the cluster MAC.",
      in1.note,
    );

    const req = echo(HOST2_V6.dedicated, HOST1_V6.ip, HOST2_V6.ip, 128);
    const s702 = ctx.step(HOST2.name, Direction.Inbound, req);
    row(
      '702',
      s702.frame,
      echo(C, HOST1_V6.ip, HOST2_V6.ip, 128),
      "host1's echo request to host2's dedicated MAC, as host2's layer hands it up.",
      s702.note,
    );
    const rep = echo(HOST1_V6.dedicated, HOST2_V6.ip, HOST1_V6.ip, 129);
    const s706 = ctx.step(HOST1.name, Direction.Inbound, rep);
    row(
      '706',
      s706.frame,
      echo(C, HOST2_V6.ip, HOST1_V6.ip, 129),
      "host2's echo reply to host1's dedicated MAC, as host1's layer hands it up.",
      s706.note,
    );

    ctx.write(t.render());
    ctx.write('\n');
    ctx.para(
      'The same method with the IPv6 mapping ipv6-low32 (prefix 03-bf + the last 4 address bytes): the ' +
        'link-layer address options carry the dedicated MACs, every rewritten checksum stays valid, and ' +
        'a message that fails RFC 4861 validation (a bad checksum, say) would pass unchanged.',
    );
  },
};
