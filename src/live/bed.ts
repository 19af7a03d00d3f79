import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ECHO_CLIENT, ECHO_PORT, ECHO_SERVER, EchoResult } from './echo';
import { Child, RunResult, must, run } from './proc';
import type { AttachReport } from '../attach/runner';
import { ShimReport } from './runner';
import { tapAddonProblem } from './tap';

/*
 * The live test bed: real Linux kernel stacks in network namespaces the bed creates and always deletes.
 *
 *   ns <id>-m1 .. m3 (members)     eth0 = stack-side TAP, cluster MAC      ┐  fds held by one
 *   ns <id>-sw (switch)            br0 = Linux bridge; ports p-m1..p-m3 =  ├─ `intracluster shim`
 *                                  wire-side TAPs, p-out = veth            ┘  process per member
 *   ns <id>-out (non-member)       eth0 = veth peer, its own MAC
 *
 * Each shim creates its two TAPs in the root namespace; the bed then moves the stack side into the
 * member's namespace and the wire side into the switch namespace (the descriptors keep working).
 *
 * With `datapath: 'kernel'` there is no TAP: each member's eth0 is a plain veth whose peer is its
 * bridge port, and one `intracluster attach` per member, started in the member's namespace, puts the
 * BPF programs on eth0 (tc clsact). Pins go to a BPF filesystem the bed mounts in its own folder.
 * Addresses: 198.18.0.0/15 (RFC 2544) and fd00::/8 (RFC 4193) only.
 */

export const CLUSTER_MAC = '02:bf:c6:12:00:64';
export const SHARED_MAC = '03:bf:5a:00:00:01';
export const PREFIX_LEN = { ipv4: 24, ipv6: 64 };

export interface BedHostPlan {
  name: string;
  ipv4: string;
  ipv6: string;
  /**
   * Static link-local address, listed in the config: Linux sends NUD probes (unicast NS) from the
   * link-local address, and the layer can only rewrite for addresses it knows (docs/live.md).
   */
  linkLocal: string;
  /** Dedicated MAC given in the config in table mode. */
  tableMac: string;
}

export const MEMBERS: readonly BedHostPlan[] = [
  { name: 'host1', ipv4: '198.18.0.11', ipv6: 'fd00:198:18::11', linkLocal: 'fe80::11', tableMac: '03:bf:7a:00:00:01' },
  { name: 'host2', ipv4: '198.18.0.12', ipv6: 'fd00:198:18::12', linkLocal: 'fe80::12', tableMac: '03:bf:7a:00:00:02' },
  { name: 'host3', ipv4: '198.18.0.13', ipv6: 'fd00:198:18::13', linkLocal: 'fe80::13', tableMac: '03:bf:7a:00:00:03' },
];
export const NON_MEMBER = { name: 'outsider', ipv4: '198.18.0.99', ipv6: 'fd00:198:18::99', mac: '02:42:c6:12:00:63' };

/** dedicated: computed mappings (ipv4-prefix, ipv6-low32); table: per-host MACs in the config; shared: one shared MAC; synthesize: dedicated + response synthesizer. */
export type BedMode = 'dedicated' | 'table' | 'shared' | 'synthesize';
export const BED_MODES: readonly BedMode[] = ['dedicated', 'table', 'shared', 'synthesize'];

/** The cluster config (JSON object, docs/config.md) for `mode` with `members` as the host list. */
export function bedConfig(mode: BedMode, members: readonly BedHostPlan[] = MEMBERS): object {
  const hosts = members.map((m) => ({
    name: m.name,
    addresses: [m.ipv4, m.ipv6, m.linkLocal],
    ...(mode === 'table' ? { mac: m.tableMac } : {}),
  }));
  return {
    clusterMac: CLUSTER_MAC,
    mode: mode === 'shared' ? 'shared' : 'dedicated',
    ...(mode === 'shared' ? { sharedMac: SHARED_MAC } : {}),
    ...(mode === 'table' ? { mappings: { ipv4: 'table', ipv6: 'table' } } : {}),
    synthesize: mode === 'synthesize',
    hosts,
  };
}

