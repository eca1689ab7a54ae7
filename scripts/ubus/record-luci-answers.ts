/**
 * The daemon on a real ubusd with real traffic, recorded: the live lab (client, router
 * with `flowsieve run`, server in network namespaces; test/helpers/lab.ts), a ubusd built
 * under /tmp, the ubus CLI. Prints each command and its output (the check the issue asks
 * for: list -v, call status, listen for action events, re-registration after ubusd
 * restarts) and writes the answers LuCI's page asks for to test/fixtures/luci/answers.json,
 * which the page test's JSON-RPC server replays.
 *   node --import tsx scripts/ubus/record-luci-answers.ts [--runtime tjs] [--no-write]
 * Needs root (namespaces), `npm run build`, and ubusd/ubus under $OPENWRT_TOOLS
 * (default /tmp/openwrt-tools/prefix).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, sleep } from '../../test/helpers/lab.js';

const PREFIX = process.env.OPENWRT_TOOLS ?? '/tmp/openwrt-tools/prefix';
const tjs = process.argv.includes('--runtime') ? process.argv[process.argv.indexOf('--runtime') + 1]! : null;
const write = !process.argv.includes('--no-write');

const CONFIG = `
config globals 'globals'
	option queue '0'
	option packet_cap '32'
	option timezone 'UTC'
	list lan 'r0'
	list wan 'r1'

config target 'log_it'
	option target_type 'log'
	option path '/tmp'

config action 'streaming'
	list criteria "category == 'streaming-media';"
	list target 'log_it'

config action 'wiki'
	list criteria "detected_hostname == 'www.wikipedia.org';"
	list target 'log_it'
`;

function ubus(sock: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(join(PREFIX, 'bin/ubus'), ['-s', sock, '-t', '5', ...args]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

async function shown(sock: string, ...args: string[]): Promise<string> {
  const r = await ubus(sock, ...args);
  console.log(`$ ubus ${args.map((a) => (/[ {"*]/.test(a) ? `'${a}'` : a)).join(' ')}    (rc ${r.code})\n${r.out.trimEnd()}\n`);
  return r.out;
}

async function until(what: string, f: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const lab = new Lab();
let ubusd: ChildProcess | null = null;
let listener: ChildProcess | null = null;
let subscriber: ChildProcess | null = null;
try {
  const sock = join(lab.dir, 'ubus.sock');
  const startUbusd = async () => {
    ubusd = spawn(join(PREFIX, 'sbin/ubusd'), ['-s', sock], { stdio: 'ignore' });
    await until('ubusd', async () => existsSync(sock));
  };
  await startUbusd();
  await lab.startServers();
  const config = lab.writeConfig('flowsieve', CONFIG);
  const daemon = await lab.startDaemon(config, ['--ubus', sock], tjs ? [tjs, 'run'] : [process.execPath]);
  await until('the flowsieve object', async () => (await ubus(sock, 'list')).out.includes('flowsieve'));
  console.log(`# flowsieve run under ${tjs ? 'txiki.js' : 'Node'} in a network namespace, ubusd at ${sock}\n`);
  await shown(sock, 'list', '-v', 'flowsieve');

  let heard = '';
  listener = spawn(join(PREFIX, 'bin/ubus'), ['-s', sock, 'listen', 'flowsieve.*']);
  listener.stdout!.on('data', (d: Buffer) => (heard += d.toString()));
  let notified = '';
  subscriber = spawn(join(PREFIX, 'bin/ubus'), ['-s', sock, 'subscribe', 'flowsieve']);
  subscriber.stdout!.on('data', (d: Buffer) => (notified += d.toString()));
  await sleep(300);

  const traffic = lab.clientStart(['tls:www.netflix.com:400000', 'tls:github.com:20000', 'http:www.wikipedia.org:300000', 'dns:www.youtube.com', 'udp:hello', 'tls:www.wikipedia.org:50000', '--repeat', '3', '--every', '300']);
  // Answers while the flows are active: what the overview shows.
  await until('active flows', async () => {
    const r = await ubus(sock, 'call', 'flowsieve', 'flows', '{"limit":50}');
    return r.code === 0 && JSON.parse(r.out).total >= 6;
  }, 20_000);
  const answers: Record<string, unknown> = {};
  answers.status = JSON.parse(await shown(sock, 'call', 'flowsieve', 'status'));
  answers.apps = JSON.parse(await shown(sock, 'call', 'flowsieve', 'apps', '{"window":300,"limit":20}'));
  answers.flows = JSON.parse(await shown(sock, 'call', 'flowsieve', 'flows', '{"limit":50}'));
  await traffic.done;
  answers.actions = JSON.parse(await shown(sock, 'call', 'flowsieve', 'actions'));
  answers.checkGood = JSON.parse(await shown(sock, 'call', 'flowsieve', 'check', JSON.stringify({ config: "config target 'form_check_target'\n\toption target_type 'log'\n\nconfig action 'form_check'\n\tlist target 'form_check_target'\n\tlist criteria \"category == 'games';\"\n" })));
  answers.checkBad = JSON.parse(await shown(sock, 'call', 'flowsieve', 'check', JSON.stringify({ config: "config target 'form_check_target'\n\toption target_type 'log'\n\nconfig action 'form_check'\n\tlist target 'form_check_target'\n\tlist criteria 'category == ;'\n" })));
  await until('action events', async () => heard.includes('flowsieve.action'));
  console.log(`$ ubus listen 'flowsieve.*'    (first lines)\n${heard.trimEnd().split('\n').slice(0, 3).join('\n')}\n`);
  await until('notifications', async () => notified.includes('"action"'));
  console.log(`$ ubus subscribe flowsieve    (first line)\n${notified.trimEnd().split('\n')[0]}\n`);

  ubusd!.kill();
  await sleep(500);
  await startUbusd();
  await until('re-registration', async () => (await ubus(sock, 'list')).out.includes('flowsieve'), 10_000);
  console.log('# ubusd restarted');
  await shown(sock, 'list');
  const again = JSON.parse((await ubus(sock, 'call', 'flowsieve', 'status')).out);
  console.log(`# status after the restart: uptime ${again.uptime}s, flows ${again.flows}, action_firings ${again.action_firings}\n`);
  console.log(`# daemon log (last lines)\n${daemon.stderr.trimEnd().split('\n').slice(-6).join('\n')}`);

  if (write) {
    const dir = new URL('../../test/fixtures/luci/', import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'answers.json'), JSON.stringify({ source: 'scripts/ubus/record-luci-answers.ts: flowsieve run in the live lab, answers through ubusd and the ubus CLI', runtime: tjs ? 'txiki.js' : 'node', ...answers }, null, 1) + '\n');
  }
} finally {
  listener?.kill();
  subscriber?.kill();
  (ubusd as ChildProcess | null)?.kill();
  lab.close();
}
