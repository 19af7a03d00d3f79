/**
 * Ethernet II header with 802.1Q / 802.1ad tags (IEEE 802.3, IEEE 802.1Q-2018 9.4).
 * Offsets are from the start of the frame.
 */
export const EthField = {
  DST: 0, // 6 bytes
  SRC: 6, // 6 bytes
  ETHERTYPE: 12, // 2 bytes (or the TPID of the first tag)
} as const;

export const ETH_HEADER_LEN = 14;
export const ETH_MIN_FRAME = 60; // without FCS
export const VLAN_TAG_LEN = 4;
/** At most this many stacked tags are walked; deeper stacks are passed through untouched. */
export const MAX_VLAN_TAGS = 8;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  IPV6: 0x86dd,
  VLAN: 0x8100, // 802.1Q C-tag
  QINQ: 0x88a8, // 802.1ad S-tag
  QINQ_OLD: 0x9100, // pre-standard S-tag, still seen
  NLB_HEARTBEAT: 0x886f,
} as const;

export function isVlanTpid(t: number): boolean {
  return t === EtherType.VLAN || t === EtherType.QINQ || t === EtherType.QINQ_OLD;
}

/**
 * Walks the Ethernet header and any VLAN tags. Returns the offset of the EtherType field that
 * names the L3 protocol (the L3 header starts 2 bytes later), or -1 when the frame is too short
 * for its own headers or has more than MAX_VLAN_TAGS tags. No allocation.
 */
export function etherTypeOffset(frame: Uint8Array, length: number): number {
  if (length < ETH_HEADER_LEN) return -1;
  let off = EthField.ETHERTYPE;
  for (let tags = 0; ; tags++) {
    const t = (frame[off] << 8) | frame[off + 1];
    if (!isVlanTpid(t)) return off;
    if (tags === MAX_VLAN_TAGS) return -1;
    off += VLAN_TAG_LEN;
    if (off + 2 > length) return -1;
  }
}

export function readU16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}
export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}
/** I/G bit of a MAC stored at off. */
export function isMulticastMacAt(b: Uint8Array, off: number): boolean {
  return (b[off] & 1) === 1;
}
