/**
 * Frame builders with tshark claims and the vector renderer shared by the generators of this folder.
 * Every byte comes from the Repr builders (src/frame/build*.ts), every claim from the same
 * description as the bytes; the engine is never run here.
 */
import { EthHeaderRepr, VlanTag, toHex } from '../../src/frame/build';
import { ArpRepr, arpFrame, emitIcmpv4, ipv4Frame } from '../../adapters/arp/repr';
import {
  FrameOptions,
  Icmpv6Repr,
  Ipv6Repr,
  NdOptionRepr,
  NdRepr,
  icmpv6Frame,
  ipv6MulticastMac,
  ndFrame,
  solicitedNode,
} from '../../adapters/ndp/repr';
import { EtherType } from '../../src/frame/ethernet';
import { Icmpv6Type, NaFlag, NdOption } from '../../adapters/ndp/icmpv6';

// ---- cluster values: the patent's (FIG. 6) and their IPv6 counterparts ----
export const CLUSTER = '02-bf-aa-bb-cc-dd';
export const BCAST = 'ff-ff-ff-ff-ff-ff';
export const ZERO = '00-00-00-00-00-00';
export const V4 = {
  h1: '12.12.4.101',
  h2: '12.12.4.102',
  h3: '12.12.4.103',
  vip: '12.12.4.100',
  router: '12.12.4.1',
  outsider: '12.12.4.7',
};
export const V6 = {
  h1: '2001:db8::101',
  h1b: '2001:db8::1:101',
  h2: '2001:db8::102',
  h3: '2001:db8::103',
  vip: '2001:db8::100',
  router: '2001:db8::1',
  outsider: '2001:db8::7',
};
/** Link-local addresses the configs do not list. */
export const LL = { h1: 'fe80::101', h2: 'fe80::102', router: 'fe80::1' };
/** Dedicated MACs: ipv4-prefix and ipv6-low32 (prefix 03-bf + the last 4 address bytes). */
export const DED = {
  v4h1: '03-bf-0c-0c-04-65',
  v4h2: '03-bf-0c-0c-04-66',
  v4h3: '03-bf-0c-0c-04-67',
  h1: '03-bf-00-00-01-01',
  h1b: '03-bf-00-01-01-01',
  h2: '03-bf-00-00-01-02',
  h3: '03-bf-00-00-01-03',
};
export const SHARED = '03-bf-00-00-00-01';
/** A non-member router and station (RFC 7042 2.1.2 documentation MACs). */
export const ROUTER_MAC = '00-00-5e-00-53-01';
export const OTHER_MAC = '00-00-5e-00-53-65';

export const NS = Icmpv6Type.NEIGHBOR_SOLICITATION;
export const NA = Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
/** NA flags of an answer: Solicited and Override. */
export const SO = NaFlag.SOLICITED | NaFlag.OVERRIDE;
export const sllao = (mac: string): NdOptionRepr => ({ type: NdOption.SOURCE_LL, mac });
export const tllao = (mac: string): NdOptionRepr => ({ type: NdOption.TARGET_LL, mac });

/** Three members with one IPv4 and one IPv6 address each (the mode and masking configs). */
export const HOSTS = [
  { name: 'host1', addresses: [V4.h1, V6.h1] },
  { name: 'host2', addresses: [V4.h2, V6.h2] },
  { name: 'host3', addresses: [V4.h3, V6.h3] },
];

// ---- frames with claims ----
export interface Frame {
  bytes: Uint8Array;
  claims: Record<string, string>;
}

export const colon = (mac: string): string => mac.replace(/-/g, ':').toLowerCase();
const hex = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;
export const CTAG = (vid: number, pcp = 0): VlanTag => ({ tpid: EtherType.VLAN, tci: (pcp << 13) | vid });

function ethClaims(bytes: Uint8Array, eth: EthHeaderRepr, etherType: number): Record<string, string> {
  const vlans = eth.vlans ?? [];
  const c: Record<string, string> = {
    'frame.len': String(bytes.length),
    'eth.dst': colon(eth.dst),
    'eth.src': colon(eth.src),
    'eth.type': hex(vlans.length ? vlans[0].tpid : etherType, 4),
  };
  if (vlans.length) c['vlan.id'] = vlans.map((t) => String(t.tci & 0x0fff)).join(',');
  return c;
}

/** Solicited-node multicast address and its MAC (RFC 4291 2.7.1, RFC 2464 7). */
export function solicited(addr: string): { ip: string; mac: string } {
  const ip = solicitedNode(addr);
  return { ip, mac: ipv6MulticastMac(ip) };
}

