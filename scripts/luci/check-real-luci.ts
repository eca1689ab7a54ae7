/**
 * The LuCI pages on the real LuCI runtime (a local check, not a test: it needs root and
 * ucode, rpcd, uhttpd, libubox/ubus/uci built under /tmp from fetched snapshots, none of
 * which CI has or the repository holds). scripts/luci/real-luci-root.sh lays out an
 * offline root (luci-base's ucode dispatcher and templates, the bootstrap theme,
 * luci-app-flowsieve, rpcd ACLs, a login) and runs ubusd, rpcd and uhttpd chrooted in it;
 * flowsieve run in the live lab's namespaces with traffic registers on that ubusd with
 * /etc/config/flowsieve of the root as its config. Chromium logs in through LuCI's login
 * page, screenshots each view, adds an action through the form and presses Save & Apply;
 * the script prints what reached ROOT/etc/config/flowsieve and the daemon's reload.
 *   LUCI_DIR=/tmp/lucistack/src/luci UCODE_PREFIX=/tmp/lucistack/prefix \
 *   OPENWRT_TOOLS=/tmp/openwrt-tools/prefix ROOT=/tmp/lucistack/root OUT=docs/luci \
 *   RPCD_ACL=/tmp/lucistack/src/rpcd/unauthenticated.json \
 *   node --import tsx scripts/luci/check-real-luci.ts
 * RUNTIME=/path/to/tjs runs the daemon under txiki.js.
 * The build that worked (Debian 12; P=/tmp/openwrt-tools/prefix, U=/tmp/lucistack/prefix;
 * every project with cmake -DCMAKE_INSTALL_PREFIX=$U -DCMAKE_C_FLAGS="-I$P/include
 * -I$U/include" -DCMAKE_{EXE,SHARED,MODULE}_LINKER_FLAGS="-L$U/lib -L$P/lib"
 * -DCMAKE_INSTALL_RPATH="$U/lib;$P/lib", and -Werror taken out of the CMakeLists of
 * uhttpd, rpcd and lucihttp, which gcc 12 trips): jow-/ucode -DRTNL_SUPPORT=OFF
 * -DNL80211_SUPPORT=OFF -DZLIB_SUPPORT=OFF -DDIGEST_SUPPORT=OFF; jow-/lucihttp
 * -DBUILD_LUA=OFF -DBUILD_TESTS=OFF; openwrt/uhttpd -DTLS_SUPPORT=OFF -DLUA_SUPPORT=OFF;
 * openwrt/rpcd -DIWINFO_SUPPORT=OFF; make install each.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Lab, sleep } from '../../test/helpers/lab.js';
import { CONFIG } from './lab-config.js';
import { addAction, openView, shootOtherViews } from './page-steps.js';

const env = (k: string, d: string) => process.env[k] ?? d;
const TOOLS = env('OPENWRT_TOOLS', '/tmp/openwrt-tools/prefix');
const UCODE = env('UCODE_PREFIX', '/tmp/lucistack/prefix');
const LUCI_DIR = env('LUCI_DIR', '/tmp/lucistack/src/luci');
const ROOT = env('ROOT', '/tmp/lucistack/root');
const OUT = env('OUT', 'docs/luci');
const PORT = env('PORT', '8091');
const RUNTIME = process.env.RUNTIME ? [process.env.RUNTIME, 'run'] : [process.execPath];
const STACK = new URL('./real-luci-root.sh', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
mkdirSync(join(ROOT, 'etc/config'), { recursive: true });
const confFile = join(ROOT, 'etc/config/flowsieve');
writeFileSync(confFile, CONFIG);
const sock = join(ROOT, 'var/run/ubus/ubus.sock');
rmSync(sock, { force: true });

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await sleep(100); }
  throw new Error(`timed out: ${what}`);
}
const ubus = (...args: string[]) => spawnSync(join(TOOLS, 'bin/ubus'), ['-s', sock, ...args], { encoding: 'utf8' }).stdout;

const lab = new Lab();
const kids: ChildProcess[] = [];
try {
  const stack = spawn(STACK, [ROOT, LUCI_DIR, UCODE, TOOLS, PORT], { stdio: ['ignore', 'pipe', 'pipe'] });
  kids.push(stack);
  let stackOut = '';
  const log = (d: Buffer) => { stackOut += d; process.stdout.write(d); };
  stack.stdout!.on('data', log);
  stack.stderr!.on('data', log);
  await until('LuCI stack', () => stackOut.includes('LuCI at'), 30000);
  await lab.startServers();
  const daemon = await lab.startDaemon(confFile, ['--ubus', sock], RUNTIME);
  writeFileSync(join(ROOT, 'var/run/flowsieve.pid'), `${daemon.child.pid}\n`);
  await until('object', () => ubus('list').includes('flowsieve'));
  console.log('ubus list:\n' + ubus('list'));
  const traffic = lab.clientStart(['tls:www.netflix.com:400000', 'tls:github.com:20000', 'http:www.wikipedia.org:300000', 'dns:www.youtube.com', 'udp:hello', 'tls:www.wikipedia.org:50000', '--repeat', '40', '--every', '400']);
  await sleep(4000);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log('CONSOLE', m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) console.log('HTTP', r.status(), r.url()); });
  const base = `http://127.0.0.1:${PORT}/cgi-bin/luci/admin/services/flowsieve`;
  const shot = async (name: string) => { await page.screenshot({ path: join(OUT, `live-${name}.png`), fullPage: true }); console.log('shot', name); };

  // LuCI's login page (sysauth), answered by rpcd's session.login
  await page.goto(`${base}/overview`);
  await page.locator('input[name="luci_password"]').fill('flowsieve');
  await page.locator('input[name="luci_password"]').press('Enter');
  await page.waitForSelector('.fs-flows', { timeout: 20000 });
  await sleep(6000); // one poll, so queue health compares two readings
  await shot('overview');

  await openView(page, base, 'actions');
  await shot('actions');

  await addAction(page, shot);
  const hups = () => (daemon.stderr.match(/SIGHUP: reloading/g) ?? []).length;
  const before = hups();
  await page.locator('.cbi-page-actions').getByText('Save & Apply').first().click();
  await until('config file', () => readFileSync(confFile, 'utf8').includes('games_night'), 30000);
  await until('daemon reload', () => hups() > before, 30000);
  // LuCI confirms the apply (rollback token), says so, then reloads the page itself;
  // navigating before that reload aborts or cancels it
  const reloaded = page.waitForEvent('load', { timeout: 60000 });
  await page.getByText('Configuration changes applied.').first().waitFor({ timeout: 60000 });
  await reloaded;
  await openView(page, base, 'actions');
  await shot('actions-saved');
  console.log(`${confFile} after apply:\n` + readFileSync(confFile, 'utf8').split('\n').slice(-8).join('\n'));

  // rpcd rolls an unconfirmed apply back after the rollback time (LuCI asks for 90 s):
  // the action still there after that means LuCI's page confirmed it.
  await sleep(95_000);
  if (!readFileSync(confFile, 'utf8').includes('games_night')) throw new Error('apply was rolled back');
  console.log('after the rollback time the action is still in the config (apply confirmed)');

  await shootOtherViews(page, base, shot);
  await browser.close();
  await traffic.done.catch(() => {});
  console.log('daemon log (reload/ubus):\n' + daemon.stderr.split('\n').filter((l) => /reload|ubus|SIGHUP/.test(l)).slice(-6).join('\n'));
  console.log('ubus call flowsieve status:\n' + ubus('call', 'flowsieve', 'status').slice(0, 600));
} finally {
  for (const k of kids) k.kill();
  lab.close();
  if (existsSync(join(ROOT, 'var/run/flowsieve.pid'))) rmSync(join(ROOT, 'var/run/flowsieve.pid'));
}
