import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The libbpf addon (native/bpf.c -> build/native/bpf.node, built by `npm ci`) and the BPF object of
 * the kernel datapath (src/engine.bpf.c -> build/bpf/intracluster.bpf.o). libbpf through an addon,
 * not a tool per call: `bpftool batch` manages about 15,000 map updates per second (100,000 members
 * took 13 s), while each bpf(2) call through libbpf is one syscall, and the test harness runs one
 * BPF_PROG_TEST_RUN per frame.
 *
 * Every addon call that fails throws one Error naming the call, the object and the errno text
 * (`err.code` the errno name, `err.errno` the negative errno).
 */
export interface BpfAddon {
  open(path: string, pinRoot?: string | null): number;
  close(handle: number): void;
  programFd(handle: number, name: string): number;
  mapFd(handle: number, name: string): number;
  programNames(handle: number): string[];
  mapNames(handle: number): string[];
  mapCreate(
    type: number,
    keySize: number,
    valueSize: number,
    maxEntries: number,
    flags?: number,
    innerFd?: number,
    name?: string,
  ): number;
  mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags?: number): void;
  mapLookup(fd: number, key: Uint8Array, valueOut: Uint8Array): boolean;
  mapDelete(fd: number, key: Uint8Array): boolean;
  mapNextKey(fd: number, key: Uint8Array | null, next: Uint8Array): boolean;
  mapUpdateBatch(fd: number, keys: Uint8Array, values: Uint8Array, count: number, flags?: number): number;
  mapLookupBatch(fd: number, keys: Uint8Array, values: Uint8Array, max: number): number;
  mapDeleteBatch(fd: number, keys: Uint8Array, count: number): number;
  mapInfo(fd: number): MapInfo;
  progInfo(fd: number): ProgInfo;
  closeFd(fd: number): void;
  testRun(
    progFd: number,
    data: Uint8Array,
    dataLen: number,
    dataOut: Uint8Array,
    ctxIn: Uint8Array | null,
    ctxOut: Uint8Array | null,
    repeat: number,
    result: Uint32Array,
  ): number;
  testRunBatch(records: Uint8Array, count: number, out: Uint8Array): number;
  tcHookCreate(ifindex: number, attachPoint: number): boolean;
  tcHookDestroy(ifindex: number, attachPoint: number): void;
  tcAttach(
    ifindex: number,
    attachPoint: number,
    progFd: number,
    handle: number,
    priority: number,
    replace: boolean,
  ): TcFilter;
  tcDetach(ifindex: number, attachPoint: number, handle: number, priority: number): void;
  tcQuery(ifindex: number, attachPoint: number, handle: number, priority: number): number;
  pin(fd: number, path: string): void;
  unpin(path: string): void;
  objGet(path: string): number;
  /** An fd of the map with this id (an inner map, from the entry of its outer map). */
  mapFdById(id: number): number;
  ifIndex(name: string): number;
  addMulticast(ifname: string, mac: Uint8Array): void;
  delMulticast(ifname: string, mac: Uint8Array): void;
  lastLog(): string;
  readonly libbpfVersion: string;
}

export interface MapInfo {
  id: number;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}
export interface ProgInfo {
  id: number;
  type: number;
  name: string;
  tag: string;
}
export interface TcFilter {
  handle: number;
  priority: number;
  progId: number;
}

/** tc clsact attach points (libbpf's BPF_TC_INGRESS, BPF_TC_EGRESS). */
export const TcPoint = { Ingress: 1, Egress: 2, Both: 3 } as const;
export type TcPoint = (typeof TcPoint)[keyof typeof TcPoint];

/** Map types and flags used here (linux/bpf.h). */
export const MapType = { Hash: 1, Array: 2, ProgArray: 3, PercpuArray: 6, ArrayOfMaps: 12, HashOfMaps: 13 } as const;
export const MapFlag = { NoPrealloc: 1, InnerMap: 1 << 12 } as const;
/** bpf(2) update flags. */
export const UpdateFlag = { Any: 0, NoExist: 1, Exist: 2 } as const;

/** tc return codes (linux/pkt_cls.h) the programs give. */
export const TcAction = { Unspec: -1, Ok: 0, Shot: 2, Redirect: 7 } as const;

/** The package root: the nearest folder above this file holding package.json (works from src/ and dist/src/). */
export function packageRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) return __dirname;
    d = up;
  }
  return d;
}

export const ADDON_FILE = join(packageRoot(), 'build', 'native', 'bpf.node');
export const OBJECT_FILE = join(packageRoot(), 'build', 'bpf', 'intracluster.bpf.o');
export const REASONS_FILE = join(packageRoot(), 'build', 'bpf', 'reasons.json');

let addon: BpfAddon | undefined;
let problem = '';

/** The addon, loaded once; undefined when it is not built (`kernelDatapathProblem` says why). */
export function loadBpfAddon(): BpfAddon | undefined {
  if (addon || problem) return addon;
  if (!existsSync(ADDON_FILE)) {
    problem = `the libbpf addon is not built (${ADDON_FILE} is missing): install libbpf-dev, then run "node native/build.js bpf"`;
    return undefined;
  }
  try {
    addon = require(ADDON_FILE) as BpfAddon;
  } catch (e) {
    problem = `the libbpf addon ${ADDON_FILE} does not load: ${(e as Error).message.split('\n')[0]}`;
  }
  return addon;
}

