/**
 * Logs of a running layer (`shim`, `attach`): one line per event, text (the default) or JSON (one
 * object per line: time, level, event, message, fields), and a bound on the number of lines per
 * second whatever happens on the wire or in signals: every event is rate-limited, not only drops.
 *
 * Limits (fixed one-second windows of the logger's clock): at most `perEvent` lines of one event and
 * at most `perSecond` lines in all per window. Lines over a limit are counted, and one summary line
 * (event `suppressed`, with the count per event) follows in a later window, so nothing disappears
 * without a trace. A window therefore never holds more than `perSecond` lines, summaries included.
 */
import { UsageError } from '../errors';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null>;

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface LoggerOptions {
  format?: LogFormat;
  /** Text form: put before every line, e.g. `intracluster shim host1: `. */
  prefix?: string;
  /** Fields added to every JSON line (e.g. the host name). */
  context?: LogFields;
  /** Writes one whole line (with its newline). */
  write: (line: string) => void;
  /** Milliseconds since 1970 (tests inject a clock). */
  now?: () => number;
  /** Lines of one event per window (default 5). */
  perEvent?: number;
  /** Lines of all events per window, the summary included (default 20). */
  perSecond?: number;
  /** Schedules the summary after a flood stops (default: an unref'd setTimeout; tests pass their own). */
  schedule?: (ms: number, fn: () => void) => { cancel(): void };
}

export interface LogRecord {
  time: string;
  level: LogLevel;
  event: string;
  message: string;
  fields: LogFields;
}

const WINDOW_MS = 1000;

export class Logger {
  readonly format: LogFormat;
  private readonly now: () => number;
  private readonly perEvent: number;
  private readonly perSecond: number;
  private window = -1;
  private inWindow = 0;
  private readonly byEvent = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  private pending: { cancel(): void } | null = null;
  /** Lines written and suppressed since the start (for tests and metrics). */
  written = 0;
  dropped = 0;

  constructor(private readonly options: LoggerOptions) {
    this.format = options.format ?? 'text';
    this.now = options.now ?? Date.now;
    this.perEvent = Math.max(1, options.perEvent ?? 5);
    this.perSecond = Math.max(2, options.perSecond ?? 20);
  }

  info(event: string, message: string, fields: LogFields = {}): void {
    this.log('info', event, message, fields);
  }
  warn(event: string, message: string, fields: LogFields = {}): void {
    this.log('warn', event, message, fields);
  }
  error(event: string, message: string, fields: LogFields = {}): void {
    this.log('error', event, message, fields);
  }

  /** One event, subject to the limits. */
  log(level: LogLevel, event: string, message: string, fields: LogFields = {}): void {
    const t = this.now();
    this.roll(t);
    const n = this.byEvent.get(event) ?? 0;
    // one slot of each window stays free for the summary
    if (n >= this.perEvent || this.inWindow >= this.perSecond - 1) {
      this.suppressed.set(event, (this.suppressed.get(event) ?? 0) + 1);
      this.dropped++;
      this.arm();
      return;
    }
    this.byEvent.set(event, n + 1);
    this.emit(t, level, event, message, fields);
  }

  /**
   * A line in the form the layer's components log (`log(line)` callbacks): its event and fields are
   * read from the line (see `classifyLine`), then it is logged like any event.
   */
  line(text: string): void {
    const c = classifyLine(text);
    this.log(c.level, c.event, text, c.fields);
  }

  /** Writes the summary of suppressed lines now, if any (at exit). Not rate-limited: call it once. */
  flush(): void {
    this.pending?.cancel();
    this.pending = null;
    if (this.suppressed.size === 0) return;
    const t = this.now();
    this.roll(t);
    this.summary(t);
  }

  private roll(t: number): void {
    const w = Math.floor(t / WINDOW_MS);
    if (w === this.window) return;
    this.window = w;
    this.inWindow = 0;
    this.byEvent.clear();
    if (this.suppressed.size > 0) this.summary(t);
  }

