#!/usr/bin/env node
// Serves LuCI's own client runtime (a luci checkout's luci-base htdocs and the bootstrap
// theme) with flowsieve's luci-app on top, for checking the pages in a browser on a
// host: the HTML shell view.ut/header.ut would render, and LuCI's JSON-RPC (/ubus/)
// answered by the real tools — `uci` calls by the uci CLI (libuci) on a config dir,
// `flowsieve` calls by the ubus CLI on a real ubusd where the daemon is registered.
// Save & Apply commits with uci and reloads the daemon through `ubus call flowsieve
// reload` (on a router, procd's reload trigger does that).
//   node scripts/luci/serve-luci.mjs LUCI_DIR UBUS_SOCK CONFDIR [PORT]
// (LUCI_DIR: a checkout of openwrt/luci, kept outside the repository.)
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { tmpdir } from 'node:os';

const [luciDir, ubusSock, confDir, portArg] = process.argv.slice(2);
const PREFIX = process.env.OPENWRT_TOOLS ?? '/tmp/openwrt-tools/prefix';
const APP = process.env.LUCI_APP ?? new URL('../../luci-app/', import.meta.url).pathname;
const saveDir = mkdtempSync(join(tmpdir(), 'luci-uci-'));
const ROOTS = [join(APP, 'htdocs'), join(luciDir, 'modules/luci-base/htdocs'), join(luciDir, 'themes/luci-theme-bootstrap/htdocs')];
const TYPES = { '.js': 'application/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.gif': 'image/gif' };

const run = (cmd, args) =>
  new Promise((resolve) => execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr })));
const uci = (...args) => run(join(PREFIX, 'bin/uci'), ['-c', confDir, '-t', saveDir, ...args]);
const ubus = (...args) => run(join(PREFIX, 'bin/ubus'), ['-s', ubusSock, '-t', '10', ...args]);

/** `uci -X show` values: 'a' or 'a' 'b' (a list), with '\'' inside. */
function values(text) {
  const out = [];
  const re = /'((?:[^']|'\\'')*)'/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1].split("'\\''").join("'"));
  return out;
}

async function uciGet(config) {
  const r = await uci('-X', 'show', config);
  const sections = {};
  let index = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^([^.=]+)\.([^.=]+)(?:\.([^=]+))?=(.*)$/.exec(line);
    if (!m) continue;
    const [, , sec, opt, val] = m;
    if (!opt) {
      sections[sec] = { '.anonymous': /^cfg[0-9a-f]{6}$/.test(sec), '.type': val, '.name': sec, '.index': index++ };
      continue;
    }
    const vs = values(val);
    // A list shows as several quoted values; a one-element list cannot be told from an option here.
    sections[sec][opt] = vs.length > 1 || ['criteria', 'target', 'exemption', 'time_of_day', 'lan', 'wan', 'type', 'label'].includes(opt) ? vs : vs[0];
  }
  return { values: sections };
}

async function uciSet(config, section, vals) {
  for (const [opt, v] of Object.entries(vals ?? {})) {
    if (Array.isArray(v)) {
      await uci('delete', `${config}.${section}.${opt}`);
      for (const item of v) await uci('add_list', `${config}.${section}.${opt}=${item}`);
    } else await uci('set', `${config}.${section}.${opt}=${v}`);
  }
}

async function call(object, method, args) {
  switch (`${object}.${method}`) {
    case 'session.access':
      return [0, { access: true }];
    case 'luci.getFeatures':
      return [0, {}];
    case 'luci-rpc.getHostHints':
      return [0, {}];
    case 'luci-rpc.getNetworkDevices':
      return [0, { 'br-lan': { name: 'br-lan', up: true, type: 1, devtype: 'bridge', flags: {}, stats: {}, ipaddrs: [], ip6addrs: [], mac: '00:11:22:33:44:55' }, eth0: { name: 'eth0', up: true, type: 1, devtype: 'ethernet', flags: {}, stats: {}, ipaddrs: [], ip6addrs: [], mac: '00:11:22:33:44:56' }, wan: { name: 'wan', up: true, type: 1, devtype: 'ethernet', flags: {}, stats: {}, ipaddrs: [], ip6addrs: [], mac: '00:11:22:33:44:57' } }];
    case 'luci-rpc.getWirelessDevices':
    case 'luci-rpc.getBoardJSON':
      return [0, {}];
    case 'network.interface.dump':
      return [0, { interface: [] }];
    case 'uci.get':
      return [0, await uciGet(args.config)];
    case 'uci.set':
      await uciSet(args.config, args.section, args.values);
      return [0];
    case 'uci.add': {
      let sec = args.name;
      if (sec) await uci('set', `${args.config}.${sec}=${args.type}`);
      else sec = (await uci('add', args.config, args.type)).stdout.trim();
      await uciSet(args.config, sec, args.values);
      return [0, { section: sec }];
    }
    case 'uci.delete':
      if (!args.options) await uci('delete', `${args.config}.${args.section}`);
      else for (const o of args.options) await uci('delete', `${args.config}.${args.section}.${o}`);
      return [0];
    case 'uci.order':
      for (const [i, s] of (args.sections ?? []).entries()) await uci('reorder', `${args.config}.${s}=${i}`);
      return [0];
    case 'uci.changes': {
      const r = await uci('changes');
      const changes = {};
      for (const line of r.stdout.split('\n').filter(Boolean)) {
        const conf = line.replace(/^-/, '').split('.')[0];
        (changes[conf] ??= []).push(['set', line]);
      }
      return [0, { changes }];
    }
    default:
      if (object === 'flowsieve') {
        const r = await ubus('call', 'flowsieve', method, JSON.stringify(args ?? {}));
        if (r.code !== 0) return [4];
        return [0, JSON.parse(r.stdout || '{}')];
      }
      return [4];
  }
}

