import { Direction, Verdict, parseConfig, reasonId } from '../../src';
import { describeKernel } from './available';

// KernelEngine answers what the engine answers for input no test run can take.
describeKernel('KernelEngine outside the test runs', (datapath) => {
  const config = parseConfig({
    clusterMac: '02-bf-aa-bb-cc-dd',
    hosts: [
      { name: 'h1', addresses: ['198.18.0.1'] },
      { name: 'h2', addresses: ['198.18.0.2'] },
    ],
  });
  const frame = Uint8Array.from(
    Buffer.from(
      'ffffffffffff02bfaabbccdd0806' +
        '00010800060400010' +
        '2bfaabbccddc6120002000000000000c6120001' +
        '00'.repeat(18),
      'hex',
    ),
  );

  test('a direction other than 0 or 1 drops with engine.bad-direction, no test run', () => {
    const e = datapath().create(config, 'h1');
    expect(e.process(Uint8Array.from(frame), 2 as Direction)).toBe(Verdict.Drop);
    expect(reasonId(e.reason)).toBe('engine.bad-direction');
    expect(e.lastRan).toBe(false);
  });

  test('a length outside the buffer drops with engine.bad-length; a 10-byte frame passes as truncated', () => {
    const e = datapath().create(config, 'h1');
    expect(e.process(Uint8Array.from(frame), Direction.Inbound, frame.length + 1)).toBe(Verdict.Drop);
    expect(reasonId(e.reason)).toBe('engine.bad-length');
    expect(e.process(frame.slice(0, 10), Direction.Inbound)).toBe(Verdict.Pass);
    expect(reasonId(e.reason)).toBe('frame.truncated');
    expect(e.lastRan).toBe(false);
    expect(e.process(Uint8Array.from(frame), Direction.Inbound)).toBe(Verdict.Rewrite);
    expect(reasonId(e.reason)).toBe('arp.step502');
    expect(e.lastRan).toBe(true);
  });
});
