/**
 * The shell scripts of the OpenWrt package: every one parses (`sh -n`) and passes
 * shellcheck, and the package's life on a live router — install with its uci-defaults
 * (twice, as an upgrade runs them), the rule script applied and re-applied, removal — runs
 * against this machine's nft and iptables in private namespaces
 * (helpers/openwrt-live-system.sh). The uci parts use a real `uci` when one is on PATH
 * or built under /tmp/openwrt-tools (shared/tools/openwrt-tools.md).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMakefile, ROOT } from './helpers/openwrt-feed.js';

const work = mkdtempSync(join(tmpdir(), 'fs-openwrt-scripts-'));

/** Tracked files that start with a sh or bash shebang. */
function shellScripts(): string[] {
  const files = execFileSync('git', ['-C', ROOT, 'ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
  return files.filter((f) => {
    if (f.startsWith('node_modules/') || !existsSync(join(ROOT, f))) return false;
    const head = readFileSync(join(ROOT, f)).subarray(0, 40).toString('latin1');
    return /^#!\s*\/(usr\/)?bin\/(env )?(ba)?sh\b/.test(head);
  });
}

/** The maintainer scripts the Makefile defines, as files (make's $$ is the shell's $). */
function makefileScripts(): string[] {
  const mk = readMakefile(join(ROOT, 'openwrt/Makefile'));
  const out: string[] = [];
  for (const [name, body] of mk.defines) {
    const m = /^Package\/([^/]+)\/(preinst|postinst|prerm|postrm)$/.exec(name);
    if (!m) continue;
    const path = join(work, `${m[1]}.${m[2]}`);
    writeFileSync(path, body.replace(/\$\$/g, '$') + '\n');
    out.push(path);
  }
  return out;
}

const PACKAGE_SCRIPTS = [
  'files/etc/init.d/flowsieve',
  'files/etc/uci-defaults/90-flowsieve',
  'files/usr/share/flowsieve/firewall.include',
  'files/usr/bin/flowsieve',
];

test('the package\'s own scripts are found among the shell scripts checked', () => {
  const found = shellScripts();
  for (const s of PACKAGE_SCRIPTS) assert.ok(found.includes(s), s);
  assert.equal(makefileScripts().map((p) => p.split('/').pop()).sort(), ['flowsieve.postinst', 'flowsieve.postrm', 'flowsieve.prerm']);
});

test('every shell script parses with sh -n (bash ones with bash -n)', () => {
  for (const f of [...shellScripts().map((s) => join(ROOT, s)), ...makefileScripts()]) {
    const bash = /bash/.test(readFileSync(f, 'utf8').split('\n')[0]!);
    const r = spawnSync(bash ? 'bash' : 'sh', ['-n', f], { encoding: 'utf8' });
    assert.is(r.status, 0, `${f}: ${r.stderr}`);
  }
});

test('every shell script passes shellcheck', () => {
  for (const f of [...shellScripts().map((s) => join(ROOT, s)), ...makefileScripts()]) {
    const sh = /bash/.test(readFileSync(f, 'utf8').split('\n')[0]!) ? 'bash' : 'sh';
    const r = spawnSync('shellcheck', ['-s', sh, f], { encoding: 'utf8' });
    assert.is(r.error, undefined, 'shellcheck is installed (scripts/setup-debian.sh)');
    assert.is(r.status, 0, `${f}:\n${r.stdout}${r.stderr}`);
  }
});

// ---------------------------------------------------------------- a live router

const isRoot = process.getuid?.() === 0;
const uciDir = [process.env.PATH ?? '', '/tmp/openwrt-tools/prefix/bin']
  .flatMap((p) => p.split(':'))
  .find((d) => d && existsSync(join(d, 'uci')));
/** A txiki.js to run the installed bundle with, when one was built here; else Node. */
const tjs = [process.env.TJS, '/tmp/txiki-build/txiki.js/build/tjs'].find((p) => p && existsSync(p));

function liveSystem(): Map<string, string> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--out', join(work, 'feed')], { cwd: ROOT });
  const mk = readMakefile(join(ROOT, 'openwrt/Makefile'));
  const ipk = join(work, 'feed', `flowsieve_${mk.vars.get('PKG_VERSION')}-r${mk.vars.get('PKG_RELEASE')}_x86_64.ipk`);
  mkdirSync('/tmp/.uci', { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${uciDir ? uciDir + ':' : ''}${process.env.PATH}` };
  if (tjs) env.TJS = tjs;
  else {
    const node = join(work, 'flowsieve-node');
    writeFileSync(node, `#!/bin/sh\nexec ${process.execPath} /usr/share/flowsieve/flowsieve.js "$@"\n`);
    chmodSync(node, 0o755);
    env.FLOWSIEVE = node;
  }
  const r = spawnSync('unshare', ['--net', '--mount', 'sh', join(ROOT, 'test/helpers/openwrt-live-system.sh'), join(work, 'live'), ipk], {
    encoding: 'utf8',
    env,
  });
  assert.is(r.status, 0, `live system run failed:\n${r.stdout}\n${r.stderr}`);
  const sections = new Map<string, string>();
  for (const part of r.stdout.split(/^== /m).slice(1)) {
    const nl = part.indexOf('\n');
    sections.set(part.slice(0, nl), part.slice(nl + 1).trim());
  }
  return sections;
}

if (isRoot) {
  mkdirSync(join(work, 'live'), { recursive: true });
  const live = liveSystem();
  const lines = (s: string) => (live.get(s) ?? '').split('\n');

  if (uciDir) {
    test('uci-defaults registers the fw4 include (type script, fw4_compatible) pointing at the rule script', () => {
      const include = lines('include');
      assert.ok(include.includes('firewall.flowsieve=include'), live.get('include'));
      assert.ok(include.includes("firewall.flowsieve.type='script'"));
      assert.ok(include.includes("firewall.flowsieve.fw4_compatible='1'"));
      assert.ok(include.includes("firewall.flowsieve.path='/usr/share/flowsieve/firewall.include'"));
    });

    test('uci-defaults gives the wan role to the wan interface\'s device', () => {
      assert.is(live.get('wan'), 'eth1');
    });

    test('uci-defaults run again (an upgrade) adds no second include and no second wan entry', () => {
      assert.equal(lines('upgrade'), ['1', 'eth1']);
    });

    test('removal takes the include away', () => {
      assert.ok(lines('after').includes('no include'), live.get('after'));
    });
  } else {
    console.log('openwrt-scripts: no uci binary (PATH or /tmp/openwrt-tools/prefix/bin): uci parts not run');
  }

  test('the labels go into connlabel.conf for nft and for xtables once, each as one flowsieve block', () => {
    const text = live.get('connlabel')!;
    assert.is(text.match(/^# flowsieve begin$/gm)?.length, 2);
    assert.is(text.match(/^# flowsieve end$/gm)?.length, 2);
    const shipped = readFileSync(join(ROOT, 'files/usr/share/flowsieve/connlabel.conf'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const l of shipped) assert.is(text.split('\n').filter((x) => x === l).length, 2, l);
  });

  test('the rule script applies the rules as the daemon does on this kernel (it lacks nft queue: the queue rule in iptables, labels in nft)', () => {
    const apply = lines('apply');
    assert.ok(apply.includes('rc=0'), live.get('apply'));
    assert.ok(apply.some((l) => /^-A flowsieve .*-j NFQUEUE .*--queue-bypass/.test(l)), live.get('apply'));
    assert.ok(apply.includes('-A FORWARD -j flowsieve'));
    // Label names resolve through /etc/connlabel.conf as uci-defaults filled it.
    assert.ok(apply.some((l) => l.trim() === 'ct label set "flowsieve-init" counter'), live.get('apply'));
  });

  test('re-applied (a firewall reload), the rules are the same and what the daemon put in sets stays', () => {
    const again = lines('reapply');
    assert.ok(again.includes('rc=0'), live.get('reapply'));
    const rules = (l: string[]) => l.filter((x) => /^-A |^\s+(ct |type filter)/.test(x));
    assert.equal(rules(again), rules(lines('apply')));
    assert.is(again.filter((l) => l === '-A FORWARD -j flowsieve').length, 1, 'one jump');
    assert.ok(again.some((l) => l.includes('elements = { 198.51.100.9 }')), live.get('reapply'));
  });

  test('the nft form of the rules, but for its queue rule, passes the kernel\'s check (label names via /etc/connlabel.conf)', () => {
    const out = lines('nft form');
    assert.ok(Number(out[0]) >= 1, 'it has a queue rule');
    assert.ok(out.includes('nft -c ok'), live.get('nft form'));
  });

  test('removal leaves no flowsieve table, chain or label behind', () => {
    const after = lines('after');
    assert.not.ok(after.some((l) => /flowsieve/.test(l) && /^table /.test(l)), live.get('after'));
    assert.ok(after.includes('0'), 'no iptables rule mentions flowsieve');
    assert.ok(after.some((l) => /\/etc\/connlabel.conf.*No such file/.test(l)));
    assert.ok(after.some((l) => /\/etc\/xtables\/connlabel.conf.*No such file/.test(l)));
  });
} else {
  console.log('openwrt-scripts: not root: the live-router run needs namespaces');
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
