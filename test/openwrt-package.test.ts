/**
 * The OpenWrt feed's packages, as opkg on a router receives them. `npm run package`
 * (scripts/package.mjs) builds them by running the feed's Makefiles with make; here every
 * package is taken apart and held against the Makefile it came from, read as text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  expand,
  luciLayout,
  packageFields,
  promisedFiles,
  readIpk,
  readMakefile,
  ROOT,
  runtimeDepends,
  type Ipk,
  type PromisedFile,
} from './helpers/openwrt-feed.js';

const HOST_ARCH = arch() === 'x64' ? 'x86_64' : arch();
const work = mkdtempSync(join(tmpdir(), 'fs-openwrt-package-'));
const pack = (out: string) =>
  execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8' });
const feed = join(work, 'feed');
pack(feed);

interface FeedPackage {
  readonly name: string;
  readonly dir: string;
  readonly version: string;
  readonly arch: string;
  readonly section: string;
  readonly depends: string[];
  readonly license: string;
  readonly maintainer: string;
  readonly conffiles: string[];
  readonly files: PromisedFile[];
  readonly scripts: Map<string, string>;
}

/** What a package Makefile promises, read from its text. */
function fromMakefile(dir: string): FeedPackage {
  const mk = readMakefile(join(ROOT, dir, 'Makefile'));
  const v = (name: string) => expand(mk, mk.vars.get(name) ?? '');
  const luci = mk.vars.has('LUCI_NAME');
  const name = luci ? v('LUCI_NAME') : /BuildPackage,([^)]+)\)/.exec(readFileSync(join(ROOT, dir, 'Makefile'), 'utf8'))![1]!;
  const fields = luci ? new Map<string, string>() : packageFields(mk.defines.get(`Package/${name}`)!);
  const pkgArch = luci ? v('LUCI_PKGARCH') : fields.get('PKGARCH') ?? HOST_ARCH;
  const deps = runtimeDepends(luci ? v('LUCI_DEPENDS') : fields.get('DEPENDS') ?? '');
  const scripts = new Map<string, string>();
  for (const [s, file] of [['postinst', 'postinst-pkg'], ['prerm', 'prerm-pkg'], ['postrm', 'postrm']] as const) {
    const body = mk.defines.get(`Package/${name}/${s}`);
    if (body !== undefined) scripts.set(file, body.replace(/\$\$/g, '$') + '\n');
  }
  return {
    name,
    dir,
    version: `${v('PKG_VERSION')}-r${v('PKG_RELEASE')}`,
    arch: pkgArch,
    section: luci ? 'luci' : fields.get('SECTION')!,
    depends: pkgArch === 'all' ? deps : ['libc', ...deps],
    license: v('PKG_LICENSE'),
    maintainer: v('PKG_MAINTAINER'),
    conffiles: (mk.defines.get(`Package/${name}/conffiles`) ?? '').split('\n').map((l) => l.trim()).filter(Boolean),
    files: luci ? luciLayout(join(ROOT, dir)) : promisedFiles(mk.defines.get(`Package/${name}/install`)!),
    scripts,
  };
}

const PACKAGES = [fromMakefile('openwrt'), fromMakefile('luci-app')];
const ipkPath = (p: FeedPackage) => join(feed, `${p.name}_${p.version}_${p.arch}.ipk`);
const ipks = new Map<string, Ipk>(PACKAGES.map((p) => [p.name, readIpk(ipkPath(p))]));

test('npm run package makes one .ipk per feed package and nothing else (txiki.js only from a given tjs)', () => {
  const made = readdirSync(feed).filter((f) => f.endsWith('.ipk')).sort();
  assert.equal(made, PACKAGES.map((p) => `${p.name}_${p.version}_${p.arch}.ipk`).sort());
});

test('an .ipk is a gzip\'d tar of debian-binary 2.0, data.tar.gz and control.tar.gz, in that order (not ar)', () => {
  for (const p of PACKAGES) {
    const bytes = readFileSync(ipkPath(p));
    assert.equal([bytes[0], bytes[1]], [0x1f, 0x8b], `${p.name}: gzip magic`);
    const ipk = ipks.get(p.name)!;
    assert.equal(ipk.outer.map((e) => e.path), ['./debian-binary', './data.tar.gz', './control.tar.gz'], p.name);
    assert.is(ipk.debianBinary, '2.0\n');
    for (const e of [...ipk.outer, ...ipk.data, ...ipk.controlEntries]) assert.is(e.owner, '0/0', `${p.name}: ${e.path} owned by root`);
  }
});

