import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** statfs f_type of a BPF filesystem (include/uapi/linux/magic.h). */
export const BPF_FS_MAGIC = 0xcafe4a11;
export const DEFAULT_BPFFS = '/sys/fs/bpf';
export const DEFAULT_PIN_DIR = `${DEFAULT_BPFFS}/intracluster`;

/** Whether `path` (or, if it does not exist yet, its nearest existing parent) is on a BPF filesystem. */
export function onBpffs(path: string): boolean {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    return Number(statfsSync(p).type) >>> 0 === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Whether /sys of this process was mounted by `ip netns exec` (it unshares the mount namespace and
 * mounts a sysfs named after the network namespace over /sys): a bpffs mounted on /sys/fs/bpf here
 * lives only as long as that private mount namespace, that is, as long as this process.
 */
export function sysIsPrivate(): boolean {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
      const [pre, post] = line.split(' - ');
      if (!post) continue;
      const f = pre.split(' ');
      const [fstype, source] = post.split(' ');
      if (f[4] === '/sys' && fstype === 'sysfs') return source !== 'sysfs' && source !== 'none';
    }
  } catch {
    /* no /proc: not Linux, handled elsewhere */
  }
  return false;
}

export interface PinBase {
  /** The folder the datapath's objects are pinned in (created). */
  dir: string;
  /** False when the pins vanish with this process (a bpffs this process mounted in a private mount namespace). */
  persistent: boolean;
  /** One line for the log when something was done or is worth knowing; empty otherwise. */
  note: string;
}

/**
 * Makes `dir` usable for pins. The default (/sys/fs/bpf/intracluster): when /sys/fs/bpf holds no
 * BPF filesystem, one is mounted there, as tc and bpftool do. An explicit `--pin-dir` must already
 * be on one (an Error with one line otherwise: nothing is mounted over a folder the user named).
 */
export function preparePinBase(dir: string, explicit: boolean): PinBase {
  const abs = resolve(dir);
  let note = '';
  let persistent = true;
  if (!onBpffs(abs)) {
    if (explicit && !abs.startsWith(DEFAULT_BPFFS + '/'))
      throw Object.assign(
        new Error(`--pin-dir ${abs}: not on a BPF filesystem (mount one first: mount -t bpf bpf ${abs})`),
        { code: 'ENOTBPFFS', syscall: 'statfs' },
      );
    const r = spawnSync('mount', ['-t', 'bpf', 'bpf', DEFAULT_BPFFS], { encoding: 'utf8' });
    if (r.error || r.status !== 0 || !onBpffs(abs))
      throw Object.assign(
        new Error(
          `cannot mount a BPF filesystem on ${DEFAULT_BPFFS}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`,
        ),
        { code: 'ENOTBPFFS', syscall: 'mount' },
      );
    persistent = !sysIsPrivate();
    note = persistent
      ? `mounted a BPF filesystem on ${DEFAULT_BPFFS}`
      : `mounted a BPF filesystem on ${DEFAULT_BPFFS} in this private mount namespace (ip netns exec remounts /sys): pins vanish when this process exits; the attached programs do not`;
  }
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  return { dir: abs, persistent, note };
}
