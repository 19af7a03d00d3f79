import { cli, ensureBuilt } from './helpers';

beforeAll(() => ensureBuilt(), 180_000);

describe('intracluster demo: IPv6 section', () => {
  test('NS/NA discovery and data frames, each equal to the frame built from the rule, checksums valid', () => {
    const r = cli(['demo', '--in-process']);
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf('IPv6: Neighbor Discovery'));
    expect(section.match(/^ +\[= expected\] /gm)).toHaveLength(7);
    const rows = Object.fromEntries(
      section
        .split('\n')
        .filter((l) => /^[57][0-9][0-9] /.test(l))
        .map((l) => [
          l.slice(0, 3),
          l
            .slice(3)
            .trim()
            .split(/\s{2,}/),
        ]),
    );
    // [Eth dst, Eth src, type, src, dst, target, option, checksum]
    expect(rows['502']).toEqual([
      '33-33-ff-00-01-02',
      'cluster',
      'NS',
      '::101',
      'sn(::102)',
      '::102',
      'SLLAO 03-bf-00-00-01-01',
      'ok',
    ]);
    expect(rows['508']).toEqual([
      '03-bf-00-00-01-01',
      'cluster',
      'NA SO',
      '::102',
      '::101',
      '::102',
      'TLLAO 03-bf-00-00-01-02',
      'ok',
    ]);
    expect(rows['510']).toEqual([
      'cluster',
      'cluster',
      'NA SO',
      '::102',
      '::101',
      '::102',
      'TLLAO 03-bf-00-00-01-02',
      'ok',
    ]);
    expect(rows['702'].slice(0, 2)).toEqual(['cluster', 'cluster']);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThan(100);
  });
});
