import { ConfigError, FrameError, UsageError } from '../errors';
import { CliError, Command, CliIo } from './command';
import { macCommand } from './mac';
import { processCommand } from './process';
import { rewriteCommand } from './rewrite';

/**
 * A command whose module loads only when it runs or prints its help: `process`, started once per
 * stack (and once per vector by `intracluster golden --via`), does not pay for the live test bed,
 * the TAP addon or the golden runner.
 */
function lazy(name: string, summary: string, load: () => Command): Command {
  let cmd: Command | undefined;
  const get = (): Command => (cmd ??= load());
  return {
    name,
    summary,
    get help() {
      return get().help;
    },
    run: (argv, io) => get().run(argv, io),
  };
}

/** Every subcommand. A new command is one file in src/cli plus one entry here. */
export const commands: readonly Command[] = [
  processCommand,
  rewriteCommand,
  macCommand,
  lazy(
    'demo',
    'show the problem and the fix: live on real kernels when possible, else in-process',
    () => (require('./demo') as typeof import('./demo')).demoCommand,
  ),
  lazy(
    'shim',
    "run one host's cluster layer live between two TAP devices (Linux, root)",
    () => (require('./shim') as typeof import('./shim')).shimCommand,
  ),
  lazy(
    'status',
    'ask a running shim or attach what it believes, and check the neighbour table against it',
    () => (require('./status') as typeof import('./status')).statusCommand,
  ),
  lazy(
    'golden',
    'run golden vectors against the engine or any command speaking the process contract',
    () => (require('./golden') as typeof import('./golden')).goldenCommand,
  ),
  lazy(
    'attach',
    "run one host's cluster layer in the kernel on its own interface (tc eBPF; Linux, root)",
    () => (require('./attach') as typeof import('./attach')).attachCommand,
  ),
  lazy(
    'detach',
    'remove a kernel datapath left running by "attach --keep" (or a killed attach)',
    () => (require('./attach') as typeof import('./attach')).detachCommand,
  ),
];

const USAGE = () => `Usage: intracluster COMMAND [options]

Point-to-point traffic between members of a unicast-mode cluster (see README.md).

Commands:
${commands.map((c) => `  ${c.name.padEnd(10)}${c.summary}`).join('\n')}

Run "intracluster COMMAND --help" for a command's options.`;

/** Runs the CLI; resolves to the exit code. User mistakes print one line on stderr, never a stack. */
export async function main(
  argv: string[],
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  // A reader that went away (`intracluster demo | head -1`) is not an error: no stack trace. Any
  // other write error (a full disk, `> /dev/full`) is one line, however many writes fail, and exit 1.
  let stdoutFailed = false;
  io.stdout.on?.('error', (e: NodeJS.ErrnoException) => {
    if (stdoutFailed || e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    stdoutFailed = true;
    io.stderr.write(`intracluster: writing stdout: ${e.message}\n`);
    if (io.stdout === process.stdout) process.exitCode = 1; // also when it fails after the command returned
  });
  const code = await dispatch(argv, io);
  if (code === 0) await new Promise((r) => setImmediate(r)); // let a failed last write report itself
  return stdoutFailed && code === 0 ? 1 : code;
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(
      `intracluster: missing command (commands: ${commands.map((c) => c.name).join(', ')}; see: intracluster --help)\n`,
    );
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE() + '\n');
    return 0;
  }
  if (name === '--version') {
    io.stdout.write(require('../../../package.json').version + '\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`intracluster: unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(cmd.help + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`intracluster ${e.message}\n`);
      return 2;
    }
    if (e instanceof ConfigError || e instanceof FrameError || e instanceof CliError) {
      io.stderr.write(`intracluster ${name}: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && err.syscall) {
      io.stderr.write(`intracluster ${name}: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(
      `intracluster ${name}: internal error: ${err?.message ?? String(e)}${process.env.INTRACLUSTER_DEBUG ? '\n' + err?.stack : ' (set INTRACLUSTER_DEBUG=1 for details)'}\n`,
    );
    return 70;
  }
}
