import { closeSync, openSync, writeSync } from 'node:fs';

/** libpcap link type for Ethernet (LINKTYPE_ETHERNET). */
export const LINKTYPE_ETHERNET = 1;
const MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_SNAPLEN = 262144;

/** The 24-byte classic pcap global header (little-endian, microsecond timestamps, v2.4). */
export function pcapHeader(linkType = LINKTYPE_ETHERNET, snapLen = PCAP_SNAPLEN): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(MAGIC_USEC, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(snapLen, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}

/** One 16-byte record header plus the frame. `timeUs` is microseconds since the epoch. */
export function pcapRecord(frame: Uint8Array, timeUs: number): Buffer {
  const r = Buffer.alloc(16 + frame.length);
  r.writeUInt32LE(Math.floor(timeUs / 1e6), 0);
  r.writeUInt32LE(Math.floor(timeUs % 1e6), 4);
  r.writeUInt32LE(frame.length, 8);
  r.writeUInt32LE(frame.length, 12);
  r.set(frame, 16);
  return r;
}

/** A whole pcap file in memory (frames spaced 1 ms apart from `startUs`). */
export function encodePcap(frames: readonly Uint8Array[], startUs = 0, linkType = LINKTYPE_ETHERNET): Buffer {
  return Buffer.concat([pcapHeader(linkType), ...frames.map((f, i) => pcapRecord(f, startUs + i * 1000))]);
}

/** Writes a classic pcap file record by record (opens in Wireshark, tshark, tcpdump). */
export class PcapWriter {
  private fd: number;
  count = 0;

  constructor(path: string, linkType = LINKTYPE_ETHERNET) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, pcapHeader(linkType));
  }

  write(frame: Uint8Array, timeUs: number = Date.now() * 1000): void {
    writeSync(this.fd, pcapRecord(frame, timeUs));
    this.count++;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
