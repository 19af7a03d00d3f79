import { checkNeighbours, neighReport } from '../../src/ops/neigh';
import { engine, statusOf } from './fixture';

describe('neighbour check', () => {
  const s = statusOf(engine());
  const cluster = '02:bf:c6:12:00:64';

  test('right dedicated MACs are ok, missing entries are absent, the local host is not checked', () => {
    const rows = [
      { dst: '198.18.0.12', dev: 'ic0', lladdr: '03:bf:c6:12:00:0c', state: ['REACHABLE'] },
      { dst: 'FD00:198:18:0::12', dev: 'ic0', lladdr: '03:bf:00:00:00:12', state: ['STALE'] },
      { dst: '198.18.0.11', dev: 'ic0', lladdr: cluster, state: ['STALE'] }, // its own address: not a member entry to check
    ];
    const checks = checkNeighbours(s, rows);
    expect(checks.map((c) => [c.address, c.verdict])).toEqual([
      ['198.18.0.12', 'ok'],
      ['fd00:198:18::12', 'ok'],
      ['fe80::12', 'absent'],
      ['198.18.0.13', 'absent'],
    ]);
    expect(neighReport(s, rows, null, 'ic0')).toMatchObject({ wrong: 0, unresolved: 0 });
  });

  test('an entry with the cluster MAC, or any other MAC, is wrong and says why; FAILED is unresolved', () => {
    const rows = [
      { dst: '198.18.0.12', dev: 'ic0', lladdr: cluster, state: ['PERMANENT'] },
      { dst: 'fe80::12', dev: 'ic0', lladdr: '02:42:00:00:00:01', state: ['REACHABLE'] },
      { dst: '198.18.0.13', dev: 'ic0', lladdr: null, state: ['FAILED'] },
    ];
    const r = neighReport(s, rows, 'ns1', 'eth0');
    expect(r).toMatchObject({ netns: 'ns1', dev: 'eth0', wrong: 2, unresolved: 1 });
    const wrong = r.checks.filter((c) => c.verdict === 'wrong');
    expect(wrong[0]).toMatchObject({
      member: 'host2',
      address: '198.18.0.12',
      expected: '03:bf:c6:12:00:0c',
      actual: cluster,
    });
    expect(wrong[0].why).toMatch(/^resolved to the cluster MAC/);
    expect(wrong[1].why).toBe('holds 02:42:00:00:00:01, which the layer never gives fe80::12');
  });
});