  private summary(t: number): void {
    const fields: LogFields = {};
    let total = 0;
    for (const [e, n] of this.suppressed) {
      fields[e] = n;
      total += n;
    }
    this.suppressed.clear();
    const list = Object.entries(fields)
      .map(([e, n]) => `${e} ${n}`)
      .join(', ');
    this.emit(t, 'warn', 'suppressed', `log: ${total} lines suppressed by the rate limit (${list})`, {
      total,
      ...fields,
    });
  }

  private arm(): void {
    if (this.pending) return;
    const wait = (this.window + 1) * WINDOW_MS - this.now() + 1;
    const schedule =
      this.options.schedule ??
      ((ms: number, fn: () => void) => {
        const h = setTimeout(fn, ms);
        h.unref?.();
        return { cancel: () => clearTimeout(h) };
      });
    this.pending = schedule(Math.max(1, wait), () => {
      this.pending = null;
      this.roll(this.now());
      // fired late, within the window it was meant to end: try again at that window's end
      if (this.suppressed.size > 0) this.arm();
    });
  }

  private emit(t: number, level: LogLevel, event: string, message: string, fields: LogFields): void {
    this.inWindow++;
    this.written++;
    if (this.format === 'json') {
      const rec: LogRecord = {
        time: new Date(t).toISOString(),
        level,
        event,
        message,
        fields: { ...this.options.context, ...fields },
      };
      this.options.write(JSON.stringify(rec) + '\n');
    } else {
      this.options.write(`${this.options.prefix ?? ''}${message}\n`);
    }
  }
}

/** Parses `--log-format`; undefined is the default (text). */
export function parseLogFormat(value: unknown, cmd: string): LogFormat {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`${cmd}: --log-format must be "text" or "json", got "${String(value)}"`);
}

const LINE_EVENTS: readonly [RegExp, LogLevel, string][] = [
  [/^ready:/, 'info', 'ready'],
  [/^reloaded /, 'info', 'reload'],
  [/^reload failed/, 'warn', 'reload-failed'],
  [/^reload:/, 'info', 'reload'],
  [/^stopping:/, 'error', 'stopping'],
  [/^internal error/, 'error', 'internal-error'],
  [/^control:/, 'info', 'control'],
  [/^metrics:/, 'info', 'metrics'],
  [/^membership: (join|change|leave) /, 'info', 'membership-$1'],
  [/^membership: refused /, 'warn', 'membership-refused'],
  [/^membership: dropped heartbeat/, 'warn', 'heartbeat-dropped'],
  [/^membership: heartbeats on the wire/, 'info', 'heartbeat-sending'],
  [/^membership: cannot send/, 'warn', 'heartbeat-send-failed'],
  [/^membership: /, 'info', 'membership'],
];

/**
 * The event, level and fields of a component's log line: the event from the line's start (e.g.
 * `membership: join ...` is `membership-join`; anything unknown is `message`), the fields from its
 * `key=value` words (numbers as numbers).
 */
export function classifyLine(text: string): { level: LogLevel; event: string; fields: LogFields } {
  let level: LogLevel = 'info';
  let event = 'message';
  for (const [re, l, e] of LINE_EVENTS) {
    const m = re.exec(text);
    if (m) {
      level = l;
      event = e.replace('$1', m[1] ?? '');
      break;
    }
  }
  const fields: LogFields = {};
  for (const m of text.matchAll(/(?:^|\s)([a-z][a-z0-9-]*)=([^\s;()]+)/g)) {
    // "key=value: text": the colon ends the value, unless the value has colons of its own (IPv6)
    let v = m[2].endsWith(',') ? m[2].slice(0, -1) : m[2];
    if (v.endsWith(':') && v.indexOf(':') === v.length - 1) v = v.slice(0, -1);
    fields[m[1]] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return { level, event, fields };
}
