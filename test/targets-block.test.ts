/**
 * Blocking an application end to end: the daemon in the lab's router namespace classifies
 * a TLS flow by its host name, and the action's target stops it — through an nft set with
 * a drop rule, and through a conntrack label the flowsieve ruleset drops — while other
 * traffic passes; an exempted client is not blocked; a reload (which applies the rules
 * again) keeps the set's element and the connection's label.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLIENT_IP, Lab, SERVER_IP, sleep, type Daemon } from './helpers/lab.js';
import { isRoot, nsh, RUN_PREFIX } from './helpers/netns.js';
import { conntrackLabels } from './helpers/targets-scenario.js';

const live = isRoot();
if (!live) console.log('  (targets-block: skipped, needs root for network namespaces)');

const GLOBALS = `
config globals 'globals'
	option queue '0-1'
	option packet_cap '32'
	option timezone 'UTC'
	option ct_label_init '0'
	option ct_label_block '5'
	list lan 'r0'
	list wan 'r1'
`;

let lab: Lab;
test.before(async () => {
  if (!live) return;
  lab = new Lab({ suffix: 'b' });
  await lab.startServers();
});
test.after(() => lab?.close());

const oks = (o: { ok: boolean }[]) => o.map((x) => x.ok);

const BLOCK_LABEL_TARGET = `
config target 'block_label'
	option target_type 'ctlabel'
	list label '5'
`;

/** The daemon on the lab's router with GLOBALS + `sections`, for the length of `fn`. */
async function withDaemon(name: string, sections: string, fn: (d: Daemon) => Promise<void>): Promise<void> {
  const d = await lab.startDaemon(lab.writeConfig(name, GLOBALS + sections));
  try {
    await fn(d);
  } finally {
    d.child.kill('SIGTERM');
    await d.exited;
  }
}

test('ctlabel block: the matched TLS flow and new ones to that host stop, other TLS to the same server passes; a reload keeps the label', async () => {
  if (!live) return;
  const sections = `${BLOCK_LABEL_TARGET}
config action 'no_netflix'
	list criteria "detected_hostname == 'www.netflix.com';"
	list target 'block_label'
`;
  await withDaemon('label.uci', sections, async (d) => {
    const outcomes = lab.clientRun(['tls:www.netflix.com:4000000', 'tls:github.com:20000', 'tls:www.netflix.com:4000000', 'http:www.wikipedia.org:20000']);
    assert.equal(oks(outcomes), [false, true, false, true], JSON.stringify(outcomes));
    const labelled = () => conntrackLabels(lab.router, '0 fs-init\n5 fs-block\n').split('\n').filter((l) => / dport=443 .*fs-block/.test(l) && l.includes(SERVER_IP));
    assert.ok(labelled().length >= 2, 'both netflix connections carry the block label');
    d.child.kill('SIGHUP');
    await sleep(1500);
    assert.match(d.stderr, /reloaded/);
    assert.ok(labelled().length >= 2, 'labels survive the reload');
    assert.match(d.stderr, /action no_netflix matched .*www\.netflix\.com/);
  });
});

test('nftset block: the element (server address . port) stops the flow and new connections; HTTP passes; a reload keeps the element', async () => {
  if (!live) return;
  const table = `${RUN_PREFIX}blk`;
  // The drop rule, in a table of its own (the set is created by the managed target).
  nsh(lab.router, ['nft', '-f', '-'], `table inet ${table} {\n set block {\n  type ipv4_addr . inet_service\n  flags timeout\n }\n chain block_fwd {\n  type filter hook forward priority filter; policy accept;\n  ip daddr . tcp dport @block counter drop\n }\n}\n`);
  const sections = `
config target 'block_set'
	option target_type 'nftset'
	option table_name '${table}'
	option set_name 'block'
	option set_family 'ipv4'
	list type 'other_addr'
	list type 'other_port'
	option ttl '600'
	option managed '1'

config action 'no_netflix'
	list criteria "detected_hostname == 'www.netflix.com';"
	list target 'block_set'
`;
  const element = new RegExp(`"concat":\\["${SERVER_IP.replace(/\./g, '\\.')}",443\\]`);
  const elements = () => JSON.stringify(JSON.parse(nsh(lab.router, ['nft', '-j', 'list', 'set', 'inet', table, 'block'])));
  try {
    await withDaemon('set.uci', sections, async (d) => {
      const outcomes = lab.clientRun(['tls:www.netflix.com:4000000', 'tls:github.com:2000', 'http:www.wikipedia.org:20000']);
      // Once the element is in, every TLS connection to that server:443 is dropped.
      assert.equal(oks(outcomes), [false, false, true], JSON.stringify(outcomes));
      assert.match(elements(), element);
      d.child.kill('SIGHUP');
      await sleep(1500);
      assert.match(d.stderr, /reloaded/);
      assert.match(elements(), element);
    });
  } finally {
    nsh(lab.router, ['nft', 'delete', 'table', 'inet', table]);
  }
});

test('an exempted client is not blocked', async () => {
  if (!live) return;
  const sections = `${BLOCK_LABEL_TARGET}
config action 'no_netflix'
	list criteria "detected_hostname == 'www.netflix.com';"
	list exemption '${CLIENT_IP}'
	list target 'block_label'
`;
  await withDaemon('exempt.uci', sections, async (d) => {
    assert.equal(oks(lab.clientRun(['tls:www.netflix.com:4000000'])), [true]);
    assert.not.match(d.stderr, /action no_netflix matched/);
  });
});

test.run();