export interface NdClaimsOpts extends FrameOptions {
  /** Extra or overriding claims. */
  claims?: Record<string, string | undefined>;
}

/** Claims of the Ethernet, IPv6 and ICMPv6 headers (type, code, checksum and its status) of `bytes`. */
function icmpv6Claims(
  bytes: Uint8Array,
  eth: EthHeaderRepr,
  ip: Ipv6Repr,
  m: { type: number; code?: number; checksum?: unknown },
): Record<string, string> {
  const icmp = 14 + 4 * (eth.vlans?.length ?? 0) + 40 + (ip.hopByHop?.length ?? 0);
  const c = ethClaims(bytes, eth, EtherType.IPV6);
  Object.assign(c, {
    'ipv6.src': ip.src,
    'ipv6.dst': ip.dst,
    'ipv6.hlim': String(ip.hopLimit ?? 255),
    'icmpv6.type': String(m.type),
    'icmpv6.code': String(m.code ?? 0),
    'icmpv6.checksum': hex((bytes[icmp + 2] << 8) | bytes[icmp + 3], 4),
    'icmpv6.checksum.status': m.checksum === 'bad' ? '0' : '1',
  });
  return c;
}

/**
 * An NS or NA with its claims: addresses, hop limit, type, code, checksum and its status ("1" good,
 * "0" bad: `nd.checksum === 'bad'`), target, NA flags, option types and every link-layer address.
 */
export function nd(eth: EthHeaderRepr, ip: Ipv6Repr, m: NdRepr, o: NdClaimsOpts = {}): Frame {
  const bytes = ndFrame(eth, ip, m, o);
  const c = icmpv6Claims(bytes, eth, ip, m);
  if (m.type === NS) c['icmpv6.nd.ns.target_address'] = m.target;
  else {
    c['icmpv6.nd.na.target_address'] = m.target;
    c['icmpv6.nd.na.flag'] = hex(((m.flags ?? 0) << 24) >>> 0, 8);
  }
  const opts = m.options ?? [];
  c['icmpv6.opt.type'] = opts.map((x) => String(x.type)).join(',');
  c['icmpv6.opt.linkaddr'] = opts
    .filter((x) => x.mac !== undefined && (x.type === 1 || x.type === 2))
    .map((x) => colon(x.mac!))
    .join(',');
  if (o.trailer) c['eth.trailer'] = toHex(o.trailer);
  return { bytes, claims: withOverrides(c, o.claims) };
}

/** An ICMPv6 message other than NS/NA (RS, RA, Redirect, echo) with claims. */
export function icmp6(eth: EthHeaderRepr, ip: Ipv6Repr, m: Icmpv6Repr, o: NdClaimsOpts = {}): Frame {
  const bytes = icmpv6Frame(eth, ip, m, o);
  const c = icmpv6Claims(bytes, eth, ip, m);
  return { bytes, claims: withOverrides(c, o.claims) };
}

/** ICMPv6 echo request (RFC 4443 4.1), hop limit 64: an IPv6 data frame. */
export function ping6(eth: EthHeaderRepr, src: string, dst: string): Frame {
  const data = Uint8Array.from(Buffer.from('intracluster IPv6', 'ascii'));
  const body = new Uint8Array(data.length);
  body.set(data);
  return icmp6(
    eth,
    { src, dst, hopLimit: 64 },
    { type: 128, word: 0x07000001, body },
    { claims: { 'icmpv6.echo.identifier': '0x0700', 'icmpv6.echo.sequence_number': '1' } },
  );
}

function withOverrides(c: Record<string, string>, o?: Record<string, string | undefined>): Record<string, string> {
  for (const [k, v] of Object.entries(o ?? {})) {
    if (v === undefined) delete c[k];
    else c[k] = v;
  }
  return c;
}

/** Replaces bytes of a built frame (to build what the Repr cannot say), keeping its claims. */
export function patch(f: Frame, at: number, bytes: number[], claims?: Record<string, string | undefined>): Frame {
  const b = Uint8Array.from(f.bytes);
  b.set(bytes, at);
  return { bytes: b, claims: withOverrides({ ...f.claims, 'frame.len': String(b.length) }, claims) };
}

