import { must } from '../../../src/live/proc';

/** One captured frame as decoded by tshark (an independent decoder, not this library's). */
export interface CapturedFrame {
  no: number;
  src: string;
  dst: string;
  /** ARP sender and target hardware addresses (absent for non-ARP frames). */
  arpSha?: string;
  arpTha?: string;
  /** ICMPv6 type (135 NS, 136 NA, ...). */
  icmpv6Type?: number;
  /** Link-layer addresses of NDP options (SLLAO, TLLAO). */
  ndpLinkAddrs: string[];
  /** ARP opcode (1 request, 2 reply), sender and target protocol addresses. */
  arpOp?: number;
  arpSpa?: string;
  arpTpa?: string;
  /** NS or NA target address. */
  ndTarget?: string;
}

const FIELDS = [
  'frame.number',
  'eth.src',
  'eth.dst',
  'arp.src.hw_mac',
  'arp.dst.hw_mac',
  'icmpv6.type',
  'icmpv6.opt.linkaddr',
  'icmpv6.opt.src_linkaddr',
  'icmpv6.opt.target_linkaddr',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
  'icmpv6.nd.ns.target_address',
  'icmpv6.nd.na.target_address',
];

/** Decodes a pcap with tshark. */
export async function readCapture(file: string): Promise<CapturedFrame[]> {
  const out = await must(
    'tshark',
    [
      '-n',
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'separator=\t',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
      ...FIELDS.flatMap((f) => ['-e', f]),
    ],
    60_000,
  );
  return out
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => {
      const c = l.split('\t');
      const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);
      return {
        no: +c[0],
        src: c[1],
        dst: c[2],
        arpSha: c[3] || undefined,
        arpTha: c[4] || undefined,
        icmpv6Type: c[5] ? +c[5].split(',')[0] : undefined,
        ndpLinkAddrs: [...new Set([...list(c[6]), ...list(c[7]), ...list(c[8])])],
        arpOp: c[9] ? +c[9] : undefined,
        arpSpa: c[10] || undefined,
        arpTpa: c[11] || undefined,
        ndTarget: c[12] || c[13] || undefined,
      };
    });
}

/** Every MAC carried inside the ARP or NDP payload of a frame. */
export function payloadMacs(f: CapturedFrame): string[] {
  return [f.arpSha, f.arpTha, ...f.ndpLinkAddrs].filter((x): x is string => x !== undefined);
}

export function isGroupMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** An ARP or Neighbor Discovery (NS, NA) frame. */
export function isDiscovery(f: CapturedFrame): boolean {
  return f.arpOp !== undefined || f.icmpv6Type === 135 || f.icmpv6Type === 136;
}
