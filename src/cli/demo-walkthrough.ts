import { ClusterConfig, parseConfig } from '../config';
import { createEngineFactory } from '../defaults';
import { Engine } from '../engine';
import { ArpOp } from '../../adapters/arp/arp';
import { toHex } from '../frame/build';
import { arpFrame, emitIcmpv4, ipv4Frame, parseArpFrame } from '../../adapters/arp/repr';
import { Direction, Verdict, directionName, reasonText, verdictName } from '../verdict';
import { ARP_COLUMNS, FrameTable, IPV4_COLUMNS, Labels, arpCells, ipv4Cells, wrap } from './frame-table';

/**
 * The in-process walk-through of `intracluster demo`: the patent's FIG. 6 (steps 500 to 510) and
 * FIG. 7 (steps 700 to 706) through two real engines, with the patent's exact addresses. Stacks are
 * simulated the way Linux behaves; every frame the engines produce is compared with the
 * patent's row, built independently from the FIG. 6 table.
 *
 * Sections are data (`walkthroughSections`), so another section (IPv6 NS/NA, say) is one more entry
 * using the same context and table printer.
 */

export const CLUSTER_MAC = '02-bf-aa-bb-cc-dd';
export const BROADCAST = 'ff-ff-ff-ff-ff-ff';
const ZERO_MAC = '00-00-00-00-00-00';
export const HOST1 = { name: 'host1', ip: '12.12.4.101', dedicated: '03-bf-0c-0c-04-65' };
export const HOST2 = { name: 'host2', ip: '12.12.4.102', dedicated: '03-bf-0c-0c-04-66' };
/** A host on the same segment that is not a member (own unicast MAC). */
export const NON_MEMBER = { name: 'non-member', ip: '12.12.4.50', mac: '02-00-00-0c-04-32' };

/** The demo cluster (config contract of src/config.ts). 12.12.4.x appear in byte vectors only. */
export const DEMO_CONFIG = {
  clusterMac: CLUSTER_MAC,
  replyRewrite: 'sender', // FIG. 6 as drawn: row 630 carries Host 2's dedicated MAC
  maskSourceMac: false, // FIG. 6 as drawn: every frame from the cluster MAC
  multicastPrefix: '03-bf',
  hosts: [
    { name: HOST1.name, addresses: [HOST1.ip, '2001:db8::101'] },
    { name: HOST2.name, addresses: [HOST2.ip, '2001:db8::102'] },
  ],
};

/**
 * A stand-in for a host's IPv4 stack, behaving like Linux: ARP requests broadcast with its
 * own MAC as sender and a zero target MAC; a reply goes to the request's sender hardware address (in
 * the Ethernet destination and the target MAC); RFC 826 merge: a known sender's entry is updated by
 * any ARP, a new one is added when the ARP is for us; data frames go to the MAC in its neighbour table.
 */
export class DemoStack {
  /** IP -> MAC, what the stack learned (its ARP table). */
  readonly neighbours = new Map<string, string>();
  private ipId = 0x1000;

  constructor(
    readonly name: string,
    readonly ip: string,
    readonly mac: string,
  ) {}

  arpRequest(targetIp: string): Uint8Array {
    return arpFrame(
      { dst: BROADCAST, src: this.mac },
      { op: ArpOp.REQUEST, sha: this.mac, spa: this.ip, tha: ZERO_MAC, tpa: targetIp },
    );
  }

  /** Receives an ARP frame (as its layer hands it up); returns its reply to a request for it, or null. */
  receiveArp(frame: Uint8Array): Uint8Array | null {
    const a = parseArpFrame(frame).arp;
    if (!a) return null;
    const forUs = a.tpa === this.ip;
    if (forUs || this.neighbours.has(a.spa)) this.neighbours.set(a.spa, a.sha);
    if (!forUs || a.op !== ArpOp.REQUEST) return null;
    return arpFrame(
      { dst: a.sha, src: this.mac },
      { op: ArpOp.REPLY, sha: this.mac, spa: this.ip, tha: a.sha, tpa: a.spa },
    );
  }

  /** An ICMP echo request or reply (RFC 792) to `dstIp`, addressed to the MAC in the neighbour table. */
  echo(dstIp: string, type: 'request' | 'reply', seq: number): Uint8Array {
    const dstMac = this.neighbours.get(dstIp);
    if (!dstMac) throw new Error(`${this.name} has no neighbour entry for ${dstIp}`);
    const icmp = emitIcmpv4({
      type: type === 'request' ? 8 : 0,
      word: (1 << 16) | (seq & 0xffff),
      body: Buffer.from('intracluster'),
    });
    return ipv4Frame(
      { dst: dstMac, src: this.mac },
      { src: this.ip, dst: dstIp, protocol: 1, ident: this.ipId++ & 0xffff },
      icmp,
    );
  }
}

