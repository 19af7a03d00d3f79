import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { UsageError } from '../errors';
import { Engine } from '../engine';
import { CaptureError, CaptureReader, MAX_CAPTURED_LENGTH } from '../pcap/reader';
import { LINKTYPE_ETHERNET, pcapHeader } from '../pcap/writer';
import { Direction, VERDICT_NAMES, Verdict, directionName, parseDirection } from '../verdict';
import { CliError, Command, fileProblem, parseCommandArgs, required } from './command';
import { REQUIRE_HELP, engineFromArgs, factoryFromArgs, requireOption } from './engine-from-args';
import { reasonLines } from './stats';

export const rewriteCommand: Command = {
  name: 'rewrite',
  summary: "run one host's cluster layer over a pcap/pcapng file, write a pcap",
  help: `Usage: intracluster rewrite --config FILE --host NAME --direction inbound|outbound [--json] [--require MODULE] IN OUT

Feeds every frame of IN through the cluster layer of host NAME, in one direction, and writes the
frames it forwards to OUT, then prints the counts by verdict and by reason.

  IN    pcap (either byte order, microsecond or nanosecond timestamps) or pcapng file; Ethernet only
  OUT   classic pcap file (opens in Wireshark, tshark, tcpdump); replaced if it exists

Passed and rewritten frames keep their timestamps (OUT has nanosecond timestamps when IN's are finer
than a microsecond). Dropped frames are not written. Reply frames (the response synthesizer's
answers, handed back to the local stack) are not written either: they are counted in the summary.
A truncated or corrupt IN stops with an error naming the byte offset of the bad record, exit 1,
and OUT is left untouched.

  --config FILE       cluster config (JSON, see docs/config.md)
  --host NAME         the member whose layer this is
  --direction DIR     inbound (wire to stack) or outbound (stack to wire)
  --json              print the summary as JSON
${REQUIRE_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'rewrite',
      argv,
      {
        config: { type: 'string' },
        host: { type: 'string' },
        direction: { type: 'string' },
        json: { type: 'boolean' },
        ...requireOption,
      },
      2,
    );
    const dirText = required('rewrite', values, 'direction');
    const direction = parseDirection(dirText);
    if (direction === undefined)
      throw new UsageError(
        `rewrite: --direction must be "inbound" or "outbound", got "${dirText}" (see: intracluster rewrite --help)`,
      );
    const engine = engineFromArgs(
      required('rewrite', values, 'config'),
      required('rewrite', values, 'host'),
      await factoryFromArgs(values),
    );
    const [input, output] = positionals;
    const summary = rewriteCapture(engine, direction, input, output);
    if (values.json) {
      io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    } else {
      const w = (n: number) => String(n).padStart(String(summary.frames).length);
      const lines = [
        `${input} (${summary.format}) -> ${output} (pcap): host ${engine.hostName}, ${directionName(direction)}`,
        `  frames read  ${w(summary.frames)}`,
        `  pass         ${w(summary.byVerdict.pass)}`,
        `  rewrite      ${w(summary.byVerdict.rewrite)}`,
        `  drop         ${w(summary.byVerdict.drop)}  (not written)`,
        `  reply        ${w(summary.byVerdict.reply)}  (replies go back to the local stack: not written)`,
        `  written      ${w(summary.written)}`,
      ];
      const reasons = reasonLines(engine);
      if (reasons.length) lines.push('by reason:', ...reasons);
      io.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  },
};

/** Whether any packet of a capture has a timestamp finer than a microsecond (its interface's resolution). */
function anySubMicrosecond(path: string): boolean {
  const r = CaptureReader.open(path);
  try {
    for (let rec = r.next(); rec; rec = r.next()) if (rec.subMicrosecond) return true;
    return false;
  } finally {
    r.close();
  }
}

export interface RewriteSummary {
  input: string;
  format: string;
  output: string;
  host: string;
  direction: 'inbound' | 'outbound';
  frames: number;
  written: number;
  byVerdict: Record<string, number>;
  byReason: { verdict: string; reason: string; reasonId: string; count: number }[];
}

const OUT_BUFFER = 1 << 20;
const PCAP_MAGIC_NSEC = 0xa1b23c4d;

/**
 * Rewrites IN into OUT through `engine`. OUT is written to a temporary file next to it and renamed
 * at the end, so a failure leaves no half-written OUT (and IN may be OUT).
 */
export function rewriteCapture(engine: Engine, direction: Direction, input: string, output: string): RewriteSummary {
  let reader: CaptureReader;
  try {
    reader = CaptureReader.open(input);
  } catch (e) {
    if (e instanceof CaptureError) throw new CliError(`${input}: ${e.message}`);
    throw new CliError(`cannot read ${input}: ${fileProblem(e)}`);
  }
  const temp = `${output}.partial-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch (e) {
    reader.close();
    throw new CliError(`cannot write ${output}: ${fileProblem(e)}`);
  }

  const frame = Buffer.alloc(MAX_CAPTURED_LENGTH);
  const out = Buffer.allocUnsafe(OUT_BUFFER);
  let pos = 0;
  // One precision for the whole output, fine enough for every input frame: a pcapng file may mix
  // interfaces of different if_tsresol, so a first pass looks at every packet's interface.
  let nsec: boolean | undefined;
  let headed = false;
  let frames = 0;
  let written = 0;
  const flush = () => {
    for (let o = 0; o < pos; ) o += writeSync(fd, out, o, pos - o);
    pos = 0;
  };
  const header = () => {
    headed = true;
    const h = pcapHeader(LINKTYPE_ETHERNET, MAX_CAPTURED_LENGTH);
    if (nsec) h.writeUInt32LE(PCAP_MAGIC_NSEC, 0);
    h.copy(out, 0);
    pos = h.length;
  };

  try {
    if (reader.format === 'pcapng') nsec = anySubMicrosecond(input);
    for (let rec = reader.next(); rec; rec = reader.next()) {
      frames++;
      const len = rec.frame.length;
      frame.set(rec.frame);
      const v = engine.process(frame, direction, len);
      if (v !== Verdict.Pass && v !== Verdict.Rewrite) continue;
      if (!headed) {
        nsec ??= rec.subMicrosecond;
        header();
      }
      if (pos + 16 + len > out.length) flush();
      const sec = Math.min(Math.max(rec.seconds, 0), 0xffffffff);
      out.writeUInt32LE(sec, pos);
      out.writeUInt32LE(nsec ? rec.nanoseconds : Math.floor(rec.nanoseconds / 1000), pos + 4);
      out.writeUInt32LE(len, pos + 8);
      out.writeUInt32LE(Math.max(rec.originalLength, len), pos + 12);
      frame.copy(out, pos + 16, 0, len);
      pos += 16 + len;
      written++;
    }
    if (!headed) header(); // no frame written: an empty but valid pcap
    flush();
    closeSync(fd);
    fd = -1;
    renameSync(temp, output);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    if (e instanceof CaptureError) throw new CliError(`${input}: ${e.message}`);
    const err = e as NodeJS.ErrnoException;
    if (err?.syscall) throw new CliError(`cannot write ${output}: ${fileProblem(e)}`);
    throw e;
  } finally {
    reader.close();
  }

  const s = engine.stats();
  const byVerdict: Record<string, number> = {};
  for (const n of VERDICT_NAMES) byVerdict[n] = s.byVerdict[n] ?? 0;
  return {
    input,
    format: reader.format,
    output,
    host: engine.hostName,
    direction: directionName(direction),
    frames,
    written,
    byVerdict,
    byReason: s.byReason,
  };
}
