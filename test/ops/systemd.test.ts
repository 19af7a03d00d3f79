import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The shipped systemd units pass `systemd-analyze verify`. Verify checks that ExecStart's binary
 * exists and is executable, so it runs against a temporary root laid out as `npm install -g`
 * leaves it (/usr/local/lib/node_modules/intracluster, the /usr/local/bin/intracluster symlink to
 * its bin/intracluster.js), with this system's own unit library (/usr/lib/systemd/system) and
 * /bin/kill (ExecReload). Any line verify prints (an unknown key is only a warning) fails the test.
 */
const ROOT = join(__dirname, '..', '..');
const UNITS = ['intracluster-shim@.service', 'intracluster-attach@.service'];

function verify(root: string, unit: string): { code: number | null; out: string } {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, `/etc/systemd/system/${unit}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error)
    throw new Error(`systemd-analyze: ${r.error.message} (Debian package systemd; scripts/setup installs it)`);
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

describe('systemd units', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ic-units-'));
    const pkg = join(root, 'usr/local/lib/node_modules/intracluster');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
    symlinkSync('../lib/node_modules/intracluster/bin/intracluster.js', join(root, 'usr/local/bin/intracluster'));
    mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    mkdirSync(join(root, 'bin'));
    cpSync(existsSync('/bin/kill') ? '/bin/kill' : '/usr/bin/kill', join(root, 'bin/kill'));
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'etc/intracluster'), { recursive: true });
    cpSync(join(ROOT, 'packaging/etc/intracluster'), join(root, 'etc/intracluster'), { recursive: true });
    for (const u of UNITS) {
      cpSync(join(ROOT, 'packaging/systemd', u), join(root, 'etc/systemd/system', u));
      symlinkSync(u, join(root, 'etc/systemd/system', u.replace('@.', '@eth0.')));
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test.each(UNITS)('%s: systemd-analyze verify passes (instance @eth0), silently', (u) => {
    expect(verify(root, u.replace('@.', '@eth0.'))).toEqual({ code: 0, out: '' });
  });

  test('the check can fail: without the installed binary, verify says so', () => {
    const link = join(root, 'usr/local/bin/intracluster');
    rmSync(link);
    try {
      const r = verify(root, 'intracluster-shim@eth0.service');
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('Command /usr/local/bin/intracluster is not executable');
    } finally {
      symlinkSync('../lib/node_modules/intracluster/bin/intracluster.js', link);
    }
  });

  test('an unknown key is caught (printed by verify)', () => {
    const bad = join(root, 'etc/systemd/system/intracluster-bad@.service');
    writeFileSync(
      bad,
      readFileSync(join(ROOT, 'packaging/systemd/intracluster-shim@.service'), 'utf8').replace(
        '[Service]',
        '[Service]\nCapabilitySet=CAP_NET_ADMIN',
      ),
    );
    symlinkSync('intracluster-bad@.service', join(root, 'etc/systemd/system/intracluster-bad@eth0.service'));
    expect(verify(root, 'intracluster-bad@eth0.service').out).toMatch(/Unknown key( name)? 'CapabilitySet'/);
  });

  test('reload is SIGHUP, restart on failure, the capabilities listed and no more', () => {
    const unit = (u: string) => readFileSync(join(ROOT, 'packaging/systemd', u), 'utf8');
    const key = (text: string, k: string) => [...text.matchAll(new RegExp(`^${k}=(.*)$`, 'gm'))].map((m) => m[1]);
    for (const u of UNITS) {
      expect(key(unit(u), 'ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
      expect(key(unit(u), 'Restart')).toEqual(['on-failure']);
      expect(key(unit(u), 'NoNewPrivileges')).toEqual(['yes']);
      expect(key(unit(u), 'MemoryDenyWriteExecute')).toEqual(['no']); // Node's JIT
    }
    expect(key(unit('intracluster-shim@.service'), 'CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN']);
    expect(key(unit('intracluster-attach@.service'), 'CapabilityBoundingSet')).toEqual([
      'CAP_BPF CAP_PERFMON CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_ADMIN',
    ]);
  });

  test('the units and the example config are in the package', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('packaging');
  });
});
