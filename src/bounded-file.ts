import { Stats, closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './errors';

/** Largest config file read (a config of 100,000 members with two addresses each is about 10 MiB). */
export const CONFIG_FILE_LIMIT = 64 * 1024 * 1024;
/** Largest cluster key file read (a key is 16 bytes or more; `openssl rand -hex 32` writes 65). */
export const KEY_FILE_LIMIT = 4096;

/** What a non-regular file is, in words. */
function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function problem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ELOOP: 'too many symbolic links',
    ENOTDIR: 'a parent is not a directory',
  };
  return (code && words[code]) || code || String(e);
}

/**
 * Reads a whole regular file of at most `limit` bytes, never blocking: the file is opened with
 * O_NONBLOCK (a FIFO without a writer opens at once instead of waiting for one) and checked with
 * fstat before a byte is read, so a FIFO, a device (/dev/zero), a directory or a socket is refused
 * with one line, and so is a file larger than `limit` or one that grows past it while read.
 * ConfigError(key, ...) for every failure; `what` names the file's role ("the config", "the key file").
 */
export function readRegularFile(
  path: string,
  limit: number,
  key: string,
  what: string,
): { bytes: Buffer; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new ConfigError(key, `cannot read ${path}: ${problem(e)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new ConfigError(
        key,
        `${path} is ${kind(stat)}: ${what} must be a regular file (at most ${limitText(limit)})`,
      );
    if (stat.size > limit)
      throw new ConfigError(key, `${path} is ${stat.size} bytes: ${what} may be at most ${limitText(limit)}`);
    // one byte more than the size: a file that grows meanwhile is seen, and never read past the limit
    const buf = Buffer.allocUnsafe(stat.size + 1);
    let n = 0;
    for (;;) {
      let r: number;
      try {
        r = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        throw new ConfigError(key, `cannot read ${path}: ${problem(e)}`);
      }
      if (r === 0) break;
      n += r;
      if (n > stat.size)
        throw new ConfigError(key, `${path} grew while it was read (being written?): try again once it is complete`);
    }
    return { bytes: buf.subarray(0, n), stat };
  } finally {
    closeSync(fd);
  }
}

function limitText(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} bytes`;
}
