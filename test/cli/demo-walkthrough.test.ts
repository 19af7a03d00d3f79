import { Writable } from 'node:stream';
import { Direction } from '../../src/verdict';
import { onesComplementSum } from '../../src/frame/checksum';
import {
  DemoStack,
  FIG6,
  runWalkthrough,
  walkthroughSections,
  WalkthroughSection,
} from '../../src/cli/demo-walkthrough';
import { ARP_COLUMNS, FrameTable, Labels, arpCells, wrap } from '../../src/cli/frame-table';
import { CLUSTER, H1, H1_MAC, H2, ROW, hex } from './helpers';

function capture(): { io: { stdout: Writable }; text: () => string } {
  let out = '';
  const stdout = new Writable({
    write(chunk, _enc, cb) {
      out += chunk;
      cb();
    },
  });
  return { io: { stdout }, text: () => out };
}

describe('demo walk-through', () => {
  test("the demo's own FIG. 6 rows equal the test's (both built from the patent's table)", () => {
    for (const n of [600, 610, 620, 630, 640] as const) expect(hex(FIG6[n])).toBe(hex(ROW[n]));
  });

  test("returns 0 when every frame is the patent's", () => {
    const c = capture();
    expect(runWalkthrough(c.io)).toBe(0);
    expect(c.text()).not.toMatch(/DIFFERS/);
  });

  test('a frame that differs is marked, listed, and the result is 1', () => {
    const wrong: WalkthroughSection = {
      title: 'a section whose engine output is not the patent row',
      run(ctx) {
        const s = ctx.step('host2', Direction.Inbound, FIG6[600]);
        ctx.write(`${ctx.check('row 600 as 640', s.frame, FIG6[640])}\n`);
      },
    };
    const c = capture();
    expect(runWalkthrough(c.io, [...walkthroughSections, wrong])).toBe(1);
    expect(c.text()).toMatch(/\[DIFFERS\]/);
    expect(c.text()).toMatch(/1 frame\(s\) differ from what the patent prescribes:\n {2}row 600 as 640: got ffff/);
  });
});

describe('DemoStack (a stand-in for a Linux stack)', () => {
  test('answers a request for it to the sender MAC it learned (row 610 -> row 620)', () => {
    const s = new DemoStack('host2', H2, CLUSTER);
    expect(hex(s.receiveArp(FIG6[610])!)).toBe(hex(FIG6[620]));
    expect(s.neighbours.get(H1)).toBe(H1_MAC);
  });
  test('RFC 826 merge: ARP for someone else updates a known entry only', () => {
    const s = new DemoStack('host2', H2, CLUSTER);
    const other = new DemoStack('host1', H1, CLUSTER).arpRequest('12.12.4.7');
    expect(s.receiveArp(other)).toBeNull();
    expect(s.neighbours.has(H1)).toBe(false);
    s.neighbours.set(H1, H1_MAC);
    s.receiveArp(other);
    expect(s.neighbours.get(H1)).toBe(CLUSTER); // the hazard the ARP adapter's rule 2 prevents
  });
  test('data frames carry valid IPv4 and ICMP checksums', () => {
    const s = new DemoStack('host1', H1, CLUSTER);
    s.neighbours.set(H2, '03-bf-0c-0c-04-66');
    const f = s.echo(H2, 'request', 1);
    expect(onesComplementSum(f, 14, 34)).toBe(0xffff);
    expect(onesComplementSum(f, 34, 14 + ((f[16] << 8) | f[17]))).toBe(0xffff);
  });
});

describe('FrameTable', () => {
  test('columns sized to content, notes wrapped under the second column', () => {
    const t = new FrameTable(ARP_COLUMNS, 60).add(arpCells('600', ROW[600], new Labels().set(CLUSTER, 'cluster')), [
      'a note long enough to be wrapped onto a second line, surely',
    ]);
    const lines = t.render().trimEnd().split('\n');
    expect(lines[0]).toBe(
      'row  Eth dst            Eth src  op   sender MAC  sender IP    target MAC         target IP',
    );
    expect(lines[2].split(/\s+/)).toEqual([
      '600',
      'ff-ff-ff-ff-ff-ff',
      'cluster',
      'req',
      'cluster',
      H1,
      '00-00-00-00-00-00',
      H2,
    ]);
    expect(lines.slice(3).every((l) => l.startsWith('     ') && l.length <= 59)).toBe(true);
    expect(lines.length).toBe(5);
  });
  test('wrap keeps words whole', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('aaa bbb ccc', 7, 2)).toEqual(['aaa bbb', '  ccc']);
  });
});