/** The addon or one clear Error saying what is missing. */
export function bpfAddon(): BpfAddon {
  const a = loadBpfAddon();
  if (!a) throw new Error(`kernel datapath unavailable: ${problem}`);
  return a;
}

/**
 * Why the kernel datapath cannot run here, in one line, or '' when it can: the addon, the BPF
 * object, the kernel (bpf_loop needs 5.17) and the privilege to load programs.
 */
export function kernelDatapathProblem(): string {
  if (!loadBpfAddon()) return problem;
  if (!existsSync(OBJECT_FILE))
    return `the BPF programs are not built (${OBJECT_FILE} is missing): install clang, llvm and libbpf-dev, then run "node native/build-bpf.js"`;
  const release = kernelRelease();
  const [maj, min] = release.split('.').map((x) => parseInt(x, 10));
  if (!(maj > 5 || (maj === 5 && min >= 17)))
    return `kernel ${release} is older than 5.17 (the programs need bpf_loop)`;
  return '';
}

function kernelRelease(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return '0.0';
  }
}

/** An open BPF object (bpf_object): its programs and maps by name. Close it to release them. */
export class BpfObject {
  private closed = false;
  private constructor(
    readonly lib: BpfAddon,
    readonly handle: number,
    readonly path: string,
  ) {}

  /** Opens and loads `path` (the kernel datapath's object by default). `pinRoot`: libbpf's pin_root_path. */
  static open(path: string = OBJECT_FILE, pinRoot?: string): BpfObject {
    const lib = bpfAddon();
    return new BpfObject(lib, lib.open(path, pinRoot ?? null), path);
  }

  programFd(name: string): number {
    return this.lib.programFd(this.handle, name);
  }
  mapFd(name: string): number {
    return this.lib.mapFd(this.handle, name);
  }
  map(name: string): BpfMap {
    return BpfMap.fromFd(this.lib, this.mapFd(name), false);
  }
  get programNames(): string[] {
    return this.lib.programNames(this.handle);
  }
  get mapNames(): string[] {
    return this.lib.mapNames(this.handle);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lib.close(this.handle);
  }
}

/** One map by fd, with its key and value sizes. `owned` maps close their fd on `close()`. */
export class BpfMap {
  private constructor(
    readonly lib: BpfAddon,
    readonly fd: number,
    readonly info: MapInfo,
    private readonly owned: boolean,
  ) {}

  static fromFd(lib: BpfAddon, fd: number, owned: boolean): BpfMap {
    return new BpfMap(lib, fd, lib.mapInfo(fd), owned);
  }

  /** A new map (an inner map of a map-in-map, say); closed with `close()`. */
  static create(
    type: number,
    keySize: number,
    valueSize: number,
    maxEntries: number,
    flags = 0,
    name?: string,
    innerFd?: number,
  ): BpfMap {
    const lib = bpfAddon();
    return BpfMap.fromFd(lib, lib.mapCreate(type, keySize, valueSize, maxEntries, flags, innerFd ?? -1, name), true);
  }

  get keySize(): number {
    return this.info.keySize;
  }
  get valueSize(): number {
    return this.info.valueSize;
  }
  set(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.Any): void {
    this.lib.mapUpdate(this.fd, key, value, flags);
  }
  /** Reads into `out` (valueSize bytes; per-CPU maps: one 8-byte-aligned value per possible CPU); false when absent. */
  get(key: Uint8Array, out: Uint8Array): boolean {
    return this.lib.mapLookup(this.fd, key, out);
  }
  delete(key: Uint8Array): boolean {
    return this.lib.mapDelete(this.fd, key);
  }
  /** Updates `count` records: keys and values concatenated. */
  setBatch(keys: Uint8Array, values: Uint8Array, count: number, flags: number = UpdateFlag.Any): number {
    return this.lib.mapUpdateBatch(this.fd, keys, values, count, flags);
  }
  deleteBatch(keys: Uint8Array, count: number): number {
    return this.lib.mapDeleteBatch(this.fd, keys, count);
  }
  /** Every key (allocates; control plane only). */
  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let k: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.keySize);
      if (!this.lib.mapNextKey(this.fd, k, next)) return out;
      out.push(next);
      k = next;
    }
  }
  /** Deletes every key of a hash map. */
  clear(): void {
    const keys = this.keys();
    if (keys.length === 0) return;
    const all = new Uint8Array(keys.length * this.keySize);
    keys.forEach((k, i) => all.set(k, i * this.keySize));
    this.deleteBatch(all, keys.length);
  }
  pin(path: string): void {
    this.lib.pin(this.fd, path);
  }
  close(): void {
    if (this.owned) this.lib.closeFd(this.fd);
  }
}

/** A u32 key or value, little-endian (host order on the machines this runs on). */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
