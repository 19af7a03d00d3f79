import { availableParallelism } from 'node:os';
import { UsageError } from '../errors';
import { GoldenResult, runGoldenVector, withGoldenFailures } from '../testing/runner';
import { runGoldenVectorsVia } from '../testing/pipe';
import { TsharkError, tsharkCheck } from '../testing/tshark';
import { GOLDEN_DIR } from '../testing/golden-dir';
import { GoldenVector, GoldenVectorError, loadGoldenVectors } from '../testing/vector';
import { CliError, Command, parseCommandArgs } from './command';
import { REQUIRE_HELP, factoryFromArgs, requireOption } from './engine-from-args';

export const goldenCommand: Command = {
  name: 'golden',
  summary: 'run golden vectors against the engine or any command speaking the process contract',
  help: `Usage: intracluster golden [DIR...] [--via COMMAND [--format ndjson|binary]] [--tshark] [--require MODULE]

Runs every golden vector under each DIR (default: the vectors shipped with the package) and checks
verdict, bytes and reason (docs/golden-vectors.md). Prints each failure with a hex dump of expected
and actual bytes, the differing bytes marked, then one line "N passed, N failed". Exit 0 only when
every vector passed.

Without --via the vectors run against the in-process engine (built-in adapters and mappings plus
those of --require). With --via, against an implementation in any language: for each vector the
runner starts
    COMMAND --config FILE --host NAME [--format binary]
through /bin/sh, exactly as "intracluster process" takes them, writes the vector's "before" frames
and then its input to the command's stdin in the process format, closes stdin, and judges the
command's last answer. One process per vector, so no state crosses vectors.

  --via COMMAND       the implementation to test (e.g. "intracluster process", "python3 client.py")
  --format FORMAT     ndjson (default) or binary: the format spoken with the --via command
  --tshark            also read every frame (input, and the output or reply produced) with tshark:
                      the fields each vector claims must read back; no malformed packets
  --ignore-reason     do not compare reason ids (implementations with reasons of their own)
  --jobs N            vectors run at a time with --via (default: the number of CPUs)
  --verbose           print one line per vector, not only the failures
${REQUIRE_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'golden',
      argv,
      {
        via: { type: 'string' },
        format: { type: 'string' },
        tshark: { type: 'boolean' },
        'ignore-reason': { type: 'boolean' },
        jobs: { type: 'string' },
        verbose: { type: 'boolean' },
        ...requireOption,
      },
      -1,
    );
    const format = (values.format as string | undefined) ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'binary')
      throw new UsageError(
        `golden: --format must be "ndjson" or "binary", got "${format}" (see: intracluster golden --help)`,
      );
    if (values.format !== undefined && values.via === undefined)
      throw new UsageError(
        'golden: --format is the format spoken with a --via command; give --via too (see: intracluster golden --help)',
      );
    const via = values.via as string | undefined;
    if (via !== undefined && via.trim() === '')
      throw new UsageError('golden: --via needs a command (see: intracluster golden --help)');
    const jobsText = values.jobs as string | undefined;
    const jobs = jobsText === undefined ? availableParallelism() : Number(jobsText);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256)
      throw new UsageError(`golden: --jobs must be a whole number from 1 to 256, got "${jobsText}"`);
    const options = { checkReason: values['ignore-reason'] !== true };

    const dirs = positionals.length > 0 ? positionals : [GOLDEN_DIR];
    const vectors: GoldenVector[] = [];
    for (const d of dirs) {
      try {
        vectors.push(...loadGoldenVectors(d));
      } catch (e) {
        if (e instanceof GoldenVectorError) throw new CliError(e.message);
        throw e;
      }
    }
    if (vectors.length === 0) throw new CliError(`no golden vectors under ${dirs.join(', ')}`);

    let results: GoldenResult[];
    if (via !== undefined) {
      results = await runGoldenVectorsVia(vectors, { ...options, command: via, format, jobs });
    } else {
      const factory = await factoryFromArgs(values);
      results = vectors.map((v) => runGoldenVector(v, factory, options));
    }
    if (values.tshark) {
      let found: Map<number, string[]>;
      try {
        found = tsharkCheck(results);
      } catch (e) {
        if (e instanceof TsharkError) throw new CliError(`--tshark: ${e.message}`);
        throw e;
      }
      results = results.map((r, i) => withGoldenFailures(r, found.get(i) ?? []));
    }

    const failed = results.filter((r) => !r.passed);
    const out: string[] = [];
    if (values.verbose) for (const r of results) out.push(`${r.passed ? 'ok  ' : 'FAIL'} ${r.vector.file}`);
    for (const r of failed) out.push(r.message, '');
    out.push(`${results.length - failed.length} passed, ${failed.length} failed`);
    io.stdout.write(out.join('\n') + '\n');
    return failed.length === 0 ? 0 : 1;
  },
};
