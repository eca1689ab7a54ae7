/**
 * A web server for checking the LuCI page in a browser without a router: it serves the
 * app's htdocs and answers LuCI's JSON-RPC (POST /ubus, `call` with [session, object,
 * method, args], as rpcd does) from answers recorded from the real daemon
 * (test/fixtures/luci/answers.json, scripts/ubus/record-luci-answers.ts). The page
 * harness loads flowsieve/logic.js the way LuCI's loader does and draws the overview.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

export const answers = JSON.parse(readFileSync(new URL('../fixtures/luci/answers.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const HTDOCS = new URL('../../luci-app/htdocs/', import.meta.url).pathname;

/** The recorded answer for a call, or null (rpcd: object or method not found). */
function recorded(object: string, method: string, args: Record<string, unknown>): unknown {
  if (object !== 'flowsieve') return null;
  if (method === 'check') return String(args.config ?? '').includes('== ;') ? answers.checkBad : answers.checkGood;
  return answers[method] ?? null;
}

/** The page: LuCI's loader contract (factory(window, document, L, ...requires)) and E(). */
const HARNESS = `<!doctype html>
<html><head><meta charset="utf-8"><title>flowsieve overview</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222;max-width:70em}table{border-collapse:collapse;width:100%;margin-bottom:1em}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #e4e4e4}h2{margin-top:0}</style></head>
<body><h2>flowsieve</h2><div id="root">loading…</div>
<script>
function E(tag, attrs, children) {
  var el = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function(k) { el.setAttribute(k, attrs[k]); });
  [].concat(children == null ? [] : children).forEach(function(c) {
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  });
  return el;
}
var baseclass = { extend: function(props) { var C = function() {}; Object.assign(C.prototype, props); return C; } };
async function luciRequire(path) {
  var src = await (await fetch('/luci-static/resources/' + path + '.js')).text();
  var names = []; var re = /^'require ([\\w.]+)(?: as (\\w+))?';$/gm; var m;
  while ((m = re.exec(src))) names.push(m[2] || m[1].replace(/[^a-zA-Z0-9_]/g, '_'));
  var factory = eval('(function(window, document, L' + names.map(function(n) { return ', ' + n; }).join('') + ') { ' + src + ' })');
  var cls = factory(window, document, {}, ...names.map(function(n) { return { baseclass: baseclass }[n]; }));
  return new cls();
}
var rpcId = 0;
async function call(object, method, args) {
  var res = await fetch('/ubus', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method: 'call', params: ['00000000000000000000000000000000', object, method, args || {}] }) });
  var reply = await res.json();
  if (reply.error) throw new Error(reply.error.message);
  if (reply.result[0] !== 0) throw new Error('ubus status ' + reply.result[0]);
  return reply.result[1];
}
(async function() {
  var logic = await luciRequire('flowsieve/logic');
  var d = await Promise.all([call('flowsieve', 'status'), call('flowsieve', 'apps', { window: 300, limit: 20 }),
    call('flowsieve', 'flows', { limit: 50 }), call('flowsieve', 'actions')]);
  var root = document.getElementById('root');
  root.textContent = '';
  logic.renderOverview(E, { status: d[0], apps: d[1], flows: d[2], actions: d[3], hints: {}, previousQueues: null, now: ${'${NOW}'} })
    .forEach(function(n) { root.appendChild(n); });
  document.body.setAttribute('data-ready', '1');
})().catch(function(e) { document.getElementById('root').textContent = 'error: ' + e.message; document.body.setAttribute('data-ready', 'error'); });
</script></body></html>`;

const TYPES: Record<string, string> = { '.js': 'application/javascript', '.html': 'text/html', '.css': 'text/css' };

export interface RpcLog {
  object: string;
  method: string;
}

export function startLuciServer(): Promise<{ server: Server; url: string; calls: RpcLog[] }> {
  const calls: RpcLog[] = [];
  const now = Math.max(...((answers.actions as { actions: { last_match: number }[] }).actions.map((a) => a.last_match)), 0) + 30_000;
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/ubus') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const r = JSON.parse(body) as { id: number; params: [string, string, string, Record<string, unknown>] };
        const [, object, method, args] = r.params;
        calls.push({ object, method });
        const answer = recorded(object, method, args ?? {});
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer === null ? { jsonrpc: '2.0', id: r.id, result: [4] } : { jsonrpc: '2.0', id: r.id, result: [0, answer] }));
      });
      return;
    }
    const url = (req.url ?? '/').split('?')[0]!;
    if (url === '/' || url === '/harness.html') {
      res.setHeader('Content-Type', 'text/html');
      res.end(HARNESS.replace('${NOW}', String(now)));
      return;
    }
    const file = normalize(join(HTDOCS, url));
    if (!file.startsWith(HTDOCS) || !existsSync(file)) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${a.port}/`, calls });
  }));
}
