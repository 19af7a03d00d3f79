import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { coreModule, createContainer, EngineFactory, mappingsModule } from '../src';
import {
  GOLDEN_DIR,
  GoldenVectorError,
  describeGoldenVectors,
  loadGoldenVectors,
  runGoldenDirectory,
  runGoldenVector,
} from '../src/testing';

// Every vector under test/golden/, one test each, through the default container (the same call an
// adapter author makes with their own container).
const factory = createContainer().get(EngineFactory);
const vectors = describeGoldenVectors(GOLDEN_DIR, factory, { title: 'golden vectors (default container)' });

describe('golden suite coverage', () => {
  test('the suite is not empty and names are unique', () => {
    expect(vectors.length).toBeGreaterThan(0);
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });

  test.each([
    'arp.request-for-this-host',
    'arp.merge-hazard',
    'arp.reply-to-member',
    'data.dedicated-to-cluster',
    'data.not-for-this-host',
    'arp.outbound-keeps-cluster-mac',
    'frame.vlan-tags',
    'frame.padding',
  ])('%s has at least one vector', (rule) => {
    expect(vectors.filter((v) => v.rules.includes(rule)).map((v) => v.name)).not.toEqual([]);
  });

  test('the ARP vectors fail an engine without the ARP adapter (the suite is not vacuous)', () => {
    const bare = new Container();
    bare.loadSync(coreModule, mappingsModule);
    const failed = new Set(
      runGoldenDirectory(join(GOLDEN_DIR, 'arp'), bare)
        .filter((r) => !r.passed)
        .map((r) => r.name),
    );
    const arpRewrites = vectors.filter(
      (v) =>
        v.path.startsWith('arp/') &&
        v.expect.verdict === 'rewrite' &&
        v.rules.some((r) => ['arp.request-for-this-host', 'arp.merge-hazard', 'arp.reply-to-member'].includes(r)),
    );
    expect(arpRewrites.length).toBeGreaterThan(10);
    expect(arpRewrites.filter((v) => !failed.has(v.name)).map((v) => v.name)).toEqual([]);
  });

  test("the FIG. 6 rows are there with the patent's exact bytes", () => {
    const byName = new Map(vectors.map((v) => [v.name, v]));
    const hex = (b?: Uint8Array) => Buffer.from(b ?? []).toString('hex');
    // FIG. 6, written out once more by hand, field by field
    const row600 =
      'ffffffffffff' +
      '02bfaabbccdd' +
      '0806' +
      '0001080006040001' +
      '02bfaabbccdd' +
      '0c0c0465' +
      '000000000000' +
      '0c0c0466' +
      '00'.repeat(18);
    const row610 =
      'ffffffffffff' +
      '02bfaabbccdd' +
      '0806' +
      '0001080006040001' +
      '03bf0c0c0465' +
      '0c0c0465' +
      '000000000000' +
      '0c0c0466' +
      '00'.repeat(18);
    const row620 =
      '03bf0c0c0465' +
      '02bfaabbccdd' +
      '0806' +
      '0001080006040002' +
      '02bfaabbccdd' +
      '0c0c0466' +
      '03bf0c0c0465' +
      '0c0c0465' +
      '00'.repeat(18);
    const row630 =
      '03bf0c0c0465' +
      '02bfaabbccdd' +
      '0806' +
      '0001080006040002' +
      '03bf0c0c0466' +
      '0c0c0466' +
      '02bfaabbccdd' +
      '0c0c0465' +
      '00'.repeat(18);
    const row640 =
      '02bfaabbccdd' +
      '02bfaabbccdd' +
      '0806' +
      '0001080006040002' +
      '03bf0c0c0466' +
      '0c0c0466' +
      '02bfaabbccdd' +
      '0c0c0465' +
      '00'.repeat(18);
    const v1 = byName.get('001-fig6-row600-to-610')!;
    const v2 = byName.get('002-fig6-row620-to-630')!;
    const v3 = byName.get('003-fig6-row630-to-640')!;
    expect([hex(v1.input), hex(v1.expect.output), v1.host, v1.direction]).toEqual([row600, row610, 'host2', 'inbound']);
    expect([hex(v2.input), hex(v2.expect.output), v2.host, v2.direction]).toEqual([
      row620,
      row630,
      'host2',
      'outbound',
    ]);
    expect([hex(v3.input), hex(v3.expect.output), v3.host, v3.direction]).toEqual([row630, row640, 'host1', 'inbound']);
  });
});

