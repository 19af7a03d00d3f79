import { ConfigError, createContainer, EngineFactory, parseConfig, parseConfigText } from '../../src';

const base = () => ({
  clusterMac: '02-bf-aa-bb-cc-dd',
  hosts: [
    { name: 'host1', addresses: ['12.12.4.101'] },
    { name: 'host2', addresses: ['12.12.4.102'] },
  ],
});
const factory = createContainer().get(EngineFactory);

/** Expects a ConfigError whose key and message match. */
function rejects(cfg: unknown, key: string, message: RegExp): void {
  let err: unknown;
  try {
    factory.buildCluster(parseConfig(cfg));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).key).toBe(key);
  expect((err as ConfigError).message).toMatch(message);
}

describe('config: accepted', () => {
  test('the issue example, with defaults filled in', () => {
    const c = parseConfig({
      clusterMac: '02-bf-aa-bb-cc-dd',
      mode: 'dedicated',
      multicastPrefix: '03-bf',
      mappings: { ipv4: 'ipv4-prefix' },
      virtualIps: ['12.12.4.100'],
      hosts: [
        { name: 'host1', addresses: ['12.12.4.101'] },
        { name: 'host2', addresses: ['12.12.4.102'], mac: '03-bf-00-00-00-02' },
      ],
    });
    const cluster = factory.buildCluster(c);
    expect(cluster.addresses.map((a) => `${cluster.hosts[a.host].name} ${a.ip.text} ${a.mac} ${a.macSource}`)).toEqual([
      'host1 12.12.4.101 03-bf-0c-0c-04-65 ipv4-prefix',
      'host2 12.12.4.102 03-bf-00-00-00-02 table',
    ]);
    expect(c.synthesize).toBe(false);
    expect(c.strictSources).toBe(false);
    expect(c.replyRewrite).toBe('receiver');
    expect(parseConfig({ ...base(), replyRewrite: 'sender' }).replyRewrite).toBe('sender');
  });
  test('colon MACs and a configurable prefix', () => {
    const c = parseConfig({ ...base(), clusterMac: '02:bf:aa:bb:cc:dd', multicastPrefix: '07:01' });
    const cluster = factory.buildCluster(c);
    expect(cluster.addresses[0].mac.toString()).toBe('07-01-0c-0c-04-65');
  });
  test('per-address table entries', () => {
    const c = parseConfig({
      ...base(),
      hosts: [{ name: 'a', addresses: ['198.18.0.1', '198.18.0.2'], mac: { '198.18.0.2': '03-00-00-00-00-09' } }],
    });
    const cluster = factory.buildCluster(c);
    expect(cluster.addresses.map((a) => a.mac.toString())).toEqual(['03-bf-c6-12-00-01', '03-00-00-00-00-09']);
  });
  test('table mapping takes each host mac', () => {
    const cfg = {
      ...base(),
      mappings: { ipv4: 'table' },
      hosts: [{ name: 'a', addresses: ['198.18.0.1'], mac: '03-00-00-00-00-01' }],
    };
    expect(factory.buildCluster(parseConfig(cfg)).addresses[0].mac.toString()).toBe('03-00-00-00-00-01');
  });
});

