import * as ipaddr from 'ipaddr.js';
import { createContainer, Engine, EngineFactory, parseConfig } from '../../src';
import { hex } from './wire';

/**
 * The clusters the properties run against, one per mode, and what the oracle knows of each: which
 * address belongs to which member and which MAC it maps to. The MACs are worked out here from the
 * config text (prefix + address bytes, the table entries), not read back from the engine's Cluster.
 * Addresses are byte-vector addresses only (12.12.4.x, 2001:db8::); nothing here touches a network.
 */

export const CLUSTER_MAC = '02bfaabbccdd';
export const SHARED_MAC = '03bf00000001';

const HOSTS = [
  { name: 'host1', addresses: ['12.12.4.101', '2001:db8::101', '12.12.5.101'] },
  { name: 'host2', addresses: ['12.12.4.102', '2001:db8::102'] },
  { name: 'host3', addresses: ['12.12.4.103', '2001:db8::1:103'] },
];
const VIRTUAL = ['12.12.4.100', '2001:db8::100'];
const base = { clusterMac: '02-bf-aa-bb-cc-dd', virtualIps: VIRTUAL };

/** Every mode the issue names: dedicated, table, shared, synthesize, strict, and all three at once. */
export const CONFIGS: Record<string, Record<string, unknown>> = {
  dedicated: { ...base, replyRewrite: 'sender', hosts: HOSTS }, // step 508 at the replier; the others use the default "receiver"
  table: {
    ...base,
    mappings: { ipv4: 'ipv4-prefix', ipv6: 'ipv6-xor32' },
    hosts: [
      { ...HOSTS[0], mac: { '2001:db8::101': '03-bf-00-00-01-11' } },
      { ...HOSTS[1], mac: '03-bf-00-00-00-02' },
      HOSTS[2],
    ],
  },
  shared: { ...base, mode: 'shared', sharedMac: '03-bf-00-00-00-01', hosts: HOSTS },
  synthesize: { ...base, synthesize: true, hosts: HOSTS },
  strict: { ...base, strictSources: true, hosts: HOSTS },
  sharedStrictSynth: {
    ...base,
    mode: 'shared',
    sharedMac: '03-bf-00-00-00-01',
    synthesize: true,
    strictSources: true,
    hosts: HOSTS,
  },
};

/** The engines' local hosts. host3 is always a remote member. */
export const LOCAL_HOSTS = ['host1', 'host2'];

export interface Addr {
  host: number;
  /** The MAC members learn for this address (dedicated, table, or the shared MAC), hex. */
  mac: string;
}

/** What the oracle knows of one config. Keys are hex strings of address and MAC bytes. */
export class Model {
  readonly mode: 'dedicated' | 'shared';
  readonly synthesize: boolean;
  readonly strict: boolean;
  readonly hostNames: string[];
  readonly addrs = new Map<string, Addr>();
  readonly virtual = new Set<string>();
  /** Every MAC a member may learn for another member (dedicated, table, shared). */
  readonly memberMacs = new Set<string>();
  /** Dedicated mode: MAC -> host. */
  readonly macHost = new Map<string, number>();
  readonly sharedMac: string | null;
  /** Config maskSourceMac (default true). */
  readonly maskSourceMac: boolean;

