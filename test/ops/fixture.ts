import 'reflect-metadata';
import { parseConfig } from '../../src/config';
import { createContainer } from '../../src/container';
import { EngineFactory } from '../../src/di';
import { Engine } from '../../src/engine';
import { InstanceStatus, clusterMembers, colonMac } from '../../src/ops/status';
import { FrameTally } from '../../src/ops/tally';

export const CONFIG = {
  clusterMac: '02-bf-c6-12-00-64',
  hosts: [
    { name: 'host1', addresses: ['198.18.0.11', 'fd00:198:18::11', 'fe80::11'] },
    { name: 'host2', addresses: ['198.18.0.12', 'fd00:198:18::12', 'fe80::12'] },
    { name: 'host3', addresses: ['198.18.0.13'] },
  ],
};

export function engine(raw: object = CONFIG, host = 'host1'): Engine {
  return createContainer().get(EngineFactory).create(parseConfig(raw), host);
}

/** A status as a shim builds it, from a real engine and tally. */
export function statusOf(e: Engine, tally = new FrameTally(), extra: Partial<InstanceStatus> = {}): InstanceStatus {
  const cfg = e.cluster.config;
  return {
    version: 1,
    kind: 'shim',
    pid: 4242,
    datapath: 'shim',
    host: e.hostName,
    startedAt: 1_700_000_000_000,
    devices: [
      { role: 'stack', name: 'ic0' },
      { role: 'wire', name: 'icw0' },
    ],
    stack: { netns: null, dev: 'ic0' },
    config: {
      path: '/etc/intracluster/cluster.json',
      loadedAt: 1_700_000_000_500,
      reloads: { done: 2, failed: 1 },
      lastReload: { at: 1_700_000_001_000, ok: false, message: 'reload failed, "quoted" \\ back' },
    },
    layer: true,
    mode: cfg.mode,
    synthesize: cfg.synthesize,
    replyRewrite: cfg.replyRewrite,
    clusterMac: colonMac(cfg.clusterMac),
    sharedMac: null,
    members: clusterMembers(e.cluster, e.hostName),
    strictSources: e.strictSourcesState(),
    heartbeat: null,
    frames: tally.rows(),
    counters: { 'from stack': 3, 'write errors': 1 },
    writeErrors: 1,
    ...extra,
  };
}

const mac = (t: string) => t.split(/[-:]/).map((x) => parseInt(x, 16));
const ip4 = (t: string) => t.split('.').map(Number);

/** An Ethernet broadcast ARP request (RFC 826), written out byte by byte. */
export function arpRequest(senderMac: string, senderIp: string, targetIp: string): Uint8Array {
  return Uint8Array.from([
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ...mac(senderMac),
    0x08,
    0x06, // EtherType ARP
    0x00,
    0x01,
    0x08,
    0x00,
    6,
    4,
    0x00,
    0x01, // Ethernet/IPv4, request
    ...mac(senderMac),
    ...ip4(senderIp),
    ...[0, 0, 0, 0, 0, 0],
    ...ip4(targetIp),
    ...new Array(18).fill(0), // padding to 60 bytes
  ]);
}
