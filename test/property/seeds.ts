import { GOLDEN_DIR, loadGoldenVectors } from '../../src/testing';
import { ArpSpec, EthSpec, NdSpec, OptionSpec, buildScratch } from './arbitraries';
import { CLUSTER_MAC, SHARED_MAC } from './model';

/**
 * Seed frames for the mutation properties: every input (and `before` frame) of every golden vector
 * under test/golden, plus well-formed frames of each rule for the three-member IPv4+IPv6 cluster of
 * model.ts (the golden configs have other clusters; mutations of both kinds meet every engine).
 */

const eth = (dst: string, src = CLUSTER_MAC, pad = true): EthSpec => ({
  dst,
  src,
  tags: [],
  pad,
  trailer: new Uint8Array(0),
});
const V4 = { h1: '0c0c0465', h2: '0c0c0466', h3: '0c0c0467', virt: '0c0c0464', other: '0c0c0409' };
const V6 = {
  h1: '20010db8000000000000000000000101',
  h2: '20010db8000000000000000000000102',
  h3: '20010db8000000000000000000010103',
  virt: '20010db8000000000000000000000100',
  other: '20010db8000000000000000000000009',
  all: 'ff020000000000000000000000000001',
};
const SN = (a: string) => 'ff0200000000000000000001ff' + a.slice(26);
const D4 = (a: string) => '03bf' + a;
const D6 = (a: string) => '03bf' + a.slice(24);
const ZERO = '000000000000';
const BCAST = 'ffffffffffff';

const arp = (e: EthSpec, op: number, sha: string, spa: string, tha: string, tpa: string) =>
  buildScratch({
    eth: e,
    l3: { kind: 'arp', htype: 1, ptype: 0x0800, hlen: 6, plen: 4, op, sha, spa, tha, tpa, cut: null } satisfies ArpSpec,
  });
const ll = (type: number, mac: string): OptionSpec => ({ o: 'll', type, mac });
const nd = (e: EthSpec, type: 135 | 136, src: string, dst: string, target: string, options: OptionSpec[], flags = 0) =>
  buildScratch({
    eth: e,
    l3: {
      kind: 'nd',
      ver: 0x60,
      hopLimit: 255,
      src,
      dst,
      hbh: null,
      type,
      code: 0,
      flags,
      target,
      options,
      checksum: 'good',
      payloadLength: { lie: false },
    } satisfies NdSpec,
  });
const data4 = (dst: string, src: string, dip: string) =>
  buildScratch({
    eth: eth(dst),
    l3: { kind: 'ipv4', verIhl: 0x45, totalLength: null, proto: 17, src, dst: dip, payload: new Uint8Array(12) },
  });
const data6 = (dst: string, src: string, dip: string) =>
  buildScratch({ eth: eth(dst), l3: { kind: 'ipv6', next: 17, src, dst: dip, payload: new Uint8Array(12) } });

