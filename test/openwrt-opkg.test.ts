/**
 * The feed through OpenWrt's own package manager: opkg (openwrt/opkg-lede, built under
 * /tmp/openwrt-tools as shared/tools/openwrt-tools.md describes, or on PATH) installs,
 * upgrades and removes the packages of `npm run package` in an offline root. The root
 * stands for a router: the packages the feed's own depend on but OpenWrt provides (libc,
 * kernel modules, netfilter libraries, luci-base) are listed as installed in its status
 * file. txiki.js comes from the feed, packed from a tjs built here. opkg runs no
 * maintainer scripts in an offline root (openwrt-scripts.test.ts runs those).
 * Without an opkg or a tjs binary the run is skipped with a note.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './helpers/openwrt-feed.js';

const opkgBin = [...(process.env.PATH ?? '').split(':'), '/tmp/openwrt-tools/prefix/bin'].map((d) => join(d, 'opkg')).find((p) => existsSync(p));
const tjs = [process.env.TJS, '/tmp/txiki-build/txiki.js/build/tjs'].find((p) => p && existsSync(p));

if (!opkgBin || !tjs) {
  console.log(`openwrt-opkg: skipped (${!opkgBin ? 'no opkg binary' : 'no tjs binary to pack txiki.js from'})`);
} else {
  const work = mkdtempSync(join(tmpdir(), 'fs-openwrt-opkg-'));
  const feed = (name: string, ...vars: string[]) => {
    const dir = join(work, name);
    execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--out', dir, '--tjs', tjs, ...vars], { cwd: ROOT });
    return dir;
  };
  const feedR1 = feed('feed-r1');
  const feedR2 = feed('feed-r2', 'PKG_RELEASE=2');

  /** Package name → Depends, from a feed index. */
  const index = (dir: string) =>
    new Map(
      readFileSync(join(dir, 'Packages'), 'utf8')
        .trim()
        .split(/\n\n/)
        .map((s) => [/^Package: (.+)$/m.exec(s)![1]!, (/^Depends: (.+)$/m.exec(s)?.[1] ?? '').split(', ').filter(Boolean)] as const),
    );
  const own = index(feedR1);
  const base = [...new Set([...own.values()].flat())].filter((d) => !own.has(d)).sort();

  /** An offline root whose status lists OpenWrt's own packages the feed needs. */
  function router(name: string, feedDir: string): { root: string; opkg: (...a: string[]) => ReturnType<typeof spawnSync> } {
    const dir = join(work, name);
    const root = join(dir, 'root');
    mkdirSync(join(root, 'var/lock'), { recursive: true });
    mkdirSync(join(root, 'usr/lib/opkg/info'), { recursive: true });
    writeFileSync(
      join(root, 'usr/lib/opkg/status'),
      base.map((p) => `Package: ${p}\nVersion: 1\nStatus: install user installed\nArchitecture: x86_64\nInstalled-Time: 0\n\n`).join(''),
    );
    for (const p of base) writeFileSync(join(root, `usr/lib/opkg/info/${p}.list`), '');
    const conf = join(dir, 'opkg.conf');
    const setFeed = (f: string) =>
      writeFileSync(conf, `src/gz flowsieve file://${f}\ndest root /\nlists_dir ext /var/opkg-lists\noption tmp_dir ${dir}\narch all 1\narch x86_64 10\n`);
    setFeed(feedDir);
    const opkg = (...a: string[]) => {
      if (a[0] === 'feed') {
        setFeed(a[1]!);
        return spawnSync('true');
      }
      return spawnSync(opkgBin!, ['-f', conf, '-o', root, ...a], { encoding: 'utf8' });
    };
    return { root, opkg };
  }

  /** Files under the root that opkg's own bookkeeping did not make. */
  const filesIn = (root: string) => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        const rel = '/' + relative(root, p);
        if (rel === '/usr/lib/opkg' || rel === '/var') continue;
        if (statSync(p).isDirectory()) walk(p);
        else out.push(rel);
      }
    };
    walk(root);
    return out.sort();
  };
  const ok = (r: ReturnType<typeof spawnSync>, what: string) => assert.is(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);

  const a = router('a', feedR1);
  const update = a.opkg('update');
  const install = a.opkg('install', 'flowsieve', 'luci-app-flowsieve');

  test('opkg update reads the feed index and install resolves the feed\'s own dependencies (txiki.js)', () => {
    ok(update, 'update');
    ok(install, 'install');
    assert.not.match(String(install.stderr), /cannot find dependency|incompatible/);
    const installed = String(a.opkg('list-installed').stdout);
    for (const p of ['flowsieve - 0.1.0-r1', 'luci-app-flowsieve - 0.1.0-r1', 'txiki.js - 26.6.0-r1']) assert.ok(installed.includes(p), p);
  });

  test('the installed files are the packages\' files', () => {
    const files = filesIn(a.root);
    for (const f of ['/usr/bin/flowsieve', '/usr/bin/tjs', '/usr/share/flowsieve/flowsieve.js', '/etc/config/flowsieve', '/etc/init.d/flowsieve', '/etc/uci-defaults/90-flowsieve', '/usr/share/flowsieve/firewall.include']) {
      assert.ok(files.includes(f), f);
    }
    assert.ok(files.some((f) => /^\/usr\/lib\/flowsieve\/libflowsieve-.+\.so$/.test(f)));
  });

  test('remove keeps a modified conffile and leaves no other flowsieve file', () => {
    appendFileSync(join(a.root, 'etc/config/flowsieve'), "\n# the owner's edit\n");
    const r = a.opkg('remove', 'luci-app-flowsieve', 'flowsieve', 'txiki.js');
    ok(r, 'remove');
    assert.match(String(r.stdout), /Not deleting modified conffile .*\/etc\/config\/flowsieve/);
    assert.equal(filesIn(a.root), ['/etc/config/flowsieve']);
    assert.match(readFileSync(join(a.root, 'etc/config/flowsieve'), 'utf8'), /the owner's edit/);
    assert.not.match(String(a.opkg('list-installed').stdout), /flowsieve|txiki/);
  });

  const b = router('b', feedR1);
  b.opkg('update');
  b.opkg('install', 'flowsieve', 'luci-app-flowsieve');

  test('upgrade keeps a modified conffile and puts the new default beside it', () => {
    appendFileSync(join(b.root, 'etc/config/flowsieve'), "\n# the owner's edit\n");
    b.opkg('feed', feedR2);
    ok(b.opkg('update'), 'update');
    const r = b.opkg('upgrade', 'flowsieve');
    ok(r, 'upgrade');
    assert.match(String(b.opkg('list-installed').stdout), /flowsieve - 0\.1\.0-r2/);
    assert.match(readFileSync(join(b.root, 'etc/config/flowsieve'), 'utf8'), /the owner's edit/);
    assert.is(readFileSync(join(b.root, 'etc/config/flowsieve-opkg'), 'utf8'), readFileSync(join(ROOT, 'files/etc/config/flowsieve'), 'utf8'));
  });

  test('an unmodified conffile goes with the package', () => {
    const c = router('c', feedR1);
    c.opkg('update');
    ok(c.opkg('install', 'flowsieve'), 'install');
    ok(c.opkg('remove', 'flowsieve', 'txiki.js'), 'remove');
    assert.equal(filesIn(c.root), []);
  });

  test.after(() => rmSync(work, { recursive: true, force: true }));
}

test.run();
