#!/usr/bin/env node
// `npm run package`: the feed's packages as .ipk files for this host's architecture and a
// feed index opkg reads (Packages, Packages.gz), in dist/feed/ — without the OpenWrt SDK.
// GNU make runs the feed's own Makefiles against scripts/openwrt-host/ (a stand-in for
// the buildroot's package rules), so what gets packed is what those Makefiles say:
// native/ compiled with the host's cc, the bundle and files installed by their recipes.
//
//   node scripts/package.mjs [--out DIR] [--tjs PATH] [NAME=VALUE…]
//   --tjs PATH  also pack txiki.js from a tjs binary built elsewhere (never built here)
//   NAME=VALUE  handed to make (e.g. PKG_RELEASE=2 for an upgrade to test with)
//
// Reproducible: file times are the last commit's, owners 0, order fixed, gzip without
// names or times; the same inputs give byte-identical packages and index.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const shim = join(root, 'scripts/openwrt-host');
const args = process.argv.slice(2);
const valueOf = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const outDir = resolve(root, valueOf('--out') ?? 'dist/feed');
const tjs = valueOf('--tjs');
const makeVars = args.filter((a) => /^[A-Z_][A-Z0-9_]*=/.test(a));

/** The feed's packages: the directory of each Makefile, relative to the repository. */
const FEED_PACKAGES = [
  { dir: 'openwrt', name: 'flowsieve' },
  { dir: 'luci-app', name: 'luci-app-flowsieve' },
  { dir: 'openwrt/txiki.js', name: 'txiki.js', prebuilt: true },
];

let epoch = '0';
try {
  epoch = execFileSync('git', ['-C', root, 'log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim() || '0';
} catch {
  // not a git checkout: keep the fixed time 0
}

const work = mkdtempSync(join(tmpdir(), 'flowsieve-package-'));
try {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (f.endsWith('.ipk') || f.startsWith('Packages')) rmSync(join(outDir, f));

  for (const pkg of FEED_PACKAGES) {
    const vars = [
      `TOPDIR=${shim}`,
      `BUILD_DIR=${join(work, 'build')}`,
      `PACKAGE_DIR=${outDir}`,
      `SOURCE_DATE_EPOCH=${epoch}`,
      `FEED_SOURCE=feeds/flowsieve/${pkg.dir}`,
      ...makeVars,
    ];
    if (pkg.prebuilt) {
      if (!tjs) continue;
      // Where the Makefile's install recipe looks for the binary (its PKG_BUILD_DIR).
      const buildDir = makeVar(pkg.dir, vars, 'CMAKE_BINARY_DIR');
      mkdirSync(buildDir, { recursive: true });
      copyFileSync(resolve(tjs), join(buildDir, 'tjs'));
      vars.push('SKIP_BUILD=1');
    }
    execFileSync('make', ['--no-print-directory', '-s', '-C', join(root, pkg.dir), ...vars, 'ipk'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  writeIndex(outDir);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A variable's value as the package Makefile sees it. */
function makeVar(dir, vars, name) {
  const out = execFileSync(
    'make',
    ['--no-print-directory', '-s', '-C', join(root, dir), ...vars, `--eval=print-var: ; @echo $(${name})`, 'print-var'],
    { encoding: 'utf8' },
  );
  return out.trim();
}

/** Packages and Packages.gz as OpenWrt's ipkg-make-index.sh writes them. */
function writeIndex(dir) {
  const ipks = readdirSync(dir).filter((f) => f.endsWith('.ipk')).sort();
  const stanzas = ipks.map((file) => {
    const path = join(dir, file);
    const control = execFileSync('sh', ['-c', 'tar -xzOf "$1" ./control.tar.gz | tar -xzOf - ./control', 'sh', path], {
      encoding: 'utf8',
    });
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    const fields = `Filename: ${file}\nSize: ${statSync(path).size}\nSHA256sum: ${sha256}\n`;
    const installed = /^Installed-Size: (\d+)$/m.exec(control)?.[1];
    console.log(`${file}: ${statSync(path).size} bytes, installed ${installed} bytes`);
    return control.replace(/^Description:/m, `${fields}Description:`).replace(/\n*$/, '\n');
  });
  const index = stanzas.join('\n');
  writeFileSync(join(dir, 'Packages'), index);
  writeFileSync(join(dir, 'Packages.gz'), gzipSync(index, { level: 9 }));
  console.log(`${join(dir, 'Packages')}: ${ipks.length} packages`);
}