test('control fields are the Makefile\'s: name, version-release, arch, section, resolved DEPENDS, license, maintainer', () => {
  for (const p of PACKAGES) {
    const c = ipks.get(p.name)!.control;
    assert.is(c.get('Package'), p.name);
    assert.is(c.get('Version'), p.version);
    assert.is(c.get('Architecture'), p.arch);
    assert.is(c.get('Section'), p.section);
    assert.equal(c.get('Depends')!.split(', '), p.depends, `${p.name} Depends`);
    assert.is(c.get('License'), p.license);
    assert.is(c.get('Maintainer'), p.maintainer);
    assert.is(c.get('Source'), `feeds/flowsieve/${p.dir}`);
    assert.ok(c.get('Description')!.trim().length > 20, `${p.name} has a description`);
  }
});

test('flowsieve depends on the runtime, the netfilter libraries and kernel modules; fw3-only ones stay out', () => {
  const deps = ipks.get('flowsieve')!.control.get('Depends')!.split(', ');
  for (const d of ['txiki.js', 'libnetfilter-queue', 'libnetfilter-conntrack', 'libnftnl', 'libmnl', 'kmod-nfnetlink-queue', 'kmod-nft-queue', 'kmod-nf-conntrack-netlink', 'kmod-nft-core']) {
    assert.ok(deps.includes(d), d);
  }
  assert.not.ok(deps.includes('kmod-ipt-nfqueue'), 'kmod-ipt-nfqueue only with the fw3 firewall');
  assert.equal(ipks.get('luci-app-flowsieve')!.control.get('Depends')!.split(', '), ['luci-base', 'flowsieve']);
});

const matches = (promised: PromisedFile, path: string) =>
  promised.path.includes('*')
    ? new RegExp(`^${promised.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(path)
    : promised.path === path;

test('the data files are exactly what the install recipe promises, with its modes', () => {
  for (const p of PACKAGES) {
    const files = ipks.get(p.name)!.data.filter((e) => e.type !== 'dir').map((e) => ({ ...e, path: e.path.replace(/^\./, '') }));
    for (const f of files) {
      const promise = p.files.find((x) => matches(x, f.path));
      assert.ok(promise, `${p.name}: ${f.path} is not in the Makefile's install recipe`);
      assert.is(f.mode.toString(8), promise!.mode.toString(8), `${p.name}: mode of ${f.path}`);
    }
    for (const promise of p.files) assert.ok(files.some((f) => matches(promise, f.path)), `${p.name}: ${promise.path} missing`);
  }
});

test('every file of files/ (what the package puts on the router) is in the flowsieve package', () => {
  const tracked = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '--', 'files'], { encoding: 'utf8' }).split('\0').filter(Boolean);
  const installed = new Set(ipks.get('flowsieve')!.data.map((e) => e.path.replace(/^\./, '')));
  for (const f of tracked) {
    const path = f.replace(/^files/, '');
    assert.ok(installed.has(path), `${f} is not installed: add it to Package/flowsieve/install in openwrt/Makefile`);
  }
});

test('flowsieve carries a native module for each native/ directory the build makes', () => {
  const so = ipks.get('flowsieve')!.data.filter((e) => /\/usr\/lib\/flowsieve\/libflowsieve-.+\.so$/.test(e.path));
  assert.ok(so.length >= 1, 'at least the NFQUEUE module');
  const kinds = execFileSync('sh', ['-c', 'tar -xzOf "$1" ./data.tar.gz | tar -xzf - -C "$2" && file -b "$2"/usr/lib/flowsieve/*.so', 'sh', ipkPath(PACKAGES[0]!), mkdtempSync(join(work, 'so-'))], { encoding: 'utf8' });
  for (const line of kinds.trim().split('\n')) assert.match(line, /ELF .* shared object/);
});

test('conffiles and maintainer scripts are the Makefile\'s; OpenWrt\'s wrappers hand over to default_postinst/prerm', () => {
  for (const p of PACKAGES) {
    const files = ipks.get(p.name)!.controlFiles;
    const conffiles = files.get('conffiles')?.toString('utf8').trim().split('\n').filter(Boolean) ?? [];
    assert.equal(conffiles, p.conffiles, `${p.name} conffiles`);
    for (const [file, text] of p.scripts) assert.is(files.get(file)?.toString('utf8'), text, `${p.name} ${file}`);
    assert.match(files.get('postinst')!.toString('utf8'), /default_postinst \$0 \$@/);
    assert.match(files.get('prerm')!.toString('utf8'), /default_prerm \$0 \$@/);
  }
  assert.equal(PACKAGES[0]!.conffiles, ['/etc/config/flowsieve']);
  assert.equal([...PACKAGES[0]!.scripts.keys()].sort(), ['postinst-pkg', 'postrm', 'prerm-pkg']);
});

