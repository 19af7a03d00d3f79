import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineResult, MEMBER_COUNTS, SCENARIOS, runAllocation, runEngineSuite } from './engine-suite';
import { InProcessResult, runInProcessSuite } from './inprocess-suite';
import { KernelPathResult, runKernelSuite } from './kernel-suite';
import { LIVE_PATHS, LivePath, LiveResult, runLiveSuite } from './live-suite';
import { Format, ProcessResult, runProcessSuite } from './process-suite';
import { Spread, si } from './stats';

/**
 * `npm run bench`: the benchmark (docs/performance.md). Prints a table and writes the same figures to
 * bench/results.json. Every figure is the median of at least 5 runs after warm-up, with min and max.
 *
 *   npm run bench -- --only engine,process   parts: engine, alloc, inprocess, process, kernel, live
 *   npm run bench -- --runs 9 --seconds 0.3  more runs, longer runs
 *   npm run bench -- --out /tmp/r.json       somewhere else than bench/results.json
 *   npm run bench -- --only live --live-profile /tmp/prof   CPU profiles of the shims (node --cpu-prof)
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const PARTS = ['engine', 'alloc', 'inprocess', 'process', 'kernel', 'live'];

const TARGETS: Record<string, number> = {
  'pass-through': 20e6,
  'data-rewrite': 10e6,
  'arp-request': 10e6,
  'arp-reply': 10e6,
  'ns-rewrite': 5e6,
  'na-rewrite': 5e6,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string', default: '7' },
      seconds: { type: 'string', default: '0.15' },
      members: { type: 'string' },
      'process-frames': { type: 'string', default: '500000' },
      'alloc-frames': { type: 'string', default: '50000000' },
      'live-seconds': { type: 'string', default: '3' },
      'kernel-repeat': { type: 'string', default: '200000' },
      'live-profile': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const parts = values.only ? values.only.split(',') : PARTS;
  for (const p of parts)
    if (!PARTS.includes(p)) throw new Error(`--only: unknown part "${p}" (parts: ${PARTS.join(', ')})`);
  const runs = Math.max(5, Number(values.runs));
  const seconds = Number(values.seconds);
  const members = values.members ? values.members.split(',').map(Number) : MEMBER_COUNTS;
  const log = (s: string) => process.stderr.write(`  ${s}\n`);

  const machine = {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    commit: gitCommit(),
    date: new Date().toISOString(),
    loadAverageBefore: loadavg().map((x) => +x.toFixed(2)),
    loadAverageAfter: [] as number[],
    /** 1-minute load average as each part started (the bench itself counts for about 1). */
    loadAtStartOf: {} as Record<string, number>,
  };
  /** True when `name` is to run; notes the load as it starts. */
  const part = (name: string): boolean => {
    if (!parts.includes(name)) return false;
    machine.loadAtStartOf[name] = +loadavg()[0].toFixed(2);
    return true;
  };
  process.stderr.write(
    `intracluster bench: node ${machine.node}, ${machine.cores} x ${machine.cpu}, load ${machine.loadAverageBefore.join(' ')}\n`,
  );
  if (machine.loadAverageBefore[0] > 0.5)
    process.stderr.write(
      `  note: the machine is busy (load ${machine.loadAverageBefore[0]}); wall-clock figures will be low, CPU-time figures are steadier\n`,
    );

  const results: {
    machine: typeof machine;
    runsPerFigure: number;
    engine?: EngineResult[];
    allocation?: ReturnType<typeof runAllocation> & { members: number };
    inProcess?: InProcessResult[];
    process?: ProcessResult[];
    kernel?: KernelPathResult[] | { unavailable: string };
    live?: LiveResult;
  } = { machine, runsPerFigure: runs };

  const frames = Number(values['process-frames']);
  if (part('engine')) results.engine = runEngineSuite({ runs, seconds, members, log });
  if (part('alloc')) {
    const m = Math.max(...members);
    log(`alloc: ${Number(values['alloc-frames']).toExponential(0)} frames of the mix, ${m} members`);
    results.allocation = { members: m, ...runAllocation(Number(values['alloc-frames']), m) };
  }
  if (part('inprocess')) results.inProcess = runInProcessSuite({ runs, frames, log });
  if (part('process'))
    results.process = await runProcessSuite({ runs, frames, formats: ['ndjson', 'binary'] as Format[], log });
  if (part('kernel')) results.kernel = runKernelSuite({ runs, repeat: Number(values['kernel-repeat']), seconds, log });
  if (part('live'))
    results.live = await runLiveSuite({
      runs,
      seconds: Number(values['live-seconds']),
      profileDir: values['live-profile'],
      log,
    });
  machine.loadAverageAfter = loadavg().map((x) => +x.toFixed(2));

  const out = values.out ?? join(ROOT, 'bench', 'results.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  const loads = Object.entries(machine.loadAtStartOf)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  process.stdout.write(
    report(results) +
      `\nload average (1 min) at the start of each part: ${loads}; after ${machine.loadAverageAfter[0]}; figures written to ${out}\n`,
  );
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