describe('config: rejected with the key and the reason', () => {
  test.each([
    ['not an object', [], '', /expected an object/],
    ['unknown top key', { ...base(), clusterMAC: 'x' }, 'clusterMAC', /unknown key/],
    [
      'unknown host key',
      { ...base(), hosts: [{ name: 'a', addresses: ['198.18.0.1'], ip: 'x' }] },
      'hosts[0].ip',
      /unknown key/,
    ],
    ['missing cluster MAC', { hosts: base().hosts }, 'clusterMac', /required/],
    ['bad MAC text', { ...base(), clusterMac: '02-bf-aa-bb-cc' }, 'clusterMac', /not a MAC address/],
    ['mixed MAC separators', { ...base(), clusterMac: '02-bf:aa-bb-cc-dd' }, 'clusterMac', /not a MAC address/],
    ['multicast cluster MAC', { ...base(), clusterMac: '03-bf-aa-bb-cc-dd' }, 'clusterMac', /multicast/],
    ['prefix without multicast bit', { ...base(), multicastPrefix: '02-bf' }, 'multicastPrefix', /multicast bit/],
    ['prefix 33-33', { ...base(), multicastPrefix: '33-33' }, 'multicastPrefix', /IPv6 multicast/],
    [
      'dedicated MAC without multicast bit',
      { ...base(), hosts: [{ name: 'a', addresses: ['198.18.0.1'], mac: '02-00-00-00-00-01' }] },
      'hosts[0].mac',
      /multicast bit/,
    ],
    [
      'broadcast as dedicated MAC',
      { ...base(), hosts: [{ name: 'a', addresses: ['198.18.0.1'], mac: 'ff-ff-ff-ff-ff-ff' }] },
      'hosts[0].mac',
      /broadcast/,
    ],
    [
      'bad address',
      { ...base(), hosts: [{ name: 'a', addresses: ['12.12.4'] }] },
      'hosts[0].addresses[0]',
      /not an IPv4 address/,
    ],
    [
      'octal-looking address',
      { ...base(), hosts: [{ name: 'a', addresses: ['012.12.4.1'] }] },
      'hosts[0].addresses[0]',
      /not an IPv4/,
    ],
    [
      'multicast address',
      { ...base(), hosts: [{ name: 'a', addresses: ['224.0.0.1'] }] },
      'hosts[0].addresses[0]',
      /multicast address/,
    ],
    [
      'unspecified address',
      { ...base(), hosts: [{ name: 'a', addresses: ['0.0.0.0'] }] },
      'hosts[0].addresses[0]',
      /unspecified/,
    ],
    [
      'IPv6 with prefix length',
      { ...base(), hosts: [{ name: 'a', addresses: ['fd00::1/64'] }] },
      'hosts[0].addresses[0]',
      /prefix length/,
    ],
    [
      'address listed twice',
      {
        ...base(),
        hosts: [
          { name: 'a', addresses: ['198.18.0.1'] },
          { name: 'b', addresses: ['198.18.0.1'] },
        ],
      },
      'hosts[1].addresses[0]',
      /listed twice \(also at hosts\[0\]\.addresses\[0\]\)/,
    ],
    [
      'host address equal to a virtual IP',
      { ...base(), virtualIps: ['12.12.4.101'] },
      'hosts[0].addresses[0]',
      /listed twice \(also at virtualIps\[0\]\)/,
    ],
    [
      'duplicate host name',
      {
        ...base(),
        hosts: [
          { name: 'a', addresses: ['198.18.0.1'] },
          { name: 'a', addresses: ['198.18.0.2'] },
        ],
      },
      'hosts[1].name',
      /already the name/,
    ],
    ['empty hosts', { ...base(), hosts: [] }, 'hosts', /empty/],
    ['bad mode', { ...base(), mode: 'multicast' }, 'mode', /"dedicated" or "shared"/],
    ['shared without sharedMac', { ...base(), mode: 'shared' }, 'sharedMac', /required/],
    ['bad boolean', { ...base(), synthesize: 'yes' }, 'synthesize', /true or false/],
    ['bad replyRewrite', { ...base(), replyRewrite: 'both' }, 'replyRewrite', /"sender" or "receiver"/],
    [
      'unknown mapping',
      { ...base(), mappings: { ipv4: 'nope' } },
      'mappings.ipv4',
      /unknown mapping "nope" \(known: .*ipv4-prefix/,
    ],
    [
      'table mapping without mac',
      { ...base(), mappings: { ipv4: 'table' } },
      'hosts[0].mac',
      /has no MAC for 12\.12\.4\.101/,
    ],
    [
      'table entry for a foreign address',
      { ...base(), hosts: [{ name: 'a', addresses: ['198.18.0.1'], mac: { '198.18.0.9': '03-00-00-00-00-01' } }] },
      'hosts[0].mac["198.18.0.9"]',
      /not one of this host's addresses/,
    ],
  ])('%s', (_what, cfg, key, message) => rejects(cfg, key, message));

  test('colliding dedicated MACs name both hosts and both addresses', () => {
    rejects(
      {
        ...base(),
        hosts: [
          { name: 'a', addresses: ['198.18.0.1'] },
          { name: 'b', addresses: ['198.18.0.2'], mac: '03-bf-c6-12-00-01' },
        ],
      },
      'hosts',
      /03-bf-c6-12-00-01 collides: host "a" address 198\.18\.0\.1 and host "b" address 198\.18\.0\.2/,
    );
  });
  test('invalid JSON names the source', () => {
    expect(() => parseConfigText('{"clusterMac":', 'cluster.json')).toThrow(/cluster\.json is not valid JSON/);
  });
  test('an unknown host is a ConfigError listing the hosts', () => {
    expect(() => factory.create(parseConfig(base()), 'host9')).toThrow(
      /"host9" is not a host of the cluster \(hosts: host1, host2\)/,
    );
  });
});
