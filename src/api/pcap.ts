/** `intracluster/pcap`: pcap and pcapng reading (CaptureReader, CaptureError) and pcap writing. */
export * from '../pcap/reader';
export * from '../pcap/writer';
