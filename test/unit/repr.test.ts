import { EthernetHeaderRepr, FrameError, toHex } from '../../src';
import { internetChecksum, onesComplementSum } from '../../src/frame/checksum';
import { ArpRepr, Icmpv4Repr, Ipv4Repr, UdpRepr } from '../../adapters/arp/repr';
import { Icmpv6Repr, Ipv6Repr, NdOptionsRepr, NdRepr } from '../../adapters/ndp/repr';

/**
 * The frame representations (smoltcp's Repr): for each, the bytes below are written out field by
 * field; `parse` reads the fields from them, `emit` writes the same bytes into a buffer pre-filled
 * with 0xa5 at a non-zero offset (so an unwritten or misplaced byte shows), and parse(emit(r)) is r.
 */
const bytes = (...parts: string[]): Uint8Array =>
  Uint8Array.from(Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex'));
const OFF = 7;

/** Emits with `emit` into a 0xa5-filled buffer at OFF; checks the bytes, the end offset and both margins. */
function emitted(expected: Uint8Array, emit: (b: Uint8Array, off: number) => number): void {
  const b = new Uint8Array(OFF + expected.length + 5).fill(0xa5);
  const end = emit(b, OFF);
  expect(toHex(b.subarray(OFF, OFF + expected.length))).toBe(toHex(expected));
  expect(end).toBe(OFF + expected.length);
  expect(toHex(b.subarray(0, OFF))).toBe('a5'.repeat(OFF));
  expect(toHex(b.subarray(OFF + expected.length))).toBe('a5'.repeat(5));
}

/** `b` copied to OFF of a larger 0xa5-filled buffer, to parse at a non-zero offset. */
function at(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(OFF + b.length + 5).fill(0xa5);
  out.set(b, OFF);
  return out;
}

describe('Internet checksum (RFC 1071)', () => {
  // RFC 1071 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2
  const rfc = bytes('0001 f203 f4f5 f6f7');
  test('the RFC 1071 example sums to 0xddf2', () => {
    expect(onesComplementSum(rfc)).toBe(0xddf2);
    expect(internetChecksum(rfc)).toBe(0x220d);
  });
  test('an odd length pads with zero; a range and an initial sum add up', () => {
    expect(onesComplementSum(bytes('01'))).toBe(0x0100);
    expect(onesComplementSum(rfc, 2, 8, onesComplementSum(rfc, 0, 2))).toBe(0xddf2);
  });
});

describe('EthernetHeaderRepr', () => {
  const frame = bytes(
    '03bf0c0c0466', // destination
    '02bfaabbccdd', // source
    '88a8 000a', // 802.1ad S-tag, VID 10
    '8100 6064', // 802.1Q C-tag, PCP 3, VID 100
    '0806', // EtherType ARP
  );
  const repr = {
    dst: '03-bf-0c-0c-04-66',
    src: '02-bf-aa-bb-cc-dd',
    vlans: [
      { tpid: 0x88a8, tci: 10 },
      { tpid: 0x8100, tci: 0x6064 },
    ],
    etherType: 0x0806,
  };
  test('parse', () => expect(EthernetHeaderRepr.parse(at(frame), OFF)).toEqual(repr));
  test('emit', () => emitted(frame, (b, off) => EthernetHeaderRepr.emit(repr, b, off)));
  test('bufferLen and round trip untagged', () => {
    const plain = { dst: 'ff-ff-ff-ff-ff-ff', src: '02-bf-aa-bb-cc-dd', vlans: [], etherType: 0x86dd };
    expect(EthernetHeaderRepr.bufferLen(plain)).toBe(14);
    const b = new Uint8Array(14);
    EthernetHeaderRepr.emit(plain, b);
    expect(EthernetHeaderRepr.parse(b)).toEqual(plain);
  });
  test('a short header or a cut tag is a FrameError naming the layer', () => {
    expect(() => EthernetHeaderRepr.parse(frame.subarray(0, 13))).toThrow(
      new FrameError('ethernet', 'frame of 13 bytes is too short for its headers'),
    );
    expect(() => EthernetHeaderRepr.parse(frame.subarray(0, 19))).toThrow(/ethernet: VLAN tag 2 is cut short/);
  });
});

describe('ArpRepr (RFC 826)', () => {
  // FIG. 6 row 610: host1's request for host2 with host1's dedicated MAC as sender
  const packet = bytes(
    '0001', // hardware type: Ethernet
    '0800', // protocol type: IPv4
    '06 04', // address sizes
    '0001', // opcode: request
    '03bf0c0c0465', // sender MAC
    '0c0c0465', // sender IP 12.12.4.101
    '000000000000', // target MAC
    '0c0c0466', // target IP 12.12.4.102
  );
  const repr = {
    htype: 1,
    ptype: 0x0800,
    hlen: 6,
    plen: 4,
    op: 1,
    sha: '03-bf-0c-0c-04-65',
    spa: '12.12.4.101',
    tha: '00-00-00-00-00-00',
    tpa: '12.12.4.102',
  };
  test('parse', () => expect(ArpRepr.parse(at(packet), OFF)).toEqual(repr));
  test('emit', () => emitted(packet, (b, off) => ArpRepr.emit(repr, b, off)));
  test('unknown opcode and types are kept', () => {
    const r = { ...repr, op: 9, htype: 6, ptype: 0x86dd };
    const b = new Uint8Array(28);
    ArpRepr.emit(r, b);
    expect(ArpRepr.parse(b)).toEqual(r);
  });
  test('short or other address sizes are a FrameError', () => {
    expect(() => ArpRepr.parse(packet.subarray(0, 20))).toThrow(/arp: packet needs 28 bytes at offset 0, 20 available/);
    const big = Uint8Array.from(packet);
    big[4] = 8;
    expect(() => ArpRepr.parse(big)).toThrow(/arp: address sizes 8 and 4/);
  });
});

describe('Ipv4Repr (RFC 791 3.1)', () => {
  // A widely published header checksum example (192.168.0.1 to 192.168.0.199, UDP): checksum b861
  const header = bytes(
    '45', // version 4, IHL 5
    '00', // TOS
    '0073', // total length 115
    '0000', // identification
    '4000', // DF
    '40', // TTL 64
    '11', // protocol UDP
    'b861', // header checksum
    'c0a80001', // source
    'c0a800c7', // destination
  );
  const repr = {
    src: '192.168.0.1',
    dst: '192.168.0.199',
    protocol: 17,
    payloadLength: 95,
    ttl: 64,
    ident: 0,
    flagsFragment: 0x4000,
    tos: 0,
    checksum: 0xb861,
  };
  test('parse', () => {
    expect(Ipv4Repr.parse(at(header), OFF)).toEqual(repr);
    expect(Ipv4Repr.checksumOk(at(header), OFF)).toBe(true);
  });
  test('emit computes the checksum', () =>
    emitted(header, (b, off) => Ipv4Repr.emit({ ...repr, checksum: undefined }, b, off)));
  test('emit keeps a given checksum; "bad" is the good one XOR 0x5a5a', () => {
    const b = new Uint8Array(20);
    Ipv4Repr.emit({ ...repr, checksum: 'bad' }, b);
    expect(Ipv4Repr.parse(b).checksum).toBe(0xb861 ^ 0x5a5a);
    expect(Ipv4Repr.checksumOk(b)).toBe(false);
    Ipv4Repr.emit(repr, b);
    expect(Ipv4Repr.parse(b)).toEqual(repr);
  });
  test('options or a short header are a FrameError', () => {
    const opts = Uint8Array.from(header);
    opts[0] = 0x46;
    expect(() => Ipv4Repr.parse(opts)).toThrow(/ipv4: version\/IHL 0x46/);
    expect(() => Ipv4Repr.parse(header.subarray(0, 19))).toThrow(/ipv4: header needs 20 bytes/);
  });
});

describe('Icmpv4Repr (RFC 792) and UdpRepr (RFC 768)', () => {
  // FIG. 7 step 700's echo request, after its IPv4 header (tshark: checksum good)
  const echo = bytes(
    '08', // type: echo request
    '00', // code
    'd499', // checksum
    '0700 0001', // identifier, sequence number
    Buffer.from('intracluster FIG.7').toString('hex'), // data
  );
  const echoRepr = {
    type: 8,
    code: 0,
    word: 0x07000001,
    body: Uint8Array.from(Buffer.from('intracluster FIG.7')),
    checksum: 0xd499,
  };
  test('ICMP parse', () => expect(Icmpv4Repr.parse(at(echo), OFF, OFF + echo.length)).toEqual(echoRepr));
  test('ICMP emit', () => emitted(echo, (b, off) => Icmpv4Repr.emit({ ...echoRepr, checksum: undefined }, b, off)));

  // vector 301's datagram from 12.12.4.103 to 12.12.4.102 (tshark reads it)
  const datagram = bytes(
    '9c47', // source port 40007
    '0007', // destination port 7
    '0016', // length 22
    '81d3', // checksum over the pseudo-header
    Buffer.from('point to point').toString('hex'),
  );
  const ip = { src: '12.12.4.103', dst: '12.12.4.102' };
  const udpRepr = {
    srcPort: 40007,
    dstPort: 7,
    payload: Uint8Array.from(Buffer.from('point to point')),
    checksum: 0x81d3,
  };
  test('UDP parse', () => expect(UdpRepr.parse(at(datagram), OFF)).toEqual(udpRepr));
  test('UDP emit', () => emitted(datagram, (b, off) => UdpRepr.emit({ ...udpRepr, checksum: undefined }, ip, b, off)));
  test('UDP length past the buffer is a FrameError', () => {
    expect(() => UdpRepr.parse(datagram.subarray(0, 20))).toThrow(
      /udp: datagram needs 22 bytes at offset 0, 20 available/,
    );
  });
});

describe('Ipv6Repr (RFC 8200 3, 4.3)', () => {
  const header = bytes(
    '6',
    '00',
    '00000', // version 6, traffic class, flow label
    '0028', // payload length 40
    '00', // next header: Hop-by-Hop
    'ff', // hop limit 255
    '20010db8000000000000000000000101', // source
    'ff0200000000000000000001ff000102', // destination: solicited-node of 2001:db8::102
    '3a 00 01 04 00000000', // Hop-by-Hop: next header ICMPv6, length 0 (8 bytes), PadN
  );
  const repr = {
    src: '2001:db8::101',
    dst: 'ff02::1:ff00:102',
    hopLimit: 255,
    payloadLength: 40,
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: 58,
    hopByHop: bytes('3a00010400000000'),
  };
  test('parse walks the Hop-by-Hop header', () => expect(Ipv6Repr.parse(at(header), OFF)).toEqual(repr));
  test('emit', () => emitted(header, (b, off) => Ipv6Repr.emit(repr, b, off)));
  test('emit fills Next Header and Payload Length from the upper layer', () => {
    const b = new Uint8Array(40);
    Ipv6Repr.emit({ src: '2001:db8::1', dst: '2001:db8::2', trafficClass: 0xb8, flowLabel: 0x12345 }, b, 0, 17, 300);
    expect(Ipv6Repr.parse(b)).toEqual({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      hopLimit: 255,
      payloadLength: 300,
      trafficClass: 0xb8,
      flowLabel: 0x12345,
      nextHeader: 17,
    });
  });
  test('a Hop-by-Hop header past the end is a FrameError', () => {
    expect(() => Ipv6Repr.parse(header.subarray(0, 44))).toThrow(
      /ipv6: Hop-by-Hop header needs 8 bytes at offset 40, 4 available/,
    );
  });
});

describe('Icmpv6Repr, NdRepr and NdOptionsRepr (RFC 4443 2.1, RFC 4861 4.3, 4.4, 4.6)', () => {
  const ip = { src: '2001:db8::101', dst: 'ff02::1:ff00:102' };
  // vector ndp/001's NS (tshark: checksum good)
  const ns = bytes(
    '87', // type: Neighbor Solicitation
    '00', // code
    'a0cf', // checksum
    '00000000', // reserved
    '20010db8000000000000000000000102', // target
    '01 01 02bfaabbccdd', // SLLAO: the cluster MAC
  );
  const nsRepr = {
    type: 135 as const,
    code: 0,
    flags: 0,
    target: '2001:db8::102',
    options: [{ type: 1, mac: '02-bf-aa-bb-cc-dd' }],
    checksum: 0xa0cf,
  };
  test('NS parse', () => expect(NdRepr.parse(at(ns), OFF, OFF + ns.length)).toEqual(nsRepr));
  test('NS emit', () => emitted(ns, (b, off) => NdRepr.emit({ ...nsRepr, checksum: undefined }, ip, b, off)));

  // vector ndp/101's NA from 2001:db8::102 to 2001:db8::101 (tshark: checksum good)
  const na = bytes(
    '88', // type: Neighbor Advertisement
    '00', // code
    '0f1b', // checksum
    '60 000000', // flags S and O, reserved
    '20010db8000000000000000000000102', // target
    '02 01 02bfaabbccdd', // TLLAO: the cluster MAC
  );
  const naIp = { src: '2001:db8::102', dst: '2001:db8::101' };
  const naRepr = {
    type: 136 as const,
    code: 0,
    flags: 0x60,
    target: '2001:db8::102',
    options: [{ type: 2, mac: '02-bf-aa-bb-cc-dd' }],
    checksum: 0x0f1b,
  };
  test('NA parse', () => expect(NdRepr.parse(at(na), OFF, OFF + na.length)).toEqual(naRepr));
  test('NA emit', () => emitted(na, (b, off) => NdRepr.emit({ ...naRepr, checksum: undefined }, naIp, b, off)));

  test('ICMPv6 parse and emit of the same NA', () => {
    const m = Icmpv6Repr.parse(at(na), OFF, OFF + na.length);
    expect({ ...m, body: toHex(m.body) }).toEqual({
      type: 136,
      code: 0,
      word: 0x60000000,
      checksum: 0x0f1b,
      body: toHex(na.subarray(8)),
    });
    emitted(na, (b, off) => Icmpv6Repr.emit({ ...m, checksum: undefined }, naIp, b, off));
  });

  test('options: a nonce and an unknown option are kept as raw bodies; lengths are checked', () => {
    const opts = bytes(
      '0e 01 4e6f6e636521', // nonce (RFC 3971 5.3.2)
      'c8 02 0102030405060708090a0b0c0d0e', // unknown type 200, 16 bytes
      '01 01 02bfaabbccdd', // SLLAO
    );
    const parsed = NdOptionsRepr.parse(at(opts), OFF, OFF + opts.length);
    expect(parsed.map((o) => ({ ...o, body: o.body && toHex(o.body) }))).toEqual([
      { type: 14, body: '4e6f6e636521' },
      { type: 200, body: '0102030405060708090a0b0c0d0e' },
      { type: 1, mac: '02-bf-aa-bb-cc-dd', body: undefined },
    ]);
    emitted(opts, (b, off) => NdOptionsRepr.emit(parsed, b, off));
    expect(() => NdOptionsRepr.parse(bytes('0100 02bfaabbccdd'))).toThrow(/nd: option at 0 has length 0/);
    expect(() => NdOptionsRepr.parse(bytes('0102 02bfaabbccdd'))).toThrow(/nd: option at 0 needs 16 bytes/);
  });

  test('NS/NA shorter than 24 bytes or of another type is a FrameError', () => {
    expect(() => NdRepr.parse(ns.subarray(0, 20))).toThrow(/nd: NS\/NA needs 24 bytes/);
    const rs = Uint8Array.from(ns);
    rs[0] = 133;
    expect(() => NdRepr.parse(rs)).toThrow(/nd: ICMPv6 type 133 is not NS or NA/);
  });
});