export const CANONICAL: Uint8Array[] = [
  // FIG. 6 rows 600, 620, 630 and their mirror images; table-mode and shared-mode replies
  arp(eth(BCAST), 1, CLUSTER_MAC, V4.h1, ZERO, V4.h2),
  arp(eth(BCAST), 1, CLUSTER_MAC, V4.h2, ZERO, V4.h1),
  arp(eth(D4(V4.h1)), 2, CLUSTER_MAC, V4.h2, D4(V4.h1), V4.h1),
  arp(eth(D4(V4.h2)), 2, CLUSTER_MAC, V4.h1, D4(V4.h2), V4.h2),
  arp(eth(D4(V4.h3)), 2, CLUSTER_MAC, V4.h1, D4(V4.h3), V4.h3),
  arp(eth(D4(V4.h1)), 2, D4(V4.h2), V4.h2, CLUSTER_MAC, V4.h1),
  arp(eth(D4(V4.h2)), 2, D4(V4.h1), V4.h1, CLUSTER_MAC, V4.h2),
  arp(eth('03bf00000002'), 2, CLUSTER_MAC, V4.h1, '03bf00000002', V4.h2),
  arp(eth(SHARED_MAC), 2, CLUSTER_MAC, V4.h2, SHARED_MAC, V4.h1),
  arp(eth(BCAST), 2, CLUSTER_MAC, V4.h2, BCAST, V4.h1),
  arp(eth(BCAST), 1, CLUSTER_MAC, V4.h3, ZERO, V4.other),
  arp(eth(BCAST), 1, CLUSTER_MAC, '00000000', ZERO, V4.h1),
  arp(eth(BCAST), 1, CLUSTER_MAC, V4.h1, ZERO, V4.h1),
  arp(eth(BCAST, '020000000009'), 1, '020000000009', V4.other, ZERO, V4.h2),
  arp(eth('020000000009'), 2, CLUSTER_MAC, V4.h1, '020000000009', V4.other),
  arp(eth(BCAST), 2, CLUSTER_MAC, V4.virt, BCAST, V4.h1),
  // FIG. 7 data frames
  data4(D4(V4.h2), V4.h1, V4.h2),
  data4(D4(V4.h1), V4.h2, V4.h1),
  data4(D4(V4.h3), V4.h1, V4.h3),
  data4(SHARED_MAC, V4.h1, V4.h2),
  data4(CLUSTER_MAC, V4.other, V4.h1),
  data6(D6(V6.h2), V6.h1, V6.h2),
  data6(D6(V6.h1), V6.h2, V6.h1),
  data6('03bf00000111', V6.h2, V6.h1),
  data6(SHARED_MAC, V6.h3, V6.h1),
  // NS/NA: the step 502/508 analogues, the Override hazard, DAD, virtual and non-member senders
  nd(eth('3333ff000102'), 135, V6.h1, SN(V6.h2), V6.h2, [ll(1, CLUSTER_MAC)]),
  nd(eth('3333ff000101'), 135, V6.h2, SN(V6.h1), V6.h1, [ll(1, CLUSTER_MAC)]),
  nd(eth('3333ff000101'), 135, V6.h3, SN(V6.h1), V6.h1, [
    ll(1, CLUSTER_MAC),
    { o: 'nonce', body: new Uint8Array(6).fill(7) },
  ]),
  nd(eth(D6(V6.h1)), 136, V6.h2, V6.h1, V6.h2, [ll(2, CLUSTER_MAC)], 0x60),
  nd(eth(D6(V6.h2)), 136, V6.h1, V6.h2, V6.h1, [ll(2, CLUSTER_MAC)], 0x60),
  nd(eth('03bf20010eba'), 136, V6.h1, V6.h2, V6.h1, [ll(2, CLUSTER_MAC)], 0x60),
  nd(eth(SHARED_MAC), 136, V6.h2, V6.h1, V6.h2, [ll(2, CLUSTER_MAC)], 0x60),
  nd(eth(D6(V6.h1)), 136, V6.h2, V6.h1, V6.h2, [ll(2, D6(V6.h2))], 0x60),
  nd(eth('333300000001'), 136, V6.h3, V6.all, V6.h3, [ll(2, CLUSTER_MAC)], 0x20),
  nd(eth('333300000001'), 136, V6.h1, V6.all, V6.h1, [ll(2, CLUSTER_MAC), ll(2, CLUSTER_MAC)], 0x20),
  nd(eth('3333ff000102'), 135, '00000000000000000000000000000000', SN(V6.h2), V6.h2, []),
  nd(eth('3333ff000101'), 135, V6.other, SN(V6.h1), V6.h1, [ll(1, '020000000009')]),
  nd(eth('020000000009'), 136, V6.h1, V6.other, V6.h1, [ll(2, CLUSTER_MAC)], 0x60),
  nd(eth(D6(V6.h1)), 136, V6.virt, V6.h1, V6.virt, [ll(2, CLUSTER_MAC)], 0x60),
];

/** Golden inputs and `before` frames (whatever vectors exist when the tests start), then CANONICAL. */
export function loadSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of loadGoldenVectors(GOLDEN_DIR)) {
    out.push(v.input);
    for (const b of v.before) out.push(b.input);
  }
  return [...out, ...CANONICAL];
}

/** Frames that complete a discovery exchange somewhere (strict sources), for `before` lists. */
export const DISCOVERY: { direction: 0 | 1; frame: Uint8Array }[] = [
  { direction: 1, frame: CANONICAL[2] }, // host2 answers host1 (step 508)
  { direction: 1, frame: CANONICAL[3] }, // host1 answers host2
  { direction: 1, frame: CANONICAL[4] }, // host1 answers host3
  { direction: 0, frame: CANONICAL[5] }, // host1 receives host2's answer (step 510)
  { direction: 0, frame: CANONICAL[6] },
  { direction: 1, frame: CANONICAL[8] }, // shared mode: host2 answers host1
  { direction: 1, frame: CANONICAL[28] }, // NA host2 -> host1
  { direction: 1, frame: CANONICAL[29] }, // NA host1 -> host2
  { direction: 0, frame: CANONICAL[32] }, // host1 receives host2's NA with its dedicated MAC
];