/** An ARP frame (padded to 60 with zeros) with claims. */
export function arp(eth: EthHeaderRepr, a: ArpRepr): Frame {
  const bytes = arpFrame(eth, a);
  const c = ethClaims(bytes, eth, EtherType.ARP);
  const l3 = 14 + 4 * (eth.vlans?.length ?? 0);
  Object.assign(c, {
    'eth.padding': toHex(bytes.subarray(l3 + 28)),
    'arp.opcode': String(a.op),
    'arp.src.hw_mac': colon(a.sha),
    'arp.src.proto_ipv4': a.spa,
    'arp.dst.hw_mac': colon(a.tha),
    'arp.dst.proto_ipv4': a.tpa,
  });
  return { bytes, claims: c };
}

/** IPv4 ICMP echo request (RFC 791, RFC 792) with both checksums: an IPv4 data frame. */
export function ping4(eth: EthHeaderRepr, src: string, dst: string): Frame {
  const icmp = emitIcmpv4({
    type: 8,
    word: 0x07000001,
    body: Uint8Array.from(Buffer.from('intracluster IPv4!', 'ascii')),
  });
  const bytes = ipv4Frame(eth, { src, dst, protocol: 1 }, icmp);
  const c = ethClaims(bytes, eth, EtherType.IPV4);
  Object.assign(c, { 'ip.src': src, 'ip.dst': dst, 'ip.proto': '1', 'icmp.type': '8' });
  return { bytes, claims: c };
}

/** The same frame with a different Ethernet destination (what a layer's destination rule does). */
export function withDst(f: Frame, dst: string): Frame {
  const b = Uint8Array.from(f.bytes);
  const m = dst.split('-').map((x) => parseInt(x, 16));
  b.set(m, 0);
  return { bytes: b, claims: { ...f.claims, 'eth.dst': colon(dst) } };
}

// ---- vectors ----
export interface Spec {
  id: string;
  description: string;
  source: string;
  rules: string[];
  config: string;
  host: string;
  direction: 'inbound' | 'outbound';
  before?: { direction: 'inbound' | 'outbound'; frame: Frame }[];
  input: Frame;
  verdict: 'pass' | 'rewrite' | 'drop' | 'reply';
  output?: Frame;
  reply?: Frame;
  reason?: string;
  malformed?: boolean;
}

export function vectorJson(s: Spec): object {
  if (s.verdict === 'rewrite' && !s.output) throw new Error(`${s.id}: rewrite needs an output`);
  if (s.verdict === 'reply' && !s.reply) throw new Error(`${s.id}: reply needs a reply frame`);
  if (s.verdict === 'pass' && s.output) throw new Error(`${s.id}: a pass forwards its input`);
  const out = s.verdict === 'pass' ? s.input : s.output;
  const expect: Record<string, string> = { verdict: s.verdict };
  if (out) expect.output = toHex(out.bytes);
  if (s.reply) expect.reply = toHex(s.reply.bytes);
  if (s.reason) expect.reason = s.reason;
  const tshark: Record<string, unknown> = { input: s.input.claims };
  if (out) tshark.output = out.claims;
  if (s.reply) tshark.reply = s.reply.claims;
  if (s.malformed) tshark.malformed = true;
  const v: Record<string, unknown> = {
    name: s.id,
    description: s.description,
    source: s.source,
    rules: s.rules,
    config: s.config,
    host: s.host,
  };
  if (s.before) v.before = s.before.map((b) => ({ direction: b.direction, input: toHex(b.frame.bytes) }));
  Object.assign(v, { direction: s.direction, input: toHex(s.input.bytes), expect, tshark });
  return v;
}

/**
 * Path (relative to test/golden) -> text of every vector of `dir` and every config a generator
 * owns, exactly as written to disk.
 */
export function render(dir: string, specs: readonly Spec[], configs: Record<string, object>): Map<string, string> {
  const out = new Map<string, string>();
  const ids = new Set<string>();
  for (const s of specs) {
    if (!/^\d{3}-[a-z0-9-]+$/.test(s.id)) throw new Error(`bad id ${s.id}`);
    if (ids.has(s.id)) throw new Error(`duplicate id ${s.id}`);
    ids.add(s.id);
    out.set(`${dir}/${s.id}.json`, json(vectorJson(s)));
  }
  return new Map([...out, ...renderConfigs(configs)]);
}

/** configs/NAME -> text of each config. */
export function renderConfigs(configs: Record<string, object>): Map<string, string> {
  return new Map(Object.entries(configs).map(([file, c]) => [`configs/${file}`, json(c)]));
}

/** The JSON text of a vector or config file: two-space indent, final newline. */
export function json(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}
