import 'reflect-metadata';
import { Container } from 'inversify';
import { createEngineFactory, Direction, parseConfig, Verdict } from '../../src/api';
import {
  createContainer,
  defaultModules,
  defineModule,
  EngineFactory,
  InversifyVersionError,
  inversifyVersion,
  isSupportedInversify,
  loadModules,
  SUPPORTED_INVERSIFY,
} from '../../src/api/di';
import { ProtocolAdapter } from '../../src/adapter';
import { Mapping } from '../../src/mapping';

const config = parseConfig({
  clusterMac: '02-bf-aa-bb-cc-dd',
  hosts: [
    { name: 'host1', addresses: ['12.12.4.101'] },
    { name: 'host2', addresses: ['12.12.4.102'] },
  ],
});
const ROW600 = Buffer.from(
  'ffffffffffff02bfaabbccdd0806000108000604000102bfaabbccdd0c0c04650000000000000c0c0466' + '00'.repeat(18),
  'hex',
);

class Low16 implements Mapping {
  readonly name = 'low16';
  readonly families = [4] as const;
  readonly summary = 'test';
  map(a: Uint8Array, p: Uint8Array, out: Uint8Array): boolean {
    out.set([p[0], p[1], a[2], a[3], a[2], a[3]]);
    return true;
  }
}

test('the DI-free factory and the container give the same engines', () => {
  for (const factory of [createEngineFactory(), createContainer().get(EngineFactory)]) {
    expect(factory.adapters.map((a) => a.name)).toEqual(['arp', 'ndp']);
    const f = Uint8Array.from(ROW600);
    expect(factory.create(config, 'host2').process(f, Direction.Inbound)).toBe(Verdict.Rewrite);
  }
});

test('defineModule binds classes (one instance per container) and instances, without decorators', () => {
  const instance = new Low16();
  const c = new Container();
  loadModules(c, [...defaultModules, defineModule({ mappings: [Low16] }), defineModule({ mappings: [instance] })]);
  const all = c.getAll<Mapping>(Mapping);
  expect(all.filter((m) => m.name === 'low16')).toHaveLength(2);
  expect(all).toContain(instance);
  expect(c.get(EngineFactory).mappings.filter((m) => m instanceof Low16)).toHaveLength(2);
  // a container with no adapters bound still makes a factory (multi-injection is optional)
  const bare = new Container();
  loadModules(bare, [defaultModules[0]]);
  expect(bare.get(EngineFactory).adapters).toEqual([]);
  expect(bare.getAll<ProtocolAdapter>(ProtocolAdapter, { optional: true })).toEqual([]);
});

test('createEngineFactory: your instances beside the built-ins, or alone', () => {
  expect(createEngineFactory({ mappings: [new Low16()] }).mappings.map((m) => m.name)).toContain('low16');
  const alone = createEngineFactory({ builtins: false, mappings: [new Low16()] });
  expect(alone.adapters).toEqual([]);
  expect(alone.mappings.map((m) => m.name)).toEqual(['low16']);
});

test.each([
  ['6.0.0', false],
  ['6.0.1', true],
  ['6.2.2', true],
  ['7.0.0', false],
  ['7.4.0', false],
  ['7.5.0', true],
  ['7.11.0', true],
  ['8.2.3', true],
  ['8.0.0-beta.0', true],
  ['5.1.1', false],
  ['9.0.0', false],
  ['unknown', false],
])('inversify %s is supported: %s', (version, ok) => {
  expect(isSupportedInversify(version)).toBe(ok);
});

test('the installed inversify is found and in range; the error for another names it and the way out', () => {
  const found = inversifyVersion();
  expect(isSupportedInversify(found.version)).toBe(true);
  expect(found.location).toMatch(/node_modules[\\/]inversify$/);
  const e = new InversifyVersionError('5.1.1', '/app/node_modules/inversify');
  expect(e.message).toBe(
    `intracluster: inversify 5.1.1 (/app/node_modules/inversify) is outside the supported range ${SUPPORTED_INVERSIFY}: install a supported version (npm install inversify@^7.5.0), or build engines without a container (createEngineFactory from "intracluster")`,
  );
});
