import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arpFrame } from '../../adapters/arp/repr';
import { ArpOp } from '../../adapters/arp/arp';
import { epb, idb, nrb, pcapFile, shb, spb } from './capture-files';
import { CLUSTER, FIG6_CONFIG, H1, H2, ROW, cli, ensureBuilt, expectOneLine, tempDir, writeConfig } from './helpers';

let dir: string;
let config: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  config = writeConfig(dir, {
    ...FIG6_CONFIG,
    hosts: [...FIG6_CONFIG.hosts, { name: 'host3', addresses: ['12.12.4.103'] }],
  });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NON_MEMBER_MAC = '02-00-00-00-00-32';
const nonMember = arpFrame(
  { dst: 'ff-ff-ff-ff-ff-ff', src: NON_MEMBER_MAC },
  { op: ArpOp.REQUEST, sha: NON_MEMBER_MAC, spa: '12.12.4.50', tha: '00-00-00-00-00-00', tpa: H2 },
);
/** host1's reply to host3 (dedicated MAC of host3 as destination): not for host2. */
const forHost3 = arpFrame(
  { dst: '03-bf-0c-0c-04-67', src: CLUSTER },
  { op: ArpOp.REPLY, sha: '03-bf-0c-0c-04-65', spa: H1, tha: CLUSTER, tpa: '12.12.4.103' },
);

/** `tshark -r FILE -T fields -e F...`: one array of fields per frame. */
function tshark(file: string, ...fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter((l) => l.length)
    .map((l) => l.split('\t'));
}

const rewrite = (dirn: string, input: string, output: string, ...extra: string[]) =>
  cli(['rewrite', '--config', config, '--host', 'host2', '--direction', dirn, ...extra, input, output]);

