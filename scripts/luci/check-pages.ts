/**
 * The LuCI pages on LuCI's own client runtime with live data (a local check, not a test:
 * it needs root, a ubusd built under /tmp and a fetched openwrt/luci snapshot, none of
 * which CI has). flowsieve run in the live lab's namespaces with traffic, a real ubusd,
 * LuCI's luci-base and bootstrap theme served by scripts/luci/serve-luci.mjs; Chromium
 * opens each view, adds an action through the form and presses Save & Apply, then the
 * script prints what reached the config file. Screenshots go to OUT.
 *   LUCI_DIR=/tmp/luci OUT=docs/luci node --import tsx scripts/luci/check-pages.ts
 * RUNTIME=/path/to/tjs runs the daemon under txiki.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { Lab, sleep } from '../../test/helpers/lab.js';
import { CONFIG } from './lab-config.js';
import { addAction, openView, shootOtherViews } from './page-steps.js';

const PREFIX = process.env.OPENWRT_TOOLS ?? '/tmp/openwrt-tools/prefix';
const LUCI_DIR = process.env.LUCI_DIR ?? '/tmp/luci-rt';
const SERVE = new URL('./serve-luci.mjs', import.meta.url).pathname;
const OUT = process.env.OUT ?? 'docs/luci';
const RUNTIME = process.env.RUNTIME ? [process.env.RUNTIME, 'run'] : [process.execPath];
mkdirSync(OUT, { recursive: true });
const conf = mkdtempSync(join(tmpdir(), 'fs-conf-'));
writeFileSync(join(conf, 'flowsieve'), CONFIG);

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await sleep(100); }
  throw new Error(`timed out: ${what}`);
}
const ubusList = () => new Promise<string>((r) => { const p = spawn(join(PREFIX, 'bin/ubus'), ['-s', sock, 'list']); let o = ''; p.stdout.on('data', (d) => (o += d)); p.on('close', () => r(o)); });

const lab = new Lab();
const sock = join(lab.dir, 'ubus.sock');
const kids: ChildProcess[] = [];
try {
  kids.push(spawn(join(PREFIX, 'sbin/ubusd'), ['-s', sock], { stdio: 'ignore' }));
  await until('ubusd', () => existsSync(sock));
  await lab.startServers();
  const daemon = await lab.startDaemon(join(conf, 'flowsieve'), ['--ubus', sock], RUNTIME);
  await until('object', async () => (await ubusList()).includes('flowsieve'));
  const traffic = lab.clientStart(['tls:www.netflix.com:400000', 'tls:github.com:20000', 'http:www.wikipedia.org:300000', 'dns:www.youtube.com', 'udp:hello', 'tls:www.wikipedia.org:50000', '--repeat', '40', '--every', '400']);
  const serve = spawn(process.execPath, [process.env.SERVE ?? SERVE, LUCI_DIR, sock, conf, '8089'], { stdio: ['ignore', 'pipe', 'inherit'] });
  kids.push(serve);
  let serveOut = '';
  serve.stdout!.on('data', (d) => { serveOut += d; process.stdout.write(d); });
  await until('server', () => serveOut.includes('LuCI at'));
  await sleep(4000);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log('CONSOLE', m.text()); });
  const base = 'http://127.0.0.1:8089/cgi-bin/luci/admin/services/flowsieve';
  const shot = async (name: string) => { await page.screenshot({ path: join(OUT, `live-${name}.png`), fullPage: true }); console.log('shot', name); };

  await page.goto(`${base}/overview`);
  await page.waitForSelector('.fs-flows', { timeout: 15000 });
  await sleep(6000); // one poll, so queue health compares two readings
  await shot('overview');

  await openView(page, base, 'actions');
  await shot('actions');

  await addAction(page, shot);
  await page.locator('.cbi-page-actions').getByText('Save & Apply').first().click();
  await until('applied', () => serveOut.includes('apply:'), 20000);
  await sleep(7000);
  // Loaded afresh: what the page shows now comes from the committed config.
  await openView(page, base, 'actions');
  await shot('actions-saved');
  console.log('config after apply:\n' + readFileSync(join(conf, 'flowsieve'), 'utf8').split('\n').slice(-8).join('\n'));

  await shootOtherViews(page, base, shot);
  await browser.close();
  await traffic.done.catch(() => {});
  console.log('daemon log tail:\n' + daemon.stderr.split('\n').filter((l) => /reload|ubus|SIGHUP/.test(l)).slice(-5).join('\n'));
} finally {
  for (const k of kids) k.kill();
  lab.close();
}
