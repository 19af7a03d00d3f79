import { createContainer, EngineFactory, parseConfig } from '../../src';
import { parseHostAddress } from '../../src/address';
import { FakeClock, HB_FRAME_LEN, Membership, encodeHeartbeatFrame, signHeartbeat } from '../../src/membership';

/**
 * Member "a" (198.18.0.1, initial members not static) of cluster 02-bf-aa-bb-cc-dd with a real
 * engine and a real Membership on a fake clock, and the heartbeats other members would send it:
 * the heartbeat flood and dispatch tests share them.
 */
export const FIXTURE_CLUSTER_MAC = Uint8Array.of(0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd);
const factory = createContainer().get(EngineFactory);

export function heartbeatMember(clock: FakeClock, key: Uint8Array) {
  const config = parseConfig({
    clusterMac: '02-bf-aa-bb-cc-dd',
    hosts: [{ name: 'a', addresses: ['198.18.0.1'] }],
    heartbeat: { keyEnv: 'UNUSED', staticHosts: false },
  });
  const engine = factory.create(config, 'a');
  const m = new Membership({ config, hostName: 'a', key, engine, factory, clock, send: () => true });
  return { m, engine };
}

/** An untagged heartbeat of `hostId` (source 02-00 + host ID), signed with `key`. */
export function signedHeartbeat(
  hostId: number,
  sequence: bigint,
  key: Uint8Array,
  name = `h${hostId}`,
  ip = '198.18.0.2',
): Uint8Array {
  const f = new Uint8Array(HB_FRAME_LEN);
  encodeHeartbeatFrame(
    {
      hostId,
      name,
      sequence,
      periodMs: 1000,
      clusterMac: FIXTURE_CLUSTER_MAC,
      clusterIp: new Uint8Array(4),
      addresses: [parseHostAddress(ip, 't')],
    },
    f,
  );
  signHeartbeat(f.subarray(14), key);
  return f;
}

/**
 * Gives the heartbeat in `f` (payload at `payloadOffset`) host ID `id` (below 2^24) and that host
 * ID's source MAC, in place: a forged heartbeat under a new host ID passes every cheap check.
 */
export function setHeartbeatHostId(f: Uint8Array, payloadOffset: number, id: number): void {
  f[payloadOffset + 8] = id & 0xff; // u32 LE
  f[payloadOffset + 9] = (id >>> 8) & 0xff;
  f[payloadOffset + 10] = (id >>> 16) & 0xff;
  f[9] = (id >>> 16) & 0xff; // source 02-00 + host ID, big-endian
  f[10] = (id >>> 8) & 0xff;
  f[11] = id & 0xff;
}
