import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors';

/** One `intracluster` subcommand. `run` resolves to the exit code. */
export interface Command {
  readonly name: string;
  /** One line for `intracluster --help`. */
  readonly summary: string;
  /** Full text for `intracluster NAME --help`. */
  readonly help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A user-facing failure of a command (unreadable file, corrupt input): one line on stderr, exit 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Why a file operation failed, in words (ENOENT -> "no such file"). */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
  };
  return (code && words[code]) || (e as Error)?.message || String(e);
}

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a subcommand's arguments; any mistake becomes a UsageError naming the command (printed as one
 * line by main, exit 2). `--help` is handled by main before this.
 */
export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** `positionals`: how many file arguments are required (0: none allowed; -1: any number). */
export function parseCommandArgs(cmd: string, argv: string[], options: Options, positionals = 0): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: positionals !== 0, strict: true });
  } catch (e) {
    throw new UsageError(
      `${cmd}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (see: intracluster ${cmd} --help)`,
    );
  }
  if (parsed.positionals.length !== positionals && positionals > 0)
    throw new UsageError(
      `${cmd}: expected ${positionals} file argument(s), got ${parsed.positionals.length} (see: intracluster ${cmd} --help)`,
    );
  return parsed;
}

/** A required string option, or a UsageError. */
export function required(cmd: string, values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0)
    throw new UsageError(`${cmd}: --${name} is required (see: intracluster ${cmd} --help)`);
  return v;
}
