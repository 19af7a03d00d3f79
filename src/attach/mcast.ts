import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadBpfAddon } from '../datapath/bpf';

/** `aa:bb:cc:dd:ee:ff` from 12 hex digits or any MAC text. */
export function normalMac(text: string): string {
  const hex = text.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}

/**
 * The link-layer group addresses in interface `ifname`'s filter (this network namespace's
 * /proc/net/dev_mcast: ifindex, name, users, global use, address), with whether each was added from
 * user space (`ip maddr add`, the "global" use) as opposed to by a protocol (IPv6 all-nodes, MLD...).
 */
export function multicastFilter(ifname: string): { mac: string; global: boolean }[] {
  let text = '';
  try {
    text = readFileSync('/proc/net/dev_mcast', 'utf8');
  } catch {
    return [];
  }
  const out: { mac: string; global: boolean }[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 5 && f[1] === ifname) out.push({ mac: normalMac(f[4]), global: f[3] !== '0' });
  }
  return out;
}

/** Adds or removes a group address (SIOCADDMULTI / SIOCDELMULTI through the libbpf addon, else `ip maddr`): '' or the problem. */
function ipMaddr(op: 'add' | 'del', ifname: string, mac: string): string {
  const lib = loadBpfAddon();
  if (lib) {
    try {
      const bytes = Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
      if (op === 'add') lib.addMulticast(ifname, bytes);
      else lib.delMulticast(ifname, bytes);
      return '';
    } catch (e) {
      return `${op === 'add' ? 'adding' : 'removing'} ${mac} ${op === 'add' ? 'to' : 'from'} the multicast filter of ${ifname}: ${(e as Error).message}`;
    }
  }
  const r = spawnSync('ip', ['maddr', op, mac, 'dev', ifname], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `ip maddr ${op} ${mac} dev ${ifname}: ${r.error.message}`;
  return r.status === 0 ? '' : `ip maddr ${op} ${mac} dev ${ifname}: ${(r.stderr || `exit ${r.status}`).trim()}`;
}

/**
 * The group addresses this layer needs in the interface's multicast filter: the local member's
 * dedicated MACs (the shared MAC in shared mode). A real NIC drops frames for an unsubscribed group
 * address in hardware, before tc sees them. `set` adds what is missing and removes what this layer
 * added and no longer needs; an address that was in the filter already (added by someone else) is
 * never removed. Addition is the user-space "global" use of the address (`ip maddr add`), which
 * outlives this process (a kept datapath needs it).
 */
export class MulticastFilter {
  private readonly added = new Set<string>();

  constructor(
    readonly ifname: string,
    /** Addresses a previous instance added (adopted datapath): ours to remove. */
    adopted: readonly string[] = [],
    private readonly log: (line: string) => void = () => undefined,
  ) {
    for (const m of adopted) this.added.add(normalMac(m));
  }

  /** Addresses this layer added (for the state file). */
  owned(): string[] {
    return [...this.added].sort();
  }

  /** Makes the filter hold `macs`. Returns the problems (one line each); the rest is done. */
  set(macs: readonly string[]): string[] {
    const want = new Set(macs.map(normalMac));
    const problems: string[] = [];
    const present = new Map(multicastFilter(this.ifname).map((e) => [e.mac, e.global]));
    for (const m of want) {
      if (this.added.has(m) && present.get(m)) continue;
      if (present.get(m)) continue; // someone else's global entry: used, never removed
      const p = ipMaddr('add', this.ifname, m);
      if (p) problems.push(p);
      else this.added.add(m);
    }
    for (const m of [...this.added]) {
      if (want.has(m)) continue;
      const p = present.get(m) ? ipMaddr('del', this.ifname, m) : '';
      if (p) problems.push(p);
      else this.added.delete(m);
    }
    if (problems.length === 0 && want.size)
      this.log(`multicast filter of ${this.ifname}: ${[...want].sort().join(', ')}`);
    return problems;
  }

  /** Removes every address this layer added. */
  clear(): string[] {
    return this.set([]);
  }
}