export interface BedHost {
  name: string;
  /** Network namespace of the host's stack. */
  ns: string;
  ipv4: string;
  ipv6: string;
  /** Static link-local address (members), or null: the kernel makes one (non-member). */
  linkLocal: string | null;
  /** MAC of the host's interface (the cluster MAC for members). */
  mac: string;
  /** Its port on the bridge, in the switch namespace. */
  port: string;
}

/** The cluster layer's datapath: the TAP shim (user space) or the BPF programs on a veth (kernel). */
export type BedDatapath = 'shim' | 'kernel';
export const BED_DATAPATHS: readonly BedDatapath[] = ['shim', 'kernel'];

export interface BedOptions {
  mode: BedMode;
  /** Default 'shim'. */
  datapath?: BedDatapath;
  /** Shims relay unchanged; kernel: the programs are attached passing every frame (the negative control). */
  relay?: boolean;
  /** argv that starts the CLI (default: this package's bin/intracluster.js with this node). */
  intracluster?: readonly string[];
  /** Progress lines. */
  log?: (line: string) => void;
  /** One config per member instead of the shared one (e.g. heartbeats: each lists only itself). */
  configFor?: (member: BedHostPlan) => object;
  /** Extra arguments for member `name`'s shim (e.g. `--metrics 127.0.0.1:0`, `--log-format json`). */
  shimArgs?: (member: BedHostPlan) => string[];
  /**
   * The bed makes the TAPs itself, persistent ("ip tuntap add"), and the shims attach to them
   * instead of creating them (--create): the devices outlive a shim, so one can be killed and
   * started again on them (`killShim`, `startShimInNamespaces`).
   */
  persistentTaps?: boolean;
}

export interface PingResult {
  sent: number;
  received: number;
}

export interface NeighEntry {
  dst: string;
  lladdr: string | null;
  state: string[];
}

const NAME_RE = /^ic-(\d+)-[0-9a-f]{4}-(?:sw|m\d|out)$/;
/** The bed's temporary folder (config, captures, the kernel datapath's BPF filesystem): carries the creating pid. */
const DIR_PREFIX = 'intracluster-bed-';
const DIR_RE = new RegExp(`/${DIR_PREFIX}(\\d+)-[^/]+/bpf$`);
const SHIM_START_MS = 20_000;
const live = new Set<Bed>();
let hooked = false;