describe('intracluster rewrite', () => {
  test("pcap in (microseconds): host2 inbound rewrites row 600, passes the non-member, drops host3's frame; tshark reads it", () => {
    const input = join(dir, 'in.pcap');
    const output = join(dir, 'out.pcap');
    writeFileSync(
      input,
      pcapFile([
        { sec: 1700000000, frac: 1, data: ROW[600] },
        { sec: 1700000001, frac: 2, data: forHost3 },
        { sec: 1700000002, frac: 3, data: nonMember },
      ]),
    );
    const r = rewrite('inbound', input, output);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/frames read +3\n/);
    expect(r.stdout).toMatch(/pass +1\n/);
    expect(r.stdout).toMatch(/rewrite +1\n/);
    expect(r.stdout).toMatch(/drop +1 +\(not written\)/);
    expect(r.stdout).toMatch(/written +2\n/);
    expect(r.stdout).toMatch(/rewrite +1 +arp\.step502 +step 502/);
    expect(r.stdout).toMatch(/drop +1 +data\.not-for-this-host +not for this host/);
    // FIG. 6 row 610: the sender MAC becomes host1's dedicated MAC; the timestamps stay
    expect(tshark(output, 'frame.time_epoch', 'eth.src', 'arp.src.hw_mac', 'arp.src.proto_ipv4')).toEqual([
      ['1700000000.000001000', '02:bf:aa:bb:cc:dd', '03:bf:0c:0c:04:65', H1],
      ['1700000002.000003000', '02:00:00:00:00:32', '02:00:00:00:00:32', '12.12.4.50'],
    ]);
  });

  test('pcapng in (big-endian, nanoseconds, SPB, unknown blocks): host2 outbound turns row 620 into row 630', () => {
    const e = { le: false };
    const input = join(dir, 'in.pcapng');
    const output = join(dir, 'out-ng.pcap');
    writeFileSync(
      input,
      Buffer.concat([
        shb(e),
        idb(e, 1, { tsresol: 9, name: 'stack0' }),
        nrb(e),
        epb(e, 0, 1700000000123456789n, ROW[620], 60, 'row 620'),
        spb(e, ROW[600]), // host2 does not rewrite requests leaving it
      ]),
    );
    const r = rewrite('outbound', input, output, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      format: 'pcapng',
      frames: 2,
      written: 2,
      byVerdict: { pass: 1, rewrite: 1, drop: 0, reply: 0 },
    });
    expect(tshark(output, 'frame.time_epoch', 'eth.dst', 'arp.src.hw_mac', 'arp.dst.hw_mac')).toEqual([
      ['1700000000.123456789', '03:bf:0c:0c:04:65', '03:bf:0c:0c:04:66', '02:bf:aa:bb:cc:dd'], // row 630
      ['0.000000000', 'ff:ff:ff:ff:ff:ff', '02:bf:aa:bb:cc:dd', '00:00:00:00:00:00'],
    ]);
    expect(readFileSync(output).readUInt32LE(0)).toBe(0xa1b23c4d); // nanosecond pcap kept the nanoseconds
  });

  test('pcapng mixing a microsecond and a nanosecond interface: the first frame is microseconds, the nanoseconds are kept', () => {
    const e = { le: true };
    const input = join(dir, 'mixed.pcapng');
    const output = join(dir, 'out-mixed.pcap');
    writeFileSync(
      input,
      Buffer.concat([
        shb(e),
        idb(e, 1, { name: 'usec' }),
        idb(e, 1, { tsresol: 9, name: 'nsec' }),
        epb(e, 0, 1700000000123456n, ROW[600]),
        epb(e, 1, 1700000001123456789n, ROW[600]),
      ]),
    );
    expect(rewrite('inbound', input, output).code).toBe(0);
    expect(readFileSync(output).readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(tshark(output, 'frame.time_epoch')).toEqual([['1700000000.123456000'], ['1700000001.123456789']]);
  });

  test('a FIFO as IN: one line saying a regular file is needed, exit 1, no hang', () => {
    const fifo = join(dir, 'in.fifo');
    execFileSync('mkfifo', [fifo]);
    expectOneLine(
      rewrite('inbound', fifo, join(dir, 'fifo-out.pcap')),
      1,
      /in\.fifo: capture: a FIFO \(named pipe\) cannot be read: a capture must be a regular file/,
    );
    expect(existsSync(join(dir, 'fifo-out.pcap'))).toBe(false);
  });

  test("pcapng written by Wireshark's editcap, read back by tshark", () => {
    const src = join(dir, 'src.pcap');
    const ng = join(dir, 'src.pcapng');
    const output = join(dir, 'out-editcap.pcap');
    writeFileSync(src, pcapFile([{ sec: 5, frac: 0, data: ROW[600] }]));
    execFileSync('editcap', ['-F', 'pcapng', src, ng]);
    expect(rewrite('inbound', ng, output).code).toBe(0);
    expect(tshark(output, 'arp.src.hw_mac')).toEqual([['03:bf:0c:0c:04:65']]);
  });

  test('reply frames are counted and not written', () => {
    const synth = writeConfig(dir, { ...FIG6_CONFIG, synthesize: true }, 'synth.json');
    const input = join(dir, 'req.pcap');
    const output = join(dir, 'req-out.pcap');
    writeFileSync(input, pcapFile([{ sec: 1, frac: 0, data: ROW[600] }]));
    const r = cli(['rewrite', '--config', synth, '--host', 'host1', '--direction', 'outbound', input, output]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/reply +1 +\(replies go back to the local stack: not written\)/);
    expect(r.stdout).toMatch(/written +0\n/);
    expect(tshark(output, 'frame.number')).toEqual([]);
  });

  test('truncated pcap: one line naming the byte offset of the bad record, exit 1, no OUT', () => {
    const full = pcapFile([
      { sec: 1, frac: 0, data: ROW[600] },
      { sec: 2, frac: 0, data: ROW[600] },
    ]);
    const input = join(dir, 'cut.pcap');
    const output = join(dir, 'cut-out.pcap');
    writeFileSync(input, full.subarray(0, full.length - 7));
    expectOneLine(
      rewrite('inbound', input, output),
      1,
      /^intracluster rewrite: .*cut\.pcap: pcap: record truncated: 60 bytes of packet data announced, 53 present \(at byte offset 100\)\n$/,
    );
    expect(existsSync(output)).toBe(false);
  });

  test('non-Ethernet capture, not a capture, missing file: one line, exit 1', () => {
    const sll = join(dir, 'sll.pcap');
    writeFileSync(sll, pcapFile([{ sec: 1, frac: 0, data: ROW[600] }], { linkType: 113 }));
    expectOneLine(
      rewrite('inbound', sll, join(dir, 'x.pcap')),
      1,
      /link type 113 \(LINUX_SLL\) is not supported: only Ethernet/,
    );
    const text = join(dir, 'text.pcap');
    writeFileSync(text, 'hello, this is text');
    expectOneLine(rewrite('inbound', text, join(dir, 'x.pcap')), 1, /not a pcap or pcapng file/);
    expectOneLine(
      rewrite('inbound', join(dir, 'missing.pcap'), join(dir, 'x.pcap')),
      1,
      /cannot read .*missing\.pcap: no such file/,
    );
    expect(existsSync(join(dir, 'x.pcap'))).toBe(false);
  });

  test('argument mistakes: one line, exit 2', () => {
    const input = join(dir, 'in.pcap');
    expectOneLine(
      cli(['rewrite', '--config', config, '--host', 'host2', '--direction', 'up', input, join(dir, 'o.pcap')]),
      2,
      /--direction must be "inbound" or "outbound", got "up"/,
    );
    expectOneLine(
      cli(['rewrite', '--config', config, '--host', 'host2', input, join(dir, 'o.pcap')]),
      2,
      /--direction is required/,
    );
    expectOneLine(
      cli(['rewrite', '--config', config, '--host', 'host2', '--direction', 'inbound', input]),
      2,
      /expected 2 file argument\(s\), got 1/,
    );
  });
});
