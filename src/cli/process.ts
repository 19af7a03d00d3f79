import { UsageError } from '../errors';
import { BinaryProcessor } from './binary';
import type { ProcessEngine } from './batched-output';
import { CliError, Command, CliIo, parseCommandArgs, required } from './command';
import { loadConfigFile } from '../config';
import { REQUIRE_HELP, engineFromArgs, factoryFromArgs, requireOption } from './engine-from-args';
import { MAX_FRAME_BYTES, MAX_LINE_BYTES, NdjsonProcessor } from './ndjson';
import { formatStats } from './stats';

export const processCommand: Command = {
  name: 'process',
  summary: "run one host's cluster layer over NDJSON frames on stdin/stdout",
  help: `Usage: intracluster process --config FILE --host NAME [--format ndjson|binary] [--datapath engine|kernel] [--stats] [--require MODULE]

Runs the cluster layer of host NAME as a filter: one JSON object per input line, one result line
per input line, in the same order, written as input arrives (a stack in any language plugs in
over a pipe).

Input (stdin), one per line:
  {"direction":"inbound"|"outbound","frame":"<hex of the Ethernet frame, no FCS>"}
  inbound = wire to this host's stack, outbound = this host's stack to the wire.

Output (stdout), one per input line:
  {"verdict":"pass","frame":"<hex>","reason":"...","reasonId":"..."}     forward the frame unchanged
  {"verdict":"rewrite","frame":"<hex>","reason":"...","reasonId":"..."}  forward the rewritten frame
  {"verdict":"reply","reply":"<hex>","reason":"...","reasonId":"..."}    hand this frame back to the local stack
  {"verdict":"drop","reason":"...","reasonId":"..."}                     do not forward
  {"verdict":"error","reason":"..."}                    the input line was bad; processing goes on
  reasonId is the reason's stable id (docs/rules.md), reason its text.

An error line answers: a line that is not JSON or not an object, a missing "direction" or "frame",
an unknown direction, hex that is odd-length or has a non-hex digit, a frame over ${MAX_FRAME_BYTES} bytes,
an empty line, a line over ${MAX_LINE_BYTES} bytes. Exit 0 at end of input; a closed stdout ends it
quietly. See docs/cli.md.

  --config FILE   cluster config (JSON, see docs/config.md)
  --host NAME     the member whose layer this is
  --format binary length-prefixed records instead of NDJSON (big-endian; see docs/performance.md):
                  in:  direction u8 (0 in, 1 out), 0 u8, length u16, frame
                  out: verdict u8 (0 pass, 1 rewrite, 2 drop, 3 reply, 4 error), 0 u8, reason u16,
                       length u16, frame / reply / nothing / error text; a type 5 record
                       (5, id length n, reason, length, id then text) defines each reason number
                       before its first use
  --datapath kernel  decide each frame with the kernel datapath's BPF programs (BPF_PROG_TEST_RUN,
                  each VLAN tag where the live kernel puts it; needs root and the programs built,
                  see docs/kernel-datapath.md) instead of the TypeScript engine (engine, the
                  default); --require then adds mappings only (the programs are the built-in adapters)
  --stats         at the end, print frame counts by verdict and reason on stderr
${REQUIRE_HELP}`,
  async run(argv, io) {
    const { values } = parseCommandArgs('process', argv, {
      config: { type: 'string' },
      host: { type: 'string' },
      stats: { type: 'boolean' },
      format: { type: 'string' },
      datapath: { type: 'string' },
      ...requireOption,
    });
    const format = values.format ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'binary')
      throw new UsageError(
        `process: --format must be "ndjson" or "binary", got "${format}" (see: intracluster process --help)`,
      );
    const datapath = values.datapath ?? 'engine';
    if (datapath !== 'engine' && datapath !== 'kernel')
      throw new UsageError(
        `process: --datapath must be "engine" or "kernel", got "${datapath}" (see: intracluster process --help)`,
      );
    if (datapath === 'engine') {
      const engine = engineFromArgs(
        required('process', values, 'config'),
        required('process', values, 'host'),
        await factoryFromArgs(values),
      );
      return runProcess(engine, io, values.stats === true, format);
    }
    const cluster = (await factoryFromArgs(values, { adapters: false })).buildCluster(
      loadConfigFile(required('process', values, 'config')),
    );
    const host = required('process', values, 'host');
    // loaded lazily: only this datapath needs the libbpf addon
    const { KernelDatapath } = await import('../datapath/kernel');
    let kernel: ReturnType<typeof KernelDatapath.open>;
    try {
      kernel = KernelDatapath.open();
    } catch (e) {
      throw new CliError(`--datapath kernel: ${(e as Error).message}`);
    }
    try {
      return await runProcess(kernel.create(cluster, host), io, values.stats === true, format);
    } finally {
      kernel.close();
    }
  },
};

/**
 * Streams stdin through the engine to stdout. Each input chunk is answered and flushed before the
 * next is read, so output follows input without waiting for EOF; when stdout pushes back, stdin is
 * paused until it drains.
 */
export function runProcess(
  engine: ProcessEngine,
  io: CliIo,
  stats: boolean,
  format: 'ndjson' | 'binary' = 'ndjson',
): Promise<number> {
  const { stdin, stdout, stderr } = io;
  return new Promise((resolve) => {
    let finished = false;
    let waiting = false;
    const emit = (batch: Buffer) => stdout.write(batch);
    const proc = format === 'binary' ? new BinaryProcessor(engine, emit) : new NdjsonProcessor(engine, emit);

    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onInputError);
      stdout.removeListener('drain', onDrain);
      if (stats) stderr.write(formatStats('process', engine, proc.counters, format === 'binary' ? 'records' : 'lines'));
      resolve(code);
    };
    const onData = (chunk: Buffer | string) => {
      if (finished) return;
      proc.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (!proc.flush() && !waiting) {
        waiting = true;
        stdin.pause();
        stdout.once('drain', onDrain);
      }
    };
    const onDrain = () => {
      waiting = false;
      if (!finished) stdin.resume();
    };
    const onEnd = () => {
      proc.end();
      proc.flush();
      finish(0);
    };
    const onInputError = (e: Error) => {
      stderr.write(`intracluster process: reading stdin: ${e.message}\n`);
      finish(1);
    };
    // A reader that went away (`| head -1`): stop quietly, no stack trace.
    const onOutputError = (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED')
        stderr.write(`intracluster process: writing stdout: ${e.message}\n`);
      stdin.pause();
      (stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      finish(e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' ? 0 : 1);
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onInputError);
    stdout.on('error', onOutputError);
    stdin.resume();
  });
}
