#!/usr/bin/env node
// `npm run dist`: the release source tarball the OpenWrt feed builds from
// (openwrt/Makefile's PKG_SOURCE), dist/flowsieve-<version>.tar.gz. It holds what the SDK
// cannot make — the JavaScript bundle, built here — next to the C sources it compiles and
// the files it installs. Reproducible: entries sorted, owners 0, times the last commit's,
// gzip without a name or time, so the same tree gives the same bytes (and PKG_HASH).
//
//   node scripts/dist.mjs [--out DIR] [--set-hash]
//   --set-hash  write the tarball's SHA-256 into openwrt/Makefile's PKG_HASH (a release step)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outDir = resolve(root, valueOf('--out') ?? 'dist');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const name = `flowsieve-${version}`;

function valueOf(flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Tracked files under these paths (never build output or stray local files). */
const TRACKED = ['native', 'files', 'README.md', 'package.json'];
/** Made by the build, not tracked. */
const BUILT = ['dist/flowsieve.js'];

for (const f of BUILT) {
  if (!existsSync(join(root, f))) {
    console.error(`dist: ${f} is missing (run npm run build)`);
    process.exit(1);
  }
}
const git = (...a) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' });
const tracked = git('ls-files', '-z', '--', ...TRACKED).split('\0').filter((f) => f && existsSync(join(root, f)));
const files = [...tracked, ...BUILT].sort();
// The last commit that changed what the tarball is made from: not openwrt/, whose
// PKG_HASH (set from this tarball) would otherwise change the tarball it names.
const epoch = git('log', '-1', '--format=%ct', '--', '.', ':(exclude)openwrt').trim() || '0';

mkdirSync(outDir, { recursive: true });
const tarball = join(outDir, `${name}.tar.gz`);
const tar = execFileSync(
  'tar',
  [
    '--format=gnu', '--sort=name', '--numeric-owner', '--owner=0', '--group=0',
    '--mode=u+rwX,go+rX,go-w', `--mtime=@${epoch}`,
    `--transform=s,^,${name}/,`, '-C', root, '--null', '-T', '-', '-cf', '-',
  ],
  { input: files.join('\0'), maxBuffer: 64 << 20 },
);
writeFileSync(tarball, execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 64 << 20 }));
const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
console.log(`${tarball}: ${files.length} files, sha256 ${sha256}`);

if (args.includes('--set-hash')) {
  const mk = join(root, 'openwrt/Makefile');
  const text = readFileSync(mk, 'utf8');
  if (!/^PKG_HASH:=.*$/m.test(text)) throw new Error('openwrt/Makefile has no PKG_HASH line');
  writeFileSync(mk, text.replace(/^PKG_HASH:=.*$/m, `PKG_HASH:=${sha256}`));
  console.log(`openwrt/Makefile: PKG_HASH:=${sha256}`);
}
