import { Logger, classifyLine, parseLogFormat } from '../../src/ops/log';

/** A logger on a fake clock; `lines` collects what it writes, with the clock time of each. */
function fakeLogger(format: 'text' | 'json' = 'text') {
  let t = 1_700_000_000_000;
  const lines: { t: number; line: string }[] = [];
  let pending: (() => void) | null = null;
  const logger = new Logger({
    format,
    prefix: 'p: ',
    context: { host: 'host1' },
    write: (line) => lines.push({ t, line }),
    now: () => t,
    schedule: (_ms, fn) => {
      pending = fn;
      return { cancel: () => (pending = null) };
    },
  });
  return {
    logger,
    lines,
    advance(ms: number) {
      t += ms;
    },
    fire() {
      const f = pending;
      pending = null;
      f?.();
    },
    get now() {
      return t;
    },
  };
}

/** Lines per aligned second of the clock. */
function perSecond(lines: { t: number }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of lines) m.set(Math.floor(l.t / 1000), (m.get(Math.floor(l.t / 1000)) ?? 0) + 1);
  return m;
}

describe('ops logger', () => {
  test('text is the default form: the prefix and the line, unchanged', () => {
    const f = fakeLogger();
    f.logger.line('ready: stack a <-> wire b');
    expect(f.lines.map((l) => l.line)).toEqual(['p: ready: stack a <-> wire b\n']);
    expect(parseLogFormat(undefined, 'shim')).toBe('text');
    expect(() => parseLogFormat('xml', 'shim')).toThrow('shim: --log-format must be "text" or "json", got "xml"');
  });

  test('json: one object per line with time, level, event, message and fields', () => {
    const f = fakeLogger('json');
    f.logger.line('membership: join host2 host-id=77 addresses=198.18.0.12,fd00::12 t=123');
    f.logger.line('reload failed, keeping the previous config (mode dedicated): config: hosts: bad');
    const recs = f.lines.map((l) => JSON.parse(l.line));
    expect(f.lines.every((l) => l.line.endsWith('\n') && l.line.indexOf('\n') === l.line.length - 1)).toBe(true);
    expect(recs[0]).toEqual({
      time: new Date(f.now).toISOString(),
      level: 'info',
      event: 'membership-join',
      message: 'membership: join host2 host-id=77 addresses=198.18.0.12,fd00::12 t=123',
      fields: { host: 'host1', 'host-id': 77, addresses: '198.18.0.12,fd00::12', t: 123 },
    });
    expect(recs[1]).toMatchObject({ level: 'warn', event: 'reload-failed' });
  });

  test('classifyLine: events of every line the shim and membership write', () => {
    expect(classifyLine('stopping: wire side x: interface gone')).toMatchObject({ level: 'error', event: 'stopping' });
    expect(classifyLine('membership: dropped heartbeat #10 of reason replayed host-id=5: x')).toMatchObject({
      level: 'warn',
      event: 'heartbeat-dropped',
      fields: { 'host-id': 5 },
    });
    expect(
      classifyLine('membership: leave host3 host-id=9 addresses=a reason=timeout silent-ms=1500 t=1'),
    ).toMatchObject({
      event: 'membership-leave',
      fields: { reason: 'timeout', 'silent-ms': 1500 },
    });
    expect(classifyLine('something new')).toMatchObject({ level: 'info', event: 'message', fields: {} });
  });

  test('a flood of one event: at most 5 lines of it per second, then one summary with the count', () => {
    const f = fakeLogger();
    for (let i = 0; i < 100_000; i++) {
      f.logger.line(`reloaded /etc/x.json: mode dedicated, 3 members (${i})`);
      if (i % 1000 === 999) f.advance(100); // 100,000 lines over 10 s
    }
    f.fire();
    f.advance(1000);
    f.fire();
    const counts = perSecond(f.lines);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(6); // 5 of the event + the summary
    const summaries = f.lines.filter((l) => l.line.includes('lines suppressed by the rate limit'));
    const suppressed = summaries.reduce((n, l) => n + Number(/(\d+) lines suppressed/.exec(l.line)![1]), 0);
    const shown = f.lines.length - summaries.length;
    expect(shown + suppressed).toBe(100_000); // nothing lost without a trace
    expect(f.logger.written).toBe(f.lines.length);
    expect(shown).toBeLessThanOrEqual(5 * 11);
  });

  test('a flood of many different events: at most 20 lines per second in all, summaries included', () => {
    const f = fakeLogger('json');
    const events = [
      'reloaded x',
      'reload failed y',
      'membership: join a',
      'membership: leave a',
      'membership: refused a',
      'internal error z',
      'stopping: q',
      'other',
    ];
    for (let i = 0; i < 50_000; i++) {
      f.logger.line(`${events[i % events.length]} ${i}`);
      if (i % 500 === 499) f.advance(37);
    }
    f.logger.flush();
    const counts = perSecond(f.lines);
    expect(counts.size).toBeGreaterThan(3);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(20);
    const recs = f.lines.map((l) => JSON.parse(l.line));
    const suppressed = recs.filter((r) => r.event === 'suppressed').reduce((n, r) => n + r.fields.total, 0);
    expect(recs.filter((r) => r.event !== 'suppressed').length + suppressed).toBe(50_000);
  });

  test('after a flood stops, the summary still comes (scheduled), and quiet logging is not limited', () => {
    const f = fakeLogger();
    for (let i = 0; i < 30; i++) f.logger.line('membership: refused h host-id=1: collision');
    expect(f.lines).toHaveLength(5);
    f.advance(1000);
    f.fire();
    expect(f.lines).toHaveLength(6);
    expect(f.lines[5].line).toBe('p: log: 25 lines suppressed by the rate limit (membership-refused 25)\n');
    for (let i = 0; i < 4; i++) {
      f.advance(1000);
      f.logger.line(`reloaded ${i}`);
    }
    expect(f.lines).toHaveLength(10);
  });
});

test('a summary timer that fires late, inside the window it was meant to end, re-arms', () => {
  const f = fakeLogger();
  for (let i = 0; i < 8; i++) f.logger.line('reloaded a'); // window 0: 5 shown, 3 suppressed, timer armed
  f.advance(1000);
  for (let i = 0; i < 8; i++) f.logger.line('reloaded b'); // window 1: the summary of window 0, 5 shown, 3 suppressed
  f.fire(); // the timer armed in window 0 fires only now, still in window 1
  f.advance(1000);
  f.fire(); // re-armed: the summary of window 1 comes without any further line
  const summaries = f.lines.filter((l) => l.line.includes('suppressed'));
  expect(summaries.map((l) => l.line)).toEqual([
    'p: log: 3 lines suppressed by the rate limit (reload 3)\n',
    'p: log: 3 lines suppressed by the rate limit (reload 3)\n',
  ]);
});