const menu = JSON.parse(readFileSync(join(APP, 'root/usr/share/luci/menu.d/luci-app-flowsieve.json'), 'utf8'));
function nodespec() {
  const root = { satisfied: true, children: {} };
  for (const [path, e] of Object.entries(menu).sort()) {
    let n = root;
    for (const part of path.split('/')) n = n.children[part] ??= { satisfied: true, children: {}, title: part, order: 50 };
    Object.assign(n, { title: e.title, order: e.order, action: e.action });
  }
  root.children.admin.title = 'Administration';
  root.children.admin.children.services.title = 'Services';
  return root;
}

function shell(view, path) {
  const env = {
    media: '/luci-static/bootstrap', resource: '/luci-static/resources', scriptname: '/cgi-bin/luci', pathinfo: `/${path}`,
    documentroot: '/www', requestpath: path.split('/'), dispatchpath: path.split('/'), pollinterval: 5, ubuspath: '/ubus/',
    sessionid: '0123456789abcdef0123456789abcdef', token: 'feedfacefeedfacefeedfacefeedface', nodespec: nodespec(),
    apply_rollback: 90, apply_holdoff: 4, apply_timeout: 5, apply_display: 1.5, rollback_token: null,
  };
  return `<!DOCTYPE html><html lang="en" data-darkmode="false"><head><meta charset="utf-8"><title>OpenWrt - flowsieve - LuCI</title>
<meta name="viewport" content="initial-scale=1.0"><link rel="stylesheet" href="/luci-static/bootstrap/cascade.css">
<script src="/cgi-bin/luci/admin/translations/en"></script><script src="/luci-static/resources/cbi.js"></script></head>
<body class="lang_en" data-page="${path.replace(/\//g, '-')}"><header><a class="brand" href="/">OpenWrt</a>
<ul class="nav" id="topmenu" style="display:none"></ul><div id="indicators" class="pull-right"></div></header>
<div id="maincontent" class="container">
<script src="/luci-static/resources/promis.min.js"></script><script src="/luci-static/resources/luci.js"></script>
<script>L = new LuCI(${JSON.stringify(env)});</script>
<div id="view"><div class="spinning">Loading view…</div>
<script>L.require('ui').then(function(ui) { ui.instantiateView('${view}'); });</script></div>
</div><footer><span>Powered by LuCI (luci-base from a fetched openwrt/luci snapshot) / flowsieve</span>
<ul class="breadcrumb pull-right" id="modemenu" style="display:none"></ul></footer>
<script>L.require('menu-bootstrap')</script></body></html>`;
}

const server = createServer((req, res) => {
  const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
  if (req.method === 'POST' && url.startsWith('/ubus')) {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const msg = JSON.parse(body);
      // 'list' (LuCI probing the endpoint) gets the object list; 'call' goes to the tools.
      const one = async (m) =>
        m.method === 'call'
          ? { jsonrpc: '2.0', id: m.id, result: await call(m.params[1], m.params[2], m.params[3] ?? {}).catch((e) => (console.error(e), [9])) }
          : { jsonrpc: '2.0', id: m.id, result: { flowsieve: {}, uci: {}, session: {} } };
      const out = Array.isArray(msg) ? await Promise.all(msg.map(one)) : await one(msg);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(out));
    });
    return;
  }
  if (url === '/cgi-bin/luci/admin/menu') {
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify(nodespec()));
  }
  if (url === '/cgi-bin/luci/admin/translations/en') {
    res.setHeader('Content-Type', 'application/javascript');
    return res.end('');
  }
  if (req.method === 'POST' && url === '/cgi-bin/luci/admin/uci/apply_rollback') {
    // What rpcd's apply and procd's reload trigger do on a router: commit, then reload the daemon.
    return void uci('commit', 'flowsieve').then(() => ubus('call', 'flowsieve', 'reload')).then((r) => {
      console.log(`apply: uci commit flowsieve; ubus call flowsieve reload -> ${r.stdout.replace(/\s+/g, ' ')}`);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ token: 'applied' }));
    });
  }
  if (req.method === 'POST' && url === '/cgi-bin/luci/admin/uci/confirm') {
    res.setHeader('Content-Type', 'application/json');
    return res.end('{}');
  }
  const m = /^\/cgi-bin\/luci\/(admin\/services\/flowsieve)(?:\/(\w+))?$/.exec(url);
  if (m) {
    res.setHeader('Content-Type', 'text/html');
    return res.end(shell(`flowsieve/${m[2] ?? 'overview'}`, `${m[1]}/${m[2] ?? 'overview'}`));
  }
  for (const r of ROOTS) {
    const file = normalize(join(r, url));
    if (file.startsWith(r) && existsSync(file) && !file.endsWith('/')) {
      res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      return res.end(readFileSync(file));
    }
  }
  res.statusCode = 404;
  res.end('not found');
});
server.listen(Number(portArg ?? 8089), '127.0.0.1', () => console.log(`LuCI at http://127.0.0.1:${server.address().port}/cgi-bin/luci/admin/services/flowsieve`));