/** Whether this machine can run the live bed (root, network namespaces, TAP devices, addon, tools). */
export function canRunLive(): { ok: boolean; why: string } {
  if (process.platform !== 'linux')
    return { ok: false, why: `network namespaces and TAP devices are Linux-only (this is ${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return { ok: false, why: 'not root (network namespaces and TAP devices need root)' };
  for (const [tool, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['ping', ['-V'], 'iputils-ping'],
  ] as const) {
    const r = spawnSync(tool, args, { stdio: 'ignore' });
    if (r.error) return { ok: false, why: `${tool} not found (Debian package ${pkg}; scripts/setup installs it)` };
  }
  if (!existsSync('/dev/net/tun'))
    return { ok: false, why: '/dev/net/tun is missing (no TUN/TAP support in this kernel or container)' };
  const addon = tapAddonProblem();
  if (addon) return { ok: false, why: addon };
  // The only sure test for network namespaces: create one (and delete it at once).
  const probe = `ic-${process.pid}-${randomBytes(2).toString('hex')}-sw`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0)
    return { ok: false, why: `cannot create a network namespace: ${(r.stderr || '').trim() || `exit ${r.status}`}` };
  spawnSync('ip', ['netns', 'del', probe]);
  return { ok: true, why: 'root, network namespaces and TAP devices available' };
}

/** Package root (folder holding package.json) above this file, from src/ or dist/src/. */
function packageRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

/**
 * Deletes namespaces left by a bed whose process no longer exists (killed with SIGKILL, so its exit
 * hook never ran), with any process still inside them. Only names of the bed's own pattern.
 */
export async function cleanupStale(): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await listNamespaces()) {
    const m = NAME_RE.exec(ns);
    if (!m || pidAlive(+m[1])) continue;
    await killNamespacePids(ns);
    await run('ip', ['netns', 'del', ns]);
    removed.push(ns);
  }
  // BPF filesystems a killed kernel-datapath bed mounted in its folder
  for (const mnt of bpffsMounts()) {
    const m = DIR_RE.exec(mnt);
    if (!m || pidAlive(+m[1])) continue;
    await run('umount', ['-l', mnt]);
    rmSync(mnt.slice(0, -'/bpf'.length), { recursive: true, force: true });
    removed.push(mnt);
  }
  return removed;
}

/** Mount points of BPF filesystems in this mount namespace. */
function bpffsMounts(): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => / - bpf /.test(l))
      .map((l) => l.split(' ')[4]);
  } catch {
    return [];
  }
}

export async function listNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((x) => x.length > 0);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function killNamespacePids(ns: string): Promise<void> {
  const r = await run('ip', ['netns', 'pids', ns]);
  for (const p of r.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(+p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Sync cleanup of every live bed: on process exit and on fatal signals. */
function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const b of live) b.destroySync();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, function onSignal() {
      for (const b of live) b.destroySync();
      // Default action after our cleanup, unless someone else handles the signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

export class Bed {
  readonly id: string;
  readonly switchNs: string;
  readonly members: BedHost[];
  readonly nonMember: BedHost;
  readonly configPath: string;
  /** The shims' control sockets (`intracluster status --control-dir`): per bed, never /run. */
  readonly controlDir: string;
  /** Per member: its `intracluster shim` process, or its `intracluster attach` (kernel datapath). */
  readonly shims: Child[] = [];
  /** Counters the shims printed when they stopped (by member index; shim datapath). */
  readonly shimReports: (ShimReport | null)[] = [];
  /** Counters the attach processes printed when they stopped (by member index; kernel datapath). */
  readonly attachReports: (AttachReport | null)[] = [];
  readonly datapath: BedDatapath;
  /** Kernel datapath: the BPF filesystem the bed mounted (pins), and the attach processes' state files. */
  readonly bpffs: string;
  readonly runDir: string;
  private bpffsMounted = false;
  private readonly children: Child[] = [];
  private readonly namespaces: string[] = [];
  private readonly dir: string;
  private readonly log: (line: string) => void;
  private readonly intracluster: readonly string[];
  private destroyed = false;
  /** Shim datapath: the TAP names each shim created (stack and wire side). */
  private taps: { stack: string; wire: string }[] | null = null;

  private constructor(readonly options: BedOptions) {
    const rand = randomBytes(2).toString('hex');
    this.id = `ic-${process.pid}-${rand}`;
    this.log = options.log ?? (() => undefined);
    this.intracluster = options.intracluster ?? [process.execPath, join(packageRoot(), 'bin', 'intracluster.js')];
    this.switchNs = `${this.id}-sw`;
    this.members = MEMBERS.map((m, i) => ({
      name: m.name,
      ns: `${this.id}-m${i + 1}`,
      ipv4: m.ipv4,
      ipv6: m.ipv6,
      linkLocal: m.linkLocal,
      mac: CLUSTER_MAC,
      port: `p-m${i + 1}`,
    }));
    this.nonMember = {
      name: NON_MEMBER.name,
      ns: `${this.id}-out`,
      ipv4: NON_MEMBER.ipv4,
      ipv6: NON_MEMBER.ipv6,
      linkLocal: null,
      mac: NON_MEMBER.mac,
      port: 'p-out',
    };
    this.datapath = options.datapath ?? 'shim';
    this.dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    this.bpffs = join(this.dir, 'bpf');
    this.runDir = join(this.dir, 'run'); // with the control sockets (controlDir)
    this.configPath = join(this.dir, 'cluster.json');
    this.controlDir = join(this.dir, 'run');
    this.writeConfig(bedConfig(options.mode));
    if (options.configFor)
      for (const m of MEMBERS) this.writeConfig(options.configFor(m), this.memberConfigPath(m.name));
  }

  /** Builds the bed; on any failure everything built so far is torn down before the error is thrown. */
  static async create(options: BedOptions): Promise<Bed> {
    await cleanupStale();
    const bed = new Bed(options);
    live.add(bed);
    hookProcessExit();
    try {
      await bed.build();
      return bed;
    } catch (e) {
      await bed.destroy();
      throw e;
    }
  }

  get hosts(): BedHost[] {
    return [...this.members, this.nonMember];
  }

  /** The config file member `name`'s shim reads: its own with `configFor`, else the shared one. */
  memberConfigPath(name: string): string {
    return this.options.configFor ? join(this.dir, `cluster-${name}.json`) : this.configPath;
  }

  writeConfig(raw: object, path = this.configPath): void {
    writeFileSync(path, JSON.stringify(raw, null, 2) + '\n');
  }

  private async build(): Promise<void> {
    const { id } = this;
    const tapBase = `ic${id.slice(-4)}${randomBytes(1).toString('hex')}`; // root-namespace names, <= 15 chars
    this.log(`bed ${id}: namespaces`);
    for (const ns of [this.switchNs, ...this.hosts.map((h) => h.ns)]) {
      await must('ip', ['netns', 'add', ns]);
      this.namespaces.push(ns);
    }
    // Switch: no IPv6 of its own (its ports must not send anything), a plain flooding bridge.
    await this.sysctl(this.switchNs, { 'ipv6/conf/all/disable_ipv6': 1, 'ipv6/conf/default/disable_ipv6': 1 });
    await this.ipBatch(this.switchNs, [
      'link set lo up',
      'link add br0 type bridge mcast_snooping 0 stp_state 0',
      'link set br0 up',
    ]);
    // Hosts: members share one MAC, so EUI-64 link-locals would collide (docs/live.md): members get a
    // static link-local (below), others a random one; no DAD, no router solicitations. MLD report repeats within 10 ms
    // instead of 1 s: every frame a member sends from the cluster MAC moves the bridge's entry for
    // that MAC to the member's port, so start-up chatter would send a non-member's frames to the
    // wrong member for a second or two (a learning switch and a shared source MAC; see docs/live.md).
    for (const h of this.hosts) {
      await this.sysctl(h.ns, {
        'ipv6/conf/default/addr_gen_mode': 3,
        'ipv6/conf/default/accept_dad': 0,
        'ipv6/conf/default/accept_ra': 0,
        'ipv6/conf/default/router_solicitations': 0,
        'ipv6/conf/default/mldv2_unsolicited_report_interval': 10,
        'ipv6/conf/default/mldv1_unsolicited_report_interval': 10,
      });
    }

    if (this.datapath === 'kernel') await this.buildKernel();
    else await this.buildShims(tapBase);

    this.log(`bed ${id}: echo servers`);
    await Promise.all(
      this.hosts.map(async (h) => {
        const c = this.spawn(`echo server ${h.name}`, 'ip', [
          'netns',
          'exec',
          h.ns,
          process.execPath,
          '-e',
          ECHO_SERVER,
          String(ECHO_PORT),
        ]);
        await c.waitFor(/listening/, 15_000);
      }),
    );
  }

  /** Shim datapath: one shim per member creates two TAPs; stack side to the member, wire side to the bridge. */
  private async buildShims(tapBase: string): Promise<void> {
    this.log(`bed ${this.id}: ${this.options.relay ? 'relays (no cluster layer)' : `shims (${this.options.mode})`}`);
    const taps = this.members.map((_, i) => ({ stack: `${tapBase}s${i + 1}`, wire: `${tapBase}w${i + 1}` }));
    if (this.options.persistentTaps)
      await this.ipBatch(
        null,
        taps.flatMap((t) => [`tuntap add dev ${t.stack} mode tap`, `tuntap add dev ${t.wire} mode tap`]),
      );
    this.taps = taps;
    await Promise.all(
      this.members.map(async (m, i) => {
        const args = [
          ...this.intracluster.slice(1),
          'shim',
          '--stack',
          taps[i].stack,
          '--wire',
          taps[i].wire,
          '--json',
          '--exit-on-stdin-eof',
        ];
        args.push('--control-dir', this.controlDir, ...(this.options.shimArgs?.(MEMBERS[i]) ?? []));
        if (!this.options.persistentTaps) args.push('--create');
        if (this.options.relay) args.push('--relay');
        else args.push('--config', this.memberConfigPath(m.name), '--host', m.name);
        const c = this.spawn(`shim ${m.name}`, this.intracluster[0], args);
        this.shims[i] = c;
        await c.waitFor(/ready:/, SHIM_START_MS);
      }),
    );

    this.log(`bed ${this.id}: interfaces`);
    const root: string[] = [];
    this.members.forEach((m, i) =>
      root.push(`link set ${taps[i].stack} netns ${m.ns}`, `link set ${taps[i].wire} netns ${this.switchNs}`),
    );
    await this.ipBatch(null, root);
    const sw: string[] = [];
    this.members.forEach((m, i) =>
      sw.push(`link set ${taps[i].wire} name ${m.port}`, `link set ${m.port} master br0`, `link set ${m.port} up`),
    );
    sw.push(
      `link add ${this.nonMember.port} type veth peer name eth0 netns ${this.nonMember.ns}`,
      `link set ${this.nonMember.port} master br0`,
      `link set ${this.nonMember.port} up`,
    );
    await this.ipBatch(this.switchNs, sw);
    await this.configureHosts();
  }

  /**
   * Kernel datapath: each member on a plain veth (peer: its bridge port), configured like the shim
   * bed's stack side, then one `intracluster attach` per member in its namespace.
   */
  private async buildKernel(): Promise<void> {
    this.log(`bed ${this.id}: interfaces (veth, kernel datapath)`);
    const sw: string[] = [];
    for (const h of this.hosts)
      sw.push(
        `link add ${h.port} type veth peer name eth0 netns ${h.ns}`,
        `link set ${h.port} master br0`,
        `link set ${h.port} up`,
      );
    await this.ipBatch(this.switchNs, sw);
    await this.configureHosts();
    mkdirSync(this.bpffs, { recursive: true, mode: 0o700 });
    await must('mount', ['-t', 'bpf', 'bpf', this.bpffs]);
    this.bpffsMounted = true;
    this.log(`bed ${this.id}: attach (${this.options.relay ? 'programs passing every frame' : this.options.mode})`);
    await Promise.all(this.members.map((_, i) => this.startAttach(i)));
    // the members' first frames (MLD reports at link up) left before the programs were on eth0,
    // from the cluster MAC: a learning bridge would hold that MAC on the last sender's port for
    // its 300 s ageing, whatever masking does from now on. Forget it, as docs/config.md says an
    // operator does (with the programs on, no member teaches it again).
    for (const m of this.members)
      await run('ip', ['netns', 'exec', this.switchNs, 'bridge', 'fdb', 'del', CLUSTER_MAC, 'dev', m.port, 'master']);
  }

  /** Pin folder (on the bed's BPF filesystem) of member i. */
  pinDir(i: number): string {
    return join(this.bpffs, `m${i + 1}`);
  }

  /** argv (after `ip netns exec NS`) of member i's attach. */
  attachArgs(i: number, extra: readonly string[] = []): string[] {
    const m = this.members[i];
    const args = [
      ...this.intracluster,
      'attach',
      '--dev',
      'eth0',
      '--pin-dir',
      this.pinDir(i),
      '--run-dir',
      this.runDir,
      '--json',
      '--exit-on-stdin-eof',
    ];
    args.push('--control-dir', this.controlDir, ...(this.options.shimArgs?.(MEMBERS[i]) ?? []));
    if (this.options.relay) args.push('--pass-all');
    else args.push('--config', this.memberConfigPath(m.name), '--host', m.name);
    return [...args, ...extra];
  }

  /**
   * Starts member i's `intracluster attach` under `ip netns exec` (replacing `shims[i]`) and waits for
   * its ready line. Used at build and to restart a member's control plane.
   */
  async startAttach(i: number, extra: readonly string[] = []): Promise<Child> {
    const c = this.spawn(`attach ${this.members[i].name}`, 'ip', [
      'netns',
      'exec',
      this.members[i].ns,
      ...this.attachArgs(i, extra),
    ]);
    this.shims[i] = c;
    await c.waitFor(/ready:/, SHIM_START_MS);
    return c;
  }

  /** Runs `intracluster detach` (or another CLI command) in member i's namespace. */
  async cliIn(i: number, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.members[i].ns, ...this.intracluster, ...args], timeoutMs);
  }

  private async configureHosts(): Promise<void> {
    const taps = this.taps;
    for (const [i, h] of this.hosts.entries()) {
      const rename = taps && i < this.members.length ? [`link set ${taps[i].stack} name eth0`] : [];
      await this.ipBatch(h.ns, [
        'link set lo up',
        ...rename,
        `link set eth0 address ${h.mac} addrgenmode ${h.linkLocal ? 'none' : 'random'}`,
        ...(h.linkLocal ? [`addr add ${h.linkLocal}/64 dev eth0 nodad`] : []),
        `addr add ${h.ipv4}/${PREFIX_LEN.ipv4} dev eth0`,
        `addr add ${h.ipv6}/${PREFIX_LEN.ipv6} dev eth0 nodad`,
        'link set eth0 up',
      ]);
    }
  }

  /** Kills member i's shim with SIGKILL (no cleanup of its own runs) and waits until it is gone. */
  async killShim(i: number): Promise<void> {
    const s = this.shims[i];
    s.proc.kill('SIGKILL');
    await s.exited;
  }

  /**
   * Starts member i's shim again on the devices already in place, as an operator would: the stack
   * TAP (eth0) named in the member's namespace, the wire TAP (its bridge port) in the switch's
   * (--stack-netns, --wire-netns, no --create). Resolves with the ready line once it is attached.
   */
  async startShimInNamespaces(i: number): Promise<string> {
    const m = this.members[i];
    const args = [
      ...this.intracluster.slice(1),
      'shim',
      '--stack',
      'eth0',
      '--stack-netns',
      m.ns,
      '--wire',
      m.port,
      '--wire-netns',
      this.switchNs,
      '--json',
      '--exit-on-stdin-eof',
    ];
    args.push('--control-dir', this.controlDir, ...(this.options.shimArgs?.(MEMBERS[i]) ?? []));
    if (this.options.relay) args.push('--relay');
    else args.push('--config', this.memberConfigPath(m.name), '--host', m.name);
    const c = this.spawn(`shim ${m.name} (restarted)`, this.intracluster[0], args);
    this.shims[i] = c;
    return (await c.waitFor(/ready:[^\n]*/, SHIM_START_MS))[0];
  }

  private spawn(label: string, cmd: string, args: readonly string[]): Child {
    if (this.destroyed) throw new Error(`bed ${this.id} is destroyed`);
    const c = new Child(label, cmd, args);
    this.children.push(c);
    return c;
  }

  private async ipBatch(ns: string | null, lines: readonly string[]): Promise<void> {
    await must('ip', [...(ns ? ['-n', ns] : []), '-batch', '-'], 10_000, lines.join('\n') + '\n');
  }

  private async sysctl(ns: string, values: Record<string, number>): Promise<void> {
    const script = Object.entries(values)
      .map(([k, v]) => `echo ${v} > /proc/sys/net/${k}`)
      .join(' && ');
    await must('ip', ['netns', 'exec', ns, 'sh', '-c', script]);
  }

  /** `ping -c count` from host `from` to `to` (IPv4 or IPv6): packets sent and received. */
  async ping(from: BedHost, to: string, count = 3): Promise<PingResult> {
    const r = await run(
      'ip',
      ['netns', 'exec', from.ns, 'ping', '-n', '-q', '-c', String(count), '-i', '0.2', '-W', '1', to],
      5_000 + count * 1_500,
    );
    const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
    if (!m) throw new Error(`ping from ${from.name} to ${to}: no summary (exit ${r.code}): ${r.stderr.trim()}`);
    return { sent: +m[1], received: +m[2] };
  }

  /** TCP echo from host `from` to `to`: `bytes` random bytes each way, compared byte for byte. */
  async echo(from: BedHost, to: string, bytes: number, timeoutMs = 8_000): Promise<EchoResult> {
    const r = await run(
      'ip',
      [
        'netns',
        'exec',
        from.ns,
        process.execPath,
        '-e',
        ECHO_CLIENT,
        to,
        String(ECHO_PORT),
        String(bytes),
        String(timeoutMs),
      ],
      timeoutMs + 10_000,
    );
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as EchoResult;
    } catch {
      return {
        ok: false,
        sent: bytes,
        received: 0,
        error: `echo client: exit ${r.code}${r.timedOut ? ' (killed: too slow)' : ''}: ${r.stderr.trim()}`,
      };
    }
  }

  /** Host `h`'s neighbour table on eth0. */
  async neigh(h: BedHost): Promise<NeighEntry[]> {
    const out = await must('ip', ['-j', '-n', h.ns, 'neigh', 'show', 'dev', 'eth0']);
    const rows = JSON.parse(out || '[]') as { dst: string; lladdr?: string; state?: string[] }[];
    return rows.map((r) => ({ dst: r.dst, lladdr: r.lladdr ?? null, state: r.state ?? [] }));
  }

  /** Forgets host `h`'s neighbour entries (all, or those for `to`), so the next packet resolves afresh. */
  async flushNeigh(h: BedHost, to?: string): Promise<void> {
    await must('ip', ['-n', h.ns, 'neigh', 'flush', 'dev', 'eth0', ...(to ? ['to', to] : [])]);
  }

  /** Starts tcpdump on a bridge port (`direction` as seen by the bridge port: out = towards the host). */
  async capture(port: string, direction: 'in' | 'out' | 'inout' = 'inout'): Promise<Capture> {
    const file = join(this.dir, `${port}-${direction}-${this.children.length}.pcap`);
    // -Z root: tcpdump would drop to user tcpdump and could not write the bed's (root-only) folder.
    // --immediate-mode: frames reach tcpdump at once, not when a ring-buffer block fills or times out.
    const c = this.spawn(`tcpdump ${port}`, 'ip', [
      'netns',
      'exec',
      this.switchNs,
      'tcpdump',
      '-n',
      '-U',
      '--immediate-mode',
      '-Z',
      'root',
      '-Q',
      direction,
      '-i',
      port,
      '-w',
      file,
    ]);
    await c.waitFor(/listening on/, 15_000);
    return new Capture(c, file, port);
  }

  /** Sends SIGHUP to every shim and waits for each one's reload line. */
  async reloadShims(): Promise<string[]> {
    return Promise.all(
      this.shims.map(async (s) => {
        const from = s.stdout.length + s.stderr.length + 1;
        s.proc.kill('SIGHUP');
        const m = await s.waitFor(/(reloaded|reload failed)[^\n]*/, 10_000, from);
        return m[0];
      }),
    );
  }

  /** Stops the shims (their counters land in `shimReports`). */
  async stopShims(): Promise<void> {
    await Promise.all(
      this.shims.map(async (s, i) => {
        await s.stop('SIGTERM', 5_000);
        const line = s.stdout.trim().split('\n').pop() ?? '';
        let report: unknown = null;
        try {
          report = JSON.parse(line);
        } catch {
          /* null below */
        }
        if (this.datapath === 'kernel') this.attachReports[i] = report as AttachReport | null;
        else this.shimReports[i] = report as ShimReport | null;
      }),
    );
  }

  /** Tears everything down: shims, other children, namespaces, temporary files. Never throws. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    try {
      await this.stopShims();
    } catch {
      /* below: killed anyway */
    }
    this.destroyed = true;
    await Promise.all(this.children.map((c) => c.stop('SIGTERM', 3_000).catch(() => undefined)));
    for (const ns of this.namespaces) {
      await killNamespacePids(ns);
      await run('ip', ['netns', 'del', ns]);
    }
    // the namespaces' interfaces (and the programs on them) are gone; the pins go with the mount
    if (this.bpffsMounted) await run('umount', ['-l', this.bpffs]);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
    this.log(`bed ${this.id}: torn down`);
  }

  /** Last resort at process exit: synchronous, best effort. */
  destroySync(): void {
    this.destroyed = true;
    for (const c of this.children) c.killNow();
    for (const ns of this.namespaces) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
      for (const p of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(+p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      spawnSync('ip', ['netns', 'del', ns]);
    }
    if (this.bpffsMounted) spawnSync('umount', ['-l', this.bpffs]);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

/** A running tcpdump on one bridge port. */
export class Capture {
  constructor(
    private readonly child: Child,
    readonly file: string,
    readonly port: string,
  ) {}

  /** Stops tcpdump (SIGINT flushes the file) and returns the pcap path. */
  async stop(): Promise<string> {
    // Frames already queued to tcpdump's socket are lost on SIGINT: give it a moment to drain them.
    await new Promise((r) => setTimeout(r, 250));
    await this.child.stop('SIGINT', 5_000);
    return this.file;
  }
}
