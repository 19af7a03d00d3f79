import {
  arpFrame,
  createContainer,
  Direction,
  EngineFactory,
  parseConfig,
  Verdict,
  reasonText,
  ArpOp,
} from '../../src';

const CLUSTER = '02-bf-aa-bb-cc-dd';
const config = parseConfig({
  clusterMac: CLUSTER,
  replyRewrite: 'sender', // FIG. 6 as drawn (row 630)
  maskSourceMac: false, // FIG. 6 as drawn: every frame from the cluster MAC
  hosts: [
    { name: 'host1', addresses: ['12.12.4.101'] },
    { name: 'host2', addresses: ['12.12.4.102'] },
  ],
});
const factory = createContainer().get(EngineFactory);

// FIG. 6 rows, field by field
const row600 = arpFrame(
  { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
  { op: ArpOp.REQUEST, sha: CLUSTER, spa: '12.12.4.101', tha: '00-00-00-00-00-00', tpa: '12.12.4.102' },
);
const row610 = arpFrame(
  { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
  { op: ArpOp.REQUEST, sha: '03-bf-0c-0c-04-65', spa: '12.12.4.101', tha: '00-00-00-00-00-00', tpa: '12.12.4.102' },
);
const row620 = arpFrame(
  { dst: '03-bf-0c-0c-04-65', src: CLUSTER },
  { op: ArpOp.REPLY, sha: CLUSTER, spa: '12.12.4.102', tha: '03-bf-0c-0c-04-65', tpa: '12.12.4.101' },
);
const row630 = arpFrame(
  { dst: '03-bf-0c-0c-04-65', src: CLUSTER },
  { op: ArpOp.REPLY, sha: '03-bf-0c-0c-04-66', spa: '12.12.4.102', tha: CLUSTER, tpa: '12.12.4.101' },
);
const row640 = arpFrame(
  { dst: CLUSTER, src: CLUSTER },
  { op: ArpOp.REPLY, sha: '03-bf-0c-0c-04-66', spa: '12.12.4.102', tha: CLUSTER, tpa: '12.12.4.101' },
);

describe('FIG. 6 through two engines', () => {
  test('step 502: host 2 turns row 600 into row 610', () => {
    const e = factory.create(config, 'host2');
    const f = Uint8Array.from(row600);
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Rewrite);
    expect(Buffer.from(f).toString('hex')).toBe(Buffer.from(row610).toString('hex'));
    expect(reasonText(e.reason)).toMatch(/step 502/);
  });
  test('step 508: host 2 turns row 620 into row 630', () => {
    const e = factory.create(config, 'host2');
    const f = Uint8Array.from(row620);
    expect(e.process(f, Direction.Outbound)).toBe(Verdict.Rewrite);
    expect(Buffer.from(f).toString('hex')).toBe(Buffer.from(row630).toString('hex'));
  });
  test('step 510: host 1 turns row 630 into row 640', () => {
    const e = factory.create(config, 'host1');
    const f = Uint8Array.from(row630);
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Rewrite);
    expect(Buffer.from(f).toString('hex')).toBe(Buffer.from(row640).toString('hex'));
  });
  test('host 1 does not rewrite its own outbound request (step 500 passes unaltered)', () => {
    const e = factory.create(config, 'host1');
    const f = Uint8Array.from(row600);
    expect(e.process(f, Direction.Outbound)).toBe(Verdict.Pass);
    expect(f).toEqual(row600);
  });
});