  constructor(
    readonly name: string,
    readonly raw: Record<string, unknown>,
  ) {
    const r = raw as {
      mode?: string;
      sharedMac?: string;
      synthesize?: boolean;
      strictSources?: boolean;
      maskSourceMac?: boolean;
      mappings?: { ipv6?: string };
      hosts: { name: string; addresses: string[]; mac?: string | Record<string, string> }[];
      virtualIps: string[];
    };
    this.mode = r.mode === 'shared' ? 'shared' : 'dedicated';
    this.synthesize = r.synthesize === true;
    this.strict = r.strictSources === true;
    this.maskSourceMac = r.maskSourceMac !== false;
    this.sharedMac = this.mode === 'shared' ? r.sharedMac!.replace(/-/g, '') : null;
    this.hostNames = r.hosts.map((h) => h.name);
    const prefix = '03bf';
    r.hosts.forEach((h, hi) => {
      for (const text of h.addresses) {
        const bytes = ipaddr.parse(text).toByteArray();
        const key = hex(Uint8Array.from(bytes));
        let mac: string;
        if (this.mode === 'shared') mac = this.sharedMac!;
        else if (typeof h.mac === 'string') mac = h.mac.replace(/-/g, '');
        else if (h.mac && h.mac[text]) mac = h.mac[text].replace(/-/g, '');
        else if (bytes.length === 4) mac = prefix + key;
        else if ((r.mappings?.ipv6 ?? 'ipv6-low32') === 'ipv6-xor32') {
          let x = 0;
          for (let i = 0; i < 16; i += 4)
            x ^= ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
          mac = prefix + (x >>> 0).toString(16).padStart(8, '0');
        } else mac = prefix + key.slice(24);
        this.addrs.set(key, { host: hi, mac });
        this.memberMacs.add(mac);
        if (this.mode === 'dedicated') this.macHost.set(mac, hi);
      }
    });
    for (const v of r.virtualIps) this.virtual.add(hex(Uint8Array.from(ipaddr.parse(v).toByteArray())));
  }

  /** The member address at f[o .. o+n), or undefined. */
  addrAt(f: Uint8Array, o: number, n: 4 | 16): Addr | undefined {
    return this.addrs.get(hex(f, o, o + n));
  }
  hostOf(f: Uint8Array, o: number, n: 4 | 16): number {
    return this.addrAt(f, o, n)?.host ?? -1;
  }
  /**
   * The source MAC host `h` sends from with maskSourceMac (hex): 02, the host's 1-based position in
   * the config's host list, then bytes 2 to 5 of the cluster MAC (NLB's form, docs/config.md).
   */
  maskedMac(h: number): string {
    return `02${(h + 1).toString(16).padStart(2, '0')}${CLUSTER_MAC.slice(4)}`;
  }
  /** MACs of the addresses of host `h`. */
  macsOfHost(h: number): Set<string> {
    const s = new Set<string>();
    for (const a of this.addrs.values()) if (a.host === h) s.add(a.mac);
    return s;
  }
}

export const MODELS: Model[] = Object.entries(CONFIGS).map(([n, c]) => new Model(n, c));

export const factory = createContainer().get(EngineFactory);
const clusters = new Map(MODELS.map((m) => [m.name, factory.buildCluster(parseConfig(m.raw))]));

/** A fresh engine of `model` for host `host` (the default container's adapters). */
export function newEngine(model: Model, host: string): Engine {
  return new Engine(clusters.get(model.name)!, host, factory.adapters);
}

/** Interesting values the generators draw from (hex). */
export const POOL = {
  macs: [
    CLUSTER_MAC,
    SHARED_MAC,
    'ffffffffffff',
    '000000000000',
    '3333ff000101',
    '333300000001',
    '01005e000001',
    '020000000009', // a non-member's own MAC
    '03bf0c0c0409', // a dedicated-looking MAC of a non-member
    ...[...new Set(MODELS.flatMap((m) => [...m.memberMacs]))],
  ],
  ipv4: [
    '0c0c0465',
    '0c0c0466',
    '0c0c0467',
    '0c0c0565',
    '0c0c0464',
    '0c0c0409',
    'c6120009',
    '00000000',
    'ffffffff',
    'e0000001',
  ],
  ipv6: [
    '20010db8000000000000000000000101',
    '20010db8000000000000000000000102',
    '20010db8000000000000000000010103',
    '20010db8000000000000000000000100',
    '20010db8000000000000000000000009',
    'fe800000000000000000000000000001',
    '00000000000000000000000000000000',
    'ff020000000000000000000000000001',
    'ff0200000000000000000001ff000101',
    'ff0200000000000000000001ff000102',
    'ff0200000000000000000001ff010103',
    'ff020000000000000000000000000002',
  ],
};