const fmt = (s: Spread, f: (n: number) => string) => `${f(s.median).padStart(9)} [${f(s.min)} .. ${f(s.max)}]`;
const ns = (n: number) => n.toFixed(1);

function report(r: {
  engine?: EngineResult[];
  allocation?: { members: number; frames: number; bytesPerFrame: number; gcs: number };
  inProcess?: InProcessResult[];
  process?: ProcessResult[];
  kernel?: KernelPathResult[] | { unavailable: string };
  live?: LiveResult;
}): string {
  const lines: string[] = [];
  if (r.engine) {
    lines.push(
      '',
      'Engine (one core, minimum-size frames): frames/s, median [min .. max] of the runs; ns/frame; CPU ns/frame; B/frame',
    );
    for (const s of SCENARIOS) {
      lines.push(`  ${s.title}${TARGETS[s.id] ? ` (target ${si(TARGETS[s.id])}/s)` : ''}`);
      const rows = r.engine.filter((e) => e.scenario === s.id);
      const base = rows[0];
      for (const e of rows) {
        const label =
          `${String(e.members).padStart(6)} members${e.peers < e.members - 1 ? `, ${e.peers} peers` : ''}`.padEnd(24);
        const ratio =
          e !== base ? `  x${(e.nsPerFrame.median / base.nsPerFrame.median).toFixed(2)} vs ${base.members}` : '';
        lines.push(
          `    ${label}${fmt(e.framesPerSecond, si)}/s  ${ns(e.nsPerFrame.median).padStart(6)} ns  cpu ${ns(e.cpuNsPerFrame.median).padStart(6)} ns  ${e.bytesPerFrame.toFixed(4)} B${ratio}`,
        );
      }
    }
  }
  if (r.allocation) {
    const a = r.allocation;
    lines.push(
      '',
      `Allocation: ${a.frames.toExponential(2)} frames of the mix (${a.members} members): ${a.bytesPerFrame.toFixed(6)} bytes/frame, ${a.gcs} garbage collections`,
    );
  }
  if (r.inProcess) {
    lines.push('', 'Processors in-process (no pipe, no syscalls): frames/s');
    for (const p of r.inProcess)
      lines.push(
        `  ${p.format.padEnd(7)} ${fmt(p.framesPerSecond, si)}/s  ${p.bytesPerFrame.toFixed(4)} B/frame on the heap (answers batched in 256 KiB buffers)`,
      );
  }
  if (r.process) {
    lines.push('', 'intracluster process over a pipe, end to end, realistic mix: frames/s (target 500 k/s for NDJSON)');
    for (const p of r.process)
      lines.push(
        `  ${p.format.padEnd(7)} ${fmt(p.framesPerSecond, si)}/s  ${p.inputMBps.median.toFixed(0)} MB/s in, child CPU ${p.childCpuShare.median.toFixed(2)} cores`,
      );
  }
  if (r.kernel) {
    lines.push(
      '',
      'Kernel datapath, BPF programs through BPF_PROG_TEST_RUN (3 members): net ns/frame = program + restore - restore alone, median [min .. max]; the engine on the same frame',
    );
    if ('unavailable' in r.kernel) lines.push(`  not measured: ${r.kernel.unavailable}`);
    else
      for (const k of r.kernel)
        lines.push(
          `  ${k.title.padEnd(66)} ${fmt(k.netNs, ns)} ns (target ${k.target}${k.netNs.median <= k.target ? ', met' : ', NOT met'}; harness ${ns(k.harnessNs.median)})  engine ${ns(k.engineNs.median)} ns`,
        );
  }
  if (r.live) {
    lines.push('', 'Live, host1 -> host2 in network namespaces (iperf3; paths measured in turn)');
    if (r.live.status !== 'measured') lines.push(`  not measured: ${r.live.reason}`);
    else {
      const names: Record<LivePath, string> = {
        bridge: 'bridge alone',
        pass: 'programs attached, passing',
        kernel: 'kernel datapath (3 members)',
        shim: 'TAP shims (3 members)',
      };
      for (const p of LIVE_PATHS) {
        const t = r.live.tcp?.[p];
        const u = r.live.udp?.[p];
        if (t && u)
          lines.push(
            `  ${names[p].padEnd(30)} TCP ${fmt(t, (n) => n.toFixed(0))} Mbit/s   UDP 64 B ${fmt(u, (n) => si(n))} packets/s`,
          );
        else if (r.live.skipped?.[p]) lines.push(`  ${names[p].padEnd(30)} not measured: ${r.live.skipped[p]}`);
      }
      lines.push(
        `  ratios (medians): ${Object.entries(r.live.ratios ?? {})
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(', ')}`,
      );
      lines.push(`  (${r.live.tool}, ${r.live.seconds} s per run; shim CPU ${r.live.shimCpu!.join(', ')} cores)`);
    }
  }

  return lines.join('\n');
}

main().catch((e) => {
  process.stderr.write(`intracluster bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
