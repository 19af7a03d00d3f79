import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EngineStats } from '../../../src/engine';
import {
  BED_DATAPATHS,
  Bed,
  BedDatapath,
  BedHost,
  BedMode,
  BedOptions,
  CLUSTER_MAC,
  MEMBERS,
  SHARED_MAC,
} from '../../../src/live/bed';

/** Why the live tests are skipped (set by global-setup.ts), or empty when they run. */
export const SKIP = process.env.INTRACLUSTER_E2E_SKIP ?? '';

/** `describe`, or `describe.skip` with the reason in the title when the machine cannot run live tests. */
export function liveDescribe(name: string, fn: () => void): void {
  if (SKIP) describe.skip(`${name} [SKIPPED: ${SKIP}]`, fn);
  else describe(name, fn);
}

/** The CLI built by global-setup.ts for the shim processes. */
export const E2E_CLI = [process.execPath, join(__dirname, '..', 'cli.js')];

export function createBed(options: Omit<BedOptions, 'intracluster'>): Promise<Bed> {
  return Bed.create({ ...options, intracluster: E2E_CLI });
}

/** Every ordered pair of distinct hosts. */
export function orderedPairs<T>(xs: readonly T[]): [T, T][] {
  return xs.flatMap((a) => xs.filter((b) => b !== a).map((b): [T, T] => [a, b]));
}

export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

/** The 16 bytes of an IPv6 address in text form (enough for the bed's addresses). */
function ipv6Bytes(text: string): number[] {
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');

/**
 * The MAC a member must learn for `host`'s address of `family`, written out from the rules, not
 * computed by the library: dedicated = 03-bf + the IPv4 bytes / the low 32 bits of the IPv6 address;
 * table = the host's MAC in the config; shared = the shared MAC.
 */
export function expectedMac(mode: BedMode, host: BedHost, family: Family): string {
  if (mode === 'shared') return SHARED_MAC;
  if (mode === 'table') return MEMBERS.find((m) => m.name === host.name)!.tableMac;
  const low = family === 'ipv4' ? host.ipv4.split('.').map(Number) : ipv6Bytes(host.ipv6).slice(12);
  return hex([0x03, 0xbf, ...low]);
}

export { CLUSTER_MAC };

/** "03:bf:..." for any byte string of the bed's MAC notation. */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/**
 * The Ethernet source a member's frames leave with under `maskSourceMac` (docs/config.md), written out
 * from the documented form, not computed by the library: 02, the host number (1-based position in
 * `hosts`), then bytes 2 to 5 of the cluster MAC.
 */
export function expectedMaskedMac(host: BedHost): string {
  const number = MEMBERS.findIndex((m) => m.name === host.name) + 1;
  return hex([
    0x02,
    number,
    ...CLUSTER_MAC.split(':')
      .slice(2)
      .map((b) => parseInt(b, 16)),
  ]);
}

/** Why a third-party tool the live tests use is missing (Debian package), or "" when it is there. */
export function missingTool(tool: 'arping' | 'scapy'): string {
  const r =
    tool === 'arping'
      ? spawnSync('arping', ['-V'], { encoding: 'utf8' })
      : spawnSync(SCAPY_PYTHON, ['-c', 'import scapy.all'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    return `${tool} is missing (Debian package ${tool === 'arping' ? 'iputils-arping' : 'python3-scapy'}; scripts/setup installs it)`;
  if (tool === 'arping' && !/iputils/.test(`${r.stdout}${r.stderr}`))
    return 'arping is not the iputils one (Debian package iputils-arping; scripts/setup installs it)';
  return '';
}

/** Debian's python3, which python3-scapy installs into (not whatever python3 comes first on PATH). */
export const SCAPY_PYTHON = '/usr/bin/python3';

/** Why the kernel-datapath variants are skipped (global-setup.ts), or empty when they run. */
export const KERNEL_SKIP = process.env.INTRACLUSTER_E2E_KERNEL_SKIP ?? '';

/**
 * One `describe` per datapath (the TAP shim, the BPF programs on a veth), `[shim datapath]` or
 * `[kernel datapath]` in the title; the kernel one is skipped, with the reason, where it cannot run.
 */
export function datapathDescribe(name: string, fn: (datapath: BedDatapath) => void): void {
  for (const dp of BED_DATAPATHS) {
    const why = SKIP || (dp === 'kernel' ? KERNEL_SKIP : '');
    const title = `${name} [${dp} datapath]`;
    if (why) describe.skip(`${title} [SKIPPED: ${why}]`, () => fn(dp));
    else describe(title, () => fn(dp));
  }
}

/** The layer's word for its process in test titles. */
export const layerName = (dp: BedDatapath) => (dp === 'kernel' ? 'attach' : 'shim');

/**
 * Member i's counters after `stopShims()`, the same shape for both datapaths: the engine's frames by
 * verdict and reason (the shim's engine, or the BPF programs' per-CPU counters), and the errors the
 * layer counted (shim: internal and read errors; attach: heartbeat socket read errors).
 */
export function layerReport(
  bed: Bed,
  i: number,
): { engine: EngineStats; errors: number; repliesToStack: number | null } | null {
  if (bed.datapath === 'kernel') {
    const r = bed.attachReports[i];
    return r ? { engine: r.engine, errors: r.heartbeats.readErrors, repliesToStack: null } : null;
  }
  const r = bed.shimReports[i];
  return r && r.engine
    ? {
        engine: r.engine,
        errors: r.shim['internal errors'] + r.shim['read errors'],
        repliesToStack: r.shim['replies to stack'],
      }
    : null;
}