/** One pass of a frame through a host's cluster layer. */
export interface Step {
  verdict: Verdict;
  /** The frame after the layer (rewritten in a copy; the input is not touched). */
  frame: Uint8Array;
  /** `host2's layer, inbound: rewrite (step 502: ...)` */
  note: string;
}

export interface WalkthroughContext {
  write(text: string): void;
  /** Terminal width the output is laid out for. */
  readonly width: number;
  readonly config: ClusterConfig;
  readonly labels: Labels;
  readonly engines: ReadonlyMap<string, Engine>;
  readonly stacks: ReadonlyMap<string, DemoStack>;
  /** Runs a copy of `frame` through `host`'s engine. */
  step(host: string, direction: Direction, frame: Uint8Array): Step;
  /**
   * Compares a frame with the expected one (the patent's row, or the input for "unchanged"); returns
   * `matchNote` or a loud marker, and records a mismatch.
   */
  check(what: string, got: Uint8Array, expected: Uint8Array, matchNote?: string): string;
  /** Descriptions of frames that differed from the patent. */
  readonly mismatches: string[];
  /** Writes `text` word-wrapped to the width. */
  para(text: string): void;
}

export interface WalkthroughSection {
  title: string;
  run(ctx: WalkthroughContext): void;
}

// FIG. 6 rows, field by field from the patent's table, independent of the engine.
const C = CLUSTER_MAC;
export const FIG6 = {
  600: arpFrame({ dst: BROADCAST, src: C }, { op: ArpOp.REQUEST, sha: C, spa: HOST1.ip, tha: ZERO_MAC, tpa: HOST2.ip }),
  610: arpFrame(
    { dst: BROADCAST, src: C },
    { op: ArpOp.REQUEST, sha: HOST1.dedicated, spa: HOST1.ip, tha: ZERO_MAC, tpa: HOST2.ip },
  ),
  620: arpFrame(
    { dst: HOST1.dedicated, src: C },
    { op: ArpOp.REPLY, sha: C, spa: HOST2.ip, tha: HOST1.dedicated, tpa: HOST1.ip },
  ),
  630: arpFrame(
    { dst: HOST1.dedicated, src: C },
    { op: ArpOp.REPLY, sha: HOST2.dedicated, spa: HOST2.ip, tha: C, tpa: HOST1.ip },
  ),
  640: arpFrame({ dst: C, src: C }, { op: ArpOp.REPLY, sha: HOST2.dedicated, spa: HOST2.ip, tha: C, tpa: HOST1.ip }),
} as const;

const fig6Section: WalkthroughSection = {
  title: 'FIG. 6: ARP discovery between host1 and host2 (steps 500 to 510)',
  run(ctx) {
    const h1 = ctx.stacks.get(HOST1.name)!;
    const h2 = ctx.stacks.get(HOST2.name)!;
    const t = new FrameTable(ARP_COLUMNS, ctx.width);
    const row = (n: keyof typeof FIG6, frame: Uint8Array, where: string, note: string) =>
      t.add(arpCells(String(n), frame, ctx.labels), [`${ctx.check(`FIG. 6 row ${n}`, frame, FIG6[n])} ${where}`, note]);

    const req = h1.arpRequest(HOST2.ip);
    const out1 = ctx.step(HOST1.name, Direction.Outbound, req);
    row(600, out1.frame, "host1's stack asks for .102 (step 500); it leaves host1 as built.", out1.note);
    const in2 = ctx.step(HOST2.name, Direction.Inbound, out1.frame);
    row(610, in2.frame, "What host2's layer hands its stack (step 502).", in2.note);
    const reply = h2.receiveArp(in2.frame);
    if (!reply) throw new Error("host2's stack did not answer row 610");
    row(
      620,
      reply,
      "host2's stack learns .101 (step 504) and answers to the sender MAC it learned (step 506).",
      "host2's stack built it; its layer has not seen it yet",
    );
    const out2 = ctx.step(HOST2.name, Direction.Outbound, reply);
    row(630, out2.frame, "What host2's layer sends (step 508).", out2.note);
    const in1 = ctx.step(HOST1.name, Direction.Inbound, out2.frame);
    row(640, in1.frame, "What host1's layer hands its stack (step 510).", in1.note);
    h1.receiveArp(in1.frame);

    ctx.write(t.render());
    ctx.write('\n');
    ctx.write(
      `ARP tables now: host1 ${HOST2.ip} -> ${h1.neighbours.get(HOST2.ip)}; host2 ${HOST1.ip} -> ${h2.neighbours.get(HOST1.ip)}\n`,
    );
    ctx.para(
      "Each member learned the other's dedicated multicast MAC, yet neither stack left unicast mode: " +
        'both send and receive with the cluster MAC. The Ethernet source stays the cluster MAC throughout ' +
        '(never a multicast source); 03-bf-... appears only inside ARP and as a destination.',
    );
  },
};