describe('golden runner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'golden-runner-'));
    mkdirSync(join(dir, 'configs'));
    writeFileSync(
      join(dir, 'configs', 'two.json'),
      JSON.stringify({
        clusterMac: '02-bf-aa-bb-cc-dd',
        hosts: [
          { name: 'host1', addresses: ['12.12.4.101'] },
          { name: 'host2', addresses: ['12.12.4.102'] },
        ],
      }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const row600 =
    'ffffffffffff02bfaabbccdd0806000108000604000102bfaabbccdd0c0c04650000000000000c0c0466' + '00'.repeat(18);
  const row610 =
    'ffffffffffff02bfaabbccdd0806000108000604000103bf0c0c04650c0c04650000000000000c0c0466' + '00'.repeat(18);
  const write = (file: string, v: Record<string, unknown>): string => {
    const p = join(dir, file);
    writeFileSync(
      p,
      JSON.stringify({
        name: file.replace(/^.*\//, '').replace(/\.json$/, ''),
        description: 'd',
        source: 's',
        rules: ['r'],
        config: 'configs/two.json',
        host: 'host2',
        direction: 'inbound',
        input: row600,
        ...v,
      }),
    );
    return p;
  };
  const loadError = (): GoldenVectorError => {
    try {
      loadGoldenVectors(dir);
    } catch (e) {
      return e as GoldenVectorError;
    }
    throw new Error('expected loadGoldenVectors to fail');
  };

  test('a passing vector passes, through a container or a factory', () => {
    write('ok.json', { expect: { verdict: 'rewrite', output: row610, reason: 'arp.step502' } });
    for (const target of [createContainer(), factory]) {
      const [r] = runGoldenDirectory(dir, target);
      expect(r.failures).toEqual([]);
      expect(r.passed).toBe(true);
    }
  });

  test('a container without EngineFactory fails every vector with a hint', () => {
    write('ok.json', { expect: { verdict: 'pass' } });
    const [r] = runGoldenDirectory(dir, new Container());
    expect(r.passed).toBe(false);
    expect(r.failures[0]).toMatch(
      /cannot make an engine for host "host2": the container has no EngineFactory .*load coreModule/,
    );
  });

  test('a wrong expected output fails with a hex diff marking the differing offsets', () => {
    const wrong = row610.slice(0, 22 * 2) + '03bf0c0c04ff' + row610.slice(28 * 2);
    write('bad.json', { expect: { verdict: 'rewrite', output: wrong } });
    const [r] = runGoldenDirectory(dir, factory);
    expect(r.passed).toBe(false);
    expect(r.failures).toEqual(['output: bytes differ from the expected output']);
    expect(r.message).toContain('0010 -08 00 06 04 00 01 03 bf 0c 0c 04 ff 0c 0c 04 65');
    expect(r.message).toContain('0010 +08 00 06 04 00 01 03 bf 0c 0c 04 65 0c 0c 04 65');
    expect(r.message).toMatch(/\n {6}( {3}){11}\^\^\n/); // under byte 0x1b only
    expect(r.message).toContain('differing bytes: 0x1b (ARP sender MAC)');
  });

  test('a wrong verdict, a changed pass frame and a wrong reason each fail', () => {
    const v = loadGoldenVectors(
      (write('p.json', { expect: { verdict: 'pass', reason: 'arp.no-such-reason' } }), dir),
    )[0];
    const r = runGoldenVector(v, factory);
    expect(r.passed).toBe(false);
    expect(r.failures[0]).toMatch(/^verdict: expected pass, got rewrite/);
    expect(r.failures[1]).toMatch(
      /^reason: expected arp\.no-such-reason, got arp\.step502 \("step 502: ARP request from a member/,
    );
    expect(r.failures[2]).toBe('output: a pass must leave the frame byte-identical, but bytes changed');
    expect(runGoldenVector(v, factory, { checkReason: false }).failures).toHaveLength(2);
  });

  test('an expected drop that is forwarded fails', () => {
    write('d.json', { expect: { verdict: 'drop' } });
    const [r] = runGoldenDirectory(dir, factory);
    expect(r.failures).toEqual([expect.stringMatching(/^verdict: expected drop, got rewrite/)]);
  });

  test('before frames run through the same engine first (strict sources)', () => {
    // host2 with strictSources drops data from host1 until it has answered host1's ARP (step 508)
    const strict = {
      clusterMac: '02-bf-aa-bb-cc-dd',
      strictSources: true,
      hosts: [
        { name: 'host1', addresses: ['12.12.4.101'] },
        { name: 'host2', addresses: ['12.12.4.102'] },
      ],
    };
    const row620 =
      '03bf0c0c046502bfaabbccdd0806000108000604000202bfaabbccdd0c0c046603bf0c0c04650c0c0465' + '00'.repeat(18);
    const data =
      '03bf0c0c0466' + '02bfaabbccdd' + '0800' + '4500002e00004000400100000c0c04650c0c0466' + '00'.repeat(26);
    const toCluster = '02bfaabbccdd' + data.slice(12);
    write('with.json', {
      config: strict,
      before: [{ direction: 'outbound', input: row620 }],
      input: data,
      expect: { verdict: 'rewrite', output: toCluster },
    });
    write('without.json', { config: strict, input: data, expect: { verdict: 'rewrite', output: toCluster } });
    const [w, wo] = runGoldenDirectory(dir, factory).sort((a, b) => (a.name < b.name ? -1 : 1));
    expect([w.name, w.passed]).toEqual(['with', true]);
    expect([wo.name, wo.passed, wo.verdict]).toEqual(['without', false, 'drop']);
  });

  test('an engine writing outside the frame is caught', () => {
    write('ok.json', { expect: { verdict: 'pass' } });
    const sloppy = {
      create: () => ({
        reason: 0,
        replyFrame: new Uint8Array(0),
        replyLength: 0,
        process: (f: Uint8Array) => ((f[f.length - 1] = 0), 0),
      }),
    };
    const [r] = runGoldenDirectory(dir, sloppy);
    expect(r.failures).toEqual([
      `the engine wrote outside the frame: frame offset ${row600.length / 2 + 7} (frame length ${row600.length / 2})`,
    ]);
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['unknown key', { expect: { verdict: 'pass' }, comment: 'x' }, 'comment', 'unknown key'],
    ['bad verdict', { expect: { verdict: 'forward' } }, 'expect.verdict', 'must be one of pass, rewrite, drop, reply'],
    ['bad hex', { input: 'ff0g', expect: { verdict: 'pass' } }, 'input', '"g" at position 3 is not a hex digit'],
    ['odd hex', { expect: { verdict: 'rewrite', output: row610 + 'f' } }, 'expect.output', 'odd number of hex digits'],
    ['rewrite without output', { expect: { verdict: 'rewrite' } }, 'expect.output', 'is required for verdict rewrite'],
    [
      'rewrite changing length',
      { expect: { verdict: 'rewrite', output: row610 + '00' } },
      'expect.output',
      'output has 61 bytes, input 60',
    ],
    ['pass with other output', { expect: { verdict: 'pass', output: row610 } }, 'expect.output', 'must equal input'],
    ['reply without reply', { expect: { verdict: 'reply' } }, 'expect.reply', 'is required for verdict reply'],
    ['unknown host', { host: 'host9', expect: { verdict: 'pass' } }, 'host', '"host9" is not a host of the config'],
    ['missing config', { config: 'configs/none.json', expect: { verdict: 'pass' } }, 'config', 'not found'],
    [
      'bad inline config',
      { config: { clusterMac: '03-bf-00-00-00-01', hosts: [] }, expect: { verdict: 'pass' } },
      'config: clusterMac',
      'multicast',
    ],
    ['bad direction', { direction: 'up', expect: { verdict: 'pass' } }, 'direction', 'must be "inbound"'],
    [
      'bad before',
      { before: [{ direction: 'inbound' }], expect: { verdict: 'pass' } },
      'before[0].input',
      'expected a hex string',
    ],
    [
      'tshark claim not a string',
      { expect: { verdict: 'pass' }, tshark: { input: { 'arp.opcode': 1 } } },
      'tshark.input.arp.opcode',
      'a string',
    ],
    ['empty rules', { rules: [], expect: { verdict: 'pass' } }, 'rules', 'non-empty array'],
    [
      'reason text instead of an id',
      { expect: { verdict: 'pass', reason: 'step 502' } },
      'expect.reason',
      'must be a stable reason id such as "arp.step502"',
    ],
  ])('a malformed vector is rejected naming the file and the key: %s', (_what, v, key, reason) => {
    const file = write('v.json', v);
    const e = loadError();
    expect(e).toBeInstanceOf(GoldenVectorError);
    expect(e.file).toBe(file);
    expect(e.key).toBe(key);
    expect(e.message).toContain(file);
    expect(e.message).toContain(reason);
  });

  test('a name that is not the file name, and a duplicate name, are rejected', () => {
    write('a.json', { name: 'b', expect: { verdict: 'pass' } });
    expect(loadError().message).toContain('"b" must equal the file name without .json ("a")');
    rmSync(join(dir, 'a.json'));
    write('x.json', { expect: { verdict: 'pass' } });
    mkdirSync(join(dir, 'sub'));
    write('sub/x.json', { expect: { verdict: 'pass' } });
    expect(loadError().message).toMatch(/name: "x" is also the name of .*x\.json/);
  });

  test('files under configs/ are not vectors, and a subdirectory finds the configs above it', () => {
    mkdirSync(join(dir, 'arp'));
    write('arp/one.json', { expect: { verdict: 'rewrite', output: row610 } });
    expect(loadGoldenVectors(dir).map((v) => v.path)).toEqual(['arp/one.json']);
    expect(runGoldenDirectory(join(dir, 'arp'), factory).map((r) => r.passed)).toEqual([true]);
  });
});