test('maintainer scripts act on a live system only (not while an image is built)', () => {
  for (const [file, text] of PACKAGES[0]!.scripts) assert.match(text, /if \[ -z "\$\{IPKG_INSTROOT\}" \]/, file);
});

test('installed sizes: flowsieve (without the runtime) under 1 MB, luci-app-flowsieve under 100 KB', () => {
  const size = (name: string) => Number(ipks.get(name)!.control.get('Installed-Size'));
  assert.ok(size('flowsieve') < 1_000_000, `flowsieve ${size('flowsieve')} bytes`);
  assert.ok(size('luci-app-flowsieve') < 100_000, `luci-app-flowsieve ${size('luci-app-flowsieve')} bytes`);
});

test('the feed index lists every package with its file name, size and SHA-256; Packages.gz is the same text', () => {
  const index = readFileSync(join(feed, 'Packages'), 'utf8');
  assert.is(gunzipSync(readFileSync(join(feed, 'Packages.gz'))).toString('utf8'), index);
  const stanzas = index.trim().split(/\n\n/);
  assert.is(stanzas.length, PACKAGES.length);
  for (const p of PACKAGES) {
    const s = stanzas.find((x) => x.startsWith(`Package: ${p.name}\n`));
    assert.ok(s, p.name);
    const file = ipkPath(p);
    assert.match(s!, new RegExp(`^Filename: ${p.name}_${p.version}_${p.arch}\\.ipk$`, 'm'));
    assert.match(s!, new RegExp(`^Size: ${statSync(file).size}$`, 'm'));
    assert.match(s!, new RegExp(`^SHA256sum: ${createHash('sha256').update(readFileSync(file)).digest('hex')}$`, 'm'));
  }
});

test('reproducible: packing again gives byte-identical packages and index', () => {
  const again = join(work, 'again');
  pack(again);
  for (const f of readdirSync(feed)) assert.ok(readFileSync(join(feed, f)).equals(readFileSync(join(again, f))), f);
});

test('npm run dist: a reproducible release tarball holding what the Makefile builds from', () => {
  const dist = (out: string) => execFileSync(process.execPath, [join(ROOT, 'scripts/dist.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8' });
  const a = join(work, 'dist-a');
  const b = join(work, 'dist-b');
  dist(a);
  dist(b);
  const mk = readMakefile(join(ROOT, 'openwrt/Makefile'));
  const source = expand(mk, mk.vars.get('PKG_SOURCE')!);
  assert.ok(readFileSync(join(a, source)).equals(readFileSync(join(b, source))), 'same bytes twice');
  assert.match(mk.vars.get('PKG_HASH')!, /^[0-9a-f]{64}$/);
  const names = execFileSync('tar', ['-tzf', join(a, source)], { encoding: 'utf8' }).trim().split('\n');
  const top = `${expand(mk, '$(PKG_NAME)-$(PKG_VERSION)')}/`;
  assert.ok(names.every((n) => n.startsWith(top)), `every entry under ${top}`);
  // Every $(PKG_BUILD_DIR)/… the install recipe reads, and native/'s Makefile for Build/Compile.
  const reads = [...mk.defines.get('Package/flowsieve/install')!.matchAll(/\$\(PKG_BUILD_DIR\)\/(\S+)/g)].map((m) => m[1]!);
  for (const r of [...reads, 'native/Makefile']) {
    if (r.startsWith('native/build/')) continue; // made by Build/Compile
    assert.ok(names.includes(top + r), `${r} in the tarball`);
  }
});

test('built from the release tarball, flowsieve installs the same files as from the checkout', () => {
  const make = (extra: string[], out: string) =>
    execFileSync(
      'make',
      ['-s', '--no-print-directory', '-C', join(ROOT, 'openwrt'), `TOPDIR=${join(ROOT, 'scripts/openwrt-host')}`,
        `BUILD_DIR=${join(out, 'build')}`, `PACKAGE_DIR=${out}`, 'SOURCE_DATE_EPOCH=0', ...extra, 'ipk'],
      { encoding: 'utf8' },
    );
  const fromCheckout = join(work, 'mk-checkout');
  const fromTarball = join(work, 'mk-tarball');
  make([], fromCheckout);
  make([`FLOWSIEVE_CHECKOUT=${join(work, 'no-checkout')}`, `DL_DIR=${join(work, 'dist-a')}`], fromTarball);
  const p = PACKAGES[0]!;
  const data = (dir: string) => readIpk(join(dir, `${p.name}_${p.version}_${p.arch}.ipk`)).data.map((e) => `${e.path} ${e.mode.toString(8)} ${e.size}`);
  assert.equal(data(fromTarball), data(fromCheckout));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