const fig7Section: WalkthroughSection = {
  title: 'FIG. 7: data frames between host1 and host2 (steps 700 to 706)',
  run(ctx) {
    const h1 = ctx.stacks.get(HOST1.name)!;
    const h2 = ctx.stacks.get(HOST2.name)!;
    const t = new FrameTable(IPV4_COLUMNS, ctx.width);
    // FIG. 7: host1 sends dst = host2's dedicated MAC, src = cluster; host2's layer sets dst = cluster
    const expectEth = (dst: string) => Uint8Array.from([...parseMac(dst), ...parseMac(CLUSTER_MAC)]);
    const row = (n: number, frame: Uint8Array, payload: string, where: string, dst: string, note: string) =>
      t.add(ipv4Cells(String(n), frame, ctx.labels, payload), [
        `${ctx.check(`FIG. 7 step ${n}`, frame.subarray(0, 12), expectEth(dst))} ${where}`,
        note,
      ]);

    const request = h1.echo(HOST2.ip, 'request', 1);
    const s700 = ctx.step(HOST1.name, Direction.Outbound, request);
    row(
      700,
      s700.frame,
      'ICMP echo request',
      "host1's stack sends to the MAC it learned for .102 (step 700).",
      HOST2.dedicated,
      s700.note,
    );
    const s702 = ctx.step(HOST2.name, Direction.Inbound, s700.frame);
    row(702, s702.frame, 'ICMP echo request', "What host2's layer hands its stack (step 702).", CLUSTER_MAC, s702.note);
    const response = h2.echo(HOST1.ip, 'reply', 1);
    const s704 = ctx.step(HOST2.name, Direction.Outbound, response);
    row(
      704,
      s704.frame,
      'ICMP echo reply',
      "host2's stack answers to the MAC it learned in step 504 (step 704).",
      HOST1.dedicated,
      s704.note,
    );
    const s706 = ctx.step(HOST1.name, Direction.Inbound, s704.frame);
    row(706, s706.frame, 'ICMP echo reply', "What host1's layer hands its stack (step 706).", CLUSTER_MAC, s706.note);
    ctx.write(t.render());
    ctx.write('\n');
    ctx.para(
      "On the wire the frames carry the receiver's dedicated MAC, so the switch delivers them to that " +
        'member (its NIC listens to its own multicast MAC); its layer puts the cluster MAC back before the ' +
        'stack, still in unicast mode, sees the frame.',
    );
  },
};

const nonMemberSection: WalkthroughSection = {
  title: `A non-member (${NON_MEMBER.ip}, MAC ${NON_MEMBER.mac}) on the same segment`,
  run(ctx) {
    const other = new DemoStack(NON_MEMBER.name, NON_MEMBER.ip, NON_MEMBER.mac);
    const h2 = ctx.stacks.get(HOST2.name)!;
    const t = new FrameTable(ARP_COLUMNS, ctx.width);
    const req = other.arpRequest(HOST2.ip);
    const in2 = ctx.step(HOST2.name, Direction.Inbound, req);
    t.add(arpCells('-', in2.frame, ctx.labels), [
      `${ctx.check('non-member request', in2.frame, req, '[unchanged]')} The non-member asks for .102; host2's stack gets it as sent.`,
      in2.note,
    ]);
    const reply = h2.receiveArp(in2.frame);
    if (!reply) throw new Error("host2's stack did not answer the non-member");
    const out2 = ctx.step(HOST2.name, Direction.Outbound, reply);
    t.add(arpCells('-', out2.frame, ctx.labels), [
      `${ctx.check('reply to the non-member', out2.frame, reply, '[unchanged]')} host2's answer leaves as its stack built it: cluster MAC.`,
      out2.note,
    ]);
    other.receiveArp(out2.frame);
    ctx.write(t.render());
    ctx.write('\n');
    ctx.write(`The non-member's ARP table: ${HOST2.ip} -> ${other.neighbours.get(HOST2.ip)}\n`);
    ctx.para(
      'Row 600 left host1 unchanged, so the non-member, like every host on the segment, saw only the ' +
        "cluster MAC for .101; the dedicated MAC was written in by host2's layer on the way to host2's " +
        'stack. Its own question gets the cluster MAC too: a non-member never learns a 03-bf-... MAC ' +
        '(RFC 1812 3.3.2: routers must not accept a multicast MAC for a unicast address).',
    );
  },
};

/** The sections `runWalkthrough` prints, in order (the IPv6 section is appended by demo-ipv6.ts). */
export const walkthroughSections: WalkthroughSection[] = [fig6Section, fig7Section, nonMemberSection];

/**
 * Prints the walk-through; resolves to 0 when every frame matched the patent, 1 otherwise.
 * `width` is the terminal width to lay out for (default 100).
 */
export function runWalkthrough(
  io: { stdout: NodeJS.WritableStream },
  sections: readonly WalkthroughSection[] = walkthroughSections,
  width = 100,
): number {
  const config = parseConfig(DEMO_CONFIG);
  const factory = createEngineFactory();
  const cluster = factory.buildCluster(config);
  const engines = new Map(config.hosts.map((h) => [h.name, factory.create(cluster, h.name)]));
  const stacks = new Map(config.hosts.map((h) => [h.name, new DemoStack(h.name, h.addresses[0].text, CLUSTER_MAC)]));
  const labels = new Labels().set(CLUSTER_MAC, 'cluster');
  for (const a of cluster.addresses)
    if (a.ip.family === 4) labels.set(a.ip.text, a.ip.text.replace(/^\d+\.\d+\.\d+/, ''));
  labels.set(NON_MEMBER.ip, NON_MEMBER.ip.replace(/^\d+\.\d+\.\d+/, '')).set(NON_MEMBER.mac, 'non-mbr');
  const mismatches: string[] = [];
  const write = (text: string) => void io.stdout.write(text);

  const ctx: WalkthroughContext = {
    write,
    width,
    config,
    labels,
    engines,
    stacks,
    mismatches,
    step(host, direction, frame) {
      const engine = engines.get(host);
      if (!engine) throw new Error(`no engine for ${host}`);
      const f = Uint8Array.from(frame);
      const v = engine.process(f, direction);
      const frameOut = v === Verdict.Reply ? engine.replyFrame.slice(0, engine.replyLength) : f;
      return {
        verdict: v,
        frame: frameOut,
        note: `${host}'s layer, ${directionName(direction)}: ${verdictName(v).toUpperCase()}: ${reasonText(engine.reason)}`,
      };
    },
    check(what, got, expected, matchNote = '[= patent]') {
      if (toHex(got) === toHex(expected)) return matchNote;
      mismatches.push(`${what}: got ${toHex(got)}, expected ${toHex(expected)}`);
      return '[DIFFERS]';
    },
    para(text) {
      write(wrap(text, width - 1).join('\n') + '\n');
    },
  };

  write("intracluster demo: the patent's FIG. 6 and FIG. 7 through two cluster layers (in-process engines)\n\n");
  const legend = new FrameTable(['', 'address', 'MAC', 'shown as'], width);
  legend.add(['cluster MAC', '', CLUSTER_MAC, "cluster (every member's stack uses it)"]);
  for (const a of cluster.addresses)
    legend.add([cluster.hosts[a.host].name, a.ip.text, a.mac.toString(), `${labels.get(a.ip.text)} (dedicated MAC)`]);
  legend.add([
    NON_MEMBER.name,
    NON_MEMBER.ip,
    NON_MEMBER.mac,
    `${labels.get(NON_MEMBER.ip)}, its own MAC: ${labels.get(NON_MEMBER.mac)}`,
  ]);
  write(
    legend
      .render()
      .split('\n')
      .filter((_, i) => i !== 1)
      .join('\n'),
  );
  write('\n');
  for (const s of sections) {
    write(`${s.title}\n\n`);
    s.run(ctx);
    write('\n');
  }
  if (mismatches.length) {
    write(
      `${mismatches.length} frame(s) differ from what the patent prescribes:\n${mismatches.map((m) => `  ${m}`).join('\n')}\n`,
    );
    return 1;
  }
  ctx.para('Every frame above is what the patent prescribes ([= patent]: equal to its FIG. 6 row or FIG. 7 step).');
  return 0;
}

function parseMac(text: string): number[] {
  return text.split(/[-:]/).map((h) => parseInt(h, 16));
}
