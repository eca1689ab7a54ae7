/**
 * The kernel targets against this machine's netfilter, each in its own network namespace:
 * nft set elements with their timeouts (refreshed when a flow fires again), ipset entries
 * with timeout and skb info, conntrack labels (names from connlabel.conf, auto_label) and
 * marks, and kernel errors reported once with their reason while the driver keeps going.
 * The nftset and ctlabel scenarios run again under txiki.js when its binary is present.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isRoot, Namespaces, nsh, RUN_PREFIX } from './helpers/netns.js';
import { record } from './helpers/records.js';
import {
  conntrackLabels,
  ctlabelTarget,
  ctmarkTarget,
  event,
  globals,
  ipsetTarget,
  nftsetTarget,
  runScenario,
  txikiAvailable,
} from './helpers/targets-scenario.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const nss = new Namespaces();
test.after(() => nss.cleanup());

const TLS_FLOW = record({ local_ip: '10.7.0.2', local_port: 40001, other_ip: '10.7.0.1', other_port: 443, host_server_name: 'www.youtube.com' });

interface NftElement {
  readonly elem: { readonly val: { readonly concat: readonly (string | number)[] }; readonly timeout: number; readonly expires: number };
}

function nftElements(ns: string, table: string, set: string): NftElement['elem'][] {
  const j = JSON.parse(nsh(ns, ['nft', '-j', 'list', 'set', 'inet', table, set])) as { nftables: { set?: { elem?: NftElement[] } }[] };
  return j.nftables.find((x) => x.set)?.set?.elem?.map((e) => e.elem) ?? [];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function skipUnlessRoot(): boolean {
  if (isRoot()) return false;
  console.log('  (skipped: needs root for network namespaces)');
  return true;
}

for (const runtime of ['node', 'txiki'] as const) {
  const on = runtime === 'node' ? '' : ' (txiki.js)';

  test(`nftset: a managed target creates its typed set and adds the flow's element with the ttl as timeout${on}`, () => {
    if (skipUnlessRoot() || (runtime === 'txiki' && !txikiAvailable())) return;
    const ns = nss.add(`n${runtime[0]}`);
    const table = `${RUN_PREFIX}t`;
    const r = runScenario(ns, { targets: [nftsetTarget({ tableName: table })], globals: globals(), steps: [{ events: { nft: [event(TLS_FLOW)] } }] }, runtime);
    assert.is(r.runtime, runtime);
    assert.equal(r.log, []);
    assert.is(r.status[0]!.done, 1);
    const listed = nsh(ns, ['nft', 'list', 'set', 'inet', table, 'fs_block']);
    assert.match(listed, /type ipv4_addr \. inet_proto \. inet_service \. ipv4_addr/);
    assert.match(listed, /flags timeout/);
    const [el, ...rest] = nftElements(ns, table, 'fs_block');
    assert.equal(rest, []);
    assert.equal(el!.val.concat, ['10.7.0.2', 'tcp', 443, '10.7.0.1']);
    assert.is(el!.timeout, 300);
    assert.ok(el!.expires > 290 && el!.expires <= 300, `expires ${el!.expires}`);
  });

  test(`ctlabel: label names from connlabel.conf and auto_label a-/p- names land on the connection${on}`, () => {
    if (skipUnlessRoot() || (runtime === 'txiki' && !txikiAvailable())) return;
    const ns = nss.add(`l${runtime[0]}`);
    // Label space exists once a loaded rule uses ct label; connections made after that get it.
    nsh(ns, ['nft', '-f', '-'], `table inet ${RUN_PREFIX}l {\n chain c {\n type filter hook output priority 0;\n ct label 7 counter\n }\n}\n`);
    nsh(ns, ['conntrack', '-I', '-s', '10.7.0.2', '-d', '10.7.0.1', '-p', 'tcp', '--sport', '40001', '--dport', '443', '--state', 'ESTABLISHED', '-t', '300', '-u', 'SEEN_REPLY']);
    const conf = '# flowsieve test labels\n5 a-youtube\n6 p-tls\n7 fs-block\n9 a-netflix\n';
    const dir = mkdtempSync(join(tmpdir(), 'fs-connlabel-'));
    writeFileSync(join(dir, 'connlabel.conf'), conf);
    const r = runScenario(
      ns,
      {
        targets: [ctlabelTarget({ labels: ['fs-block'], autoLabel: true })],
        globals: globals(join(dir, 'connlabel.conf')),
        steps: [{ events: { ctl: [event(TLS_FLOW)] } }],
      },
      runtime,
    );
    assert.equal(r.log, []);
    assert.is(r.status[0]!.done, 1);
    const listed = conntrackLabels(ns, conf);
    assert.match(listed, /dport=443 .*labels=a-youtube,p-tls,fs-block/);
    assert.not.match(listed, /a-netflix/);
  });
}

test('nftset: firing again refreshes the element timeout (traffic that continues keeps its element)', async () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('r');
  const table = `${RUN_PREFIX}r`;
  const t = nftsetTarget({ tableName: table, ttl: 10, fields: ['other_addr', 'other_port'] });
  runScenario(ns, { targets: [t], globals: globals(), steps: [{ events: { nft: [event(TLS_FLOW)] } }] });
  await sleep(3000);
  const before = nftElements(ns, table, 'fs_block')[0]!;
  assert.ok(before.expires <= 7, `expires ${before.expires} after 3 s`);
  runScenario(ns, { targets: [t], globals: globals(), steps: [{ events: { nft: [{ ...event(TLS_FLOW), kind: 'updated' }] } }] });
  const after = nftElements(ns, table, 'fs_block')[0]!;
  assert.ok(after.expires >= 8, `refreshed: expires ${after.expires}`);
});

test('nftset: the element of a flow that is still alive is refreshed (half the ttl); once the flow ends it expires', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('a');
  const table = `${RUN_PREFIX}a`;
  const t = nftsetTarget({ tableName: table, ttl: 3, fields: ['other_addr', 'other_port'] });
  const fire = [{ flow: 'f1', record: TLS_FLOW, action: 'block', targets: ['nft'] }];
  const r = runScenario(ns, { targets: [t], globals: globals(), steps: [{ fire, waitMs: 4500 }] });
  assert.ok(r.status[0]!.done >= 2, `added and refreshed: ${r.status[0]!.done}`);
  assert.is(nftElements(ns, table, 'fs_block').length, 1, 'alive after 4.5 s with a 3 s ttl');
  runScenario(ns, { targets: [t], globals: globals(), steps: [{ fire, end: ['f1'] }, { waitMs: 4000 }] });
  assert.is(nftElements(ns, table, 'fs_block').length, 0, 'expired once the flow ended');
});

test('nftset: a batch is one transaction; IPv6 flows go to <set>_v6 with set_family *; flush_on_destroy empties the sets', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('b');
  const table = `${RUN_PREFIX}b`;
  const flows = Array.from({ length: 300 }, (_, i) => event(record({ other_ip: `10.9.${i >> 8}.${i & 255}`, other_port: 443 })));
  flows.push(event(record({ ip_version: 6, local_ip: 'fd00::2', other_ip: '2001:db8::1', other_port: 443 })));
  const t = nftsetTarget({ tableName: table, setFamily: '*', fields: ['other_addr', 'other_port'] });
  const r = runScenario(ns, { targets: [t], globals: globals(), steps: [{ events: { nft: flows } }] });
  assert.is(r.status[0]!.done, 301);
  assert.is(nftElements(ns, table, 'fs_block').length, 300);
  const v6 = nftElements(ns, table, 'fs_block_v6');
  assert.equal(v6[0]!.val.concat, ['2001:db8::1', 443]);
  runScenario(ns, { targets: [{ ...t, flushOnDestroy: true }], globals: globals(), steps: [{ stop: true }] });
  assert.is(nftElements(ns, table, 'fs_block').length, 0);
  assert.is(nftElements(ns, table, 'fs_block_v6').length, 0);
});

test('nftset: a missing set is reported once with its reason and counted; the driver carries on', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('m');
  const t = nftsetTarget({ tableName: `${RUN_PREFIX}none`, managed: false });
  const batch = [event(TLS_FLOW), event(record({ other_ip: '10.7.0.9' }))];
  const r = runScenario(ns, { targets: [t], globals: globals(), steps: [{ events: { nft: batch } }, { events: { nft: batch } }] });
  assert.is(r.status[0]!.failed, 4);
  assert.is(r.status[0]!.done, 0);
  assert.equal(Object.values(r.status[0]!.errors), [4]);
  assert.is(r.log.length, 1);
  assert.match(r.log[0]!, /no such table, set or connection/);
});

test('nftset: a full set (max_elements) is reported as full', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('f');
  const t = nftsetTarget({ tableName: `${RUN_PREFIX}f`, maxElements: 2, fields: ['other_addr'] });
  const flows = [1, 2, 3].map((i) => event(record({ other_ip: `10.8.0.${i}` })));
  const r = runScenario(ns, { targets: [t], globals: globals(), steps: [{ events: { nft: flows.slice(0, 2) } }, { events: { nft: flows.slice(2) } }] });
  assert.is(r.status[0]!.done, 2);
  assert.match(r.log.join('\n'), /set is full/);
});

test('ipset: a managed hash:ip,port,ip target adds local ip, protocol:port, other ip with timeout and skb mark', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('i');
  const t = ipsetTarget({ setName: `${RUN_PREFIX}.games`, skbMark: 0x10, skbMask: 0xff });
  const r = runScenario(ns, { targets: [t], globals: globals(), steps: [{ events: { ips: [event(TLS_FLOW)] } }] });
  assert.equal(r.log, []);
  assert.is(r.status[0]!.done, 1);
  const listed = nsh(ns, ['ipset', 'list', `${RUN_PREFIX}.games`]);
  assert.match(listed, /Type: hash:ip,port,ip/);
  assert.match(listed, /timeout 120 skbinfo/);
  const m = /10\.7\.0\.2,tcp:443,10\.7\.0\.1 timeout (\d+) skbmark 0x10\/0xff/.exec(listed);
  assert.ok(m, listed);
  assert.ok(Number(m![1]) > 110 && Number(m![1]) <= 120);
});

test('ipset: hash:ip holds the other address; an IPv6 flow goes to <set>_v6; a missing set is one reported reason', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('j');
  const name = `${RUN_PREFIX}.ip`;
  const t = ipsetTarget({ name: 'ip', setName: name, ipsetType: 'hash:ip', setFamily: '*', ttl: 60 });
  const missing = ipsetTarget({ name: 'gone', setName: `${RUN_PREFIX}.gone`, managed: false });
  const v6 = record({ ip_version: 6, local_ip: 'fd00::2', other_ip: '2001:db8::7' });
  const r = runScenario(ns, { targets: [t, missing], globals: globals(), steps: [{ events: { ip: [event(TLS_FLOW), event(v6)], gone: [event(TLS_FLOW), event(TLS_FLOW)] } }] });
  assert.match(nsh(ns, ['ipset', 'list', name]), /\n10\.7\.0\.1 timeout \d+/);
  assert.match(nsh(ns, ['ipset', 'list', `${name}_v6`]), /\n2001:db8::7 timeout \d+/);
  const gone = r.status.find((s) => s.name === 'gone')!;
  assert.is(gone.failed, 2);
  assert.is(r.log.filter((l) => l.includes('gone')).length, 1);
});

test('ctmark: mark shifted into place, only the mask bits of the connection mark change', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('k');
  nsh(ns, ['conntrack', '-I', '-s', '10.7.0.2', '-d', '10.7.0.1', '-p', 'tcp', '--sport', '40001', '--dport', '443', '--state', 'ESTABLISHED', '-t', '300', '-u', 'SEEN_REPLY', '-m', '0x11']);
  const r = runScenario(ns, { targets: [ctmarkTarget({ mark: 2, shift: 8, mask: 0xff00 })], globals: globals(), steps: [{ events: { ctm: [event(TLS_FLOW)] } }] });
  assert.equal(r.log, []);
  assert.match(nsh(ns, ['conntrack', '-L']), /dport=443 .*mark=529 /); // 0x211
});

test('ctlabel: without label space (no rule uses ct label) the reason is reported once and counted; a gone connection likewise', () => {
  if (skipUnlessRoot()) return;
  const ns = nss.add('s');
  nsh(ns, ['conntrack', '-I', '-s', '10.7.0.2', '-d', '10.7.0.1', '-p', 'tcp', '--sport', '40001', '--dport', '443', '--state', 'ESTABLISHED', '-t', '300', '-u', 'SEEN_REPLY']);
  const gone = record({ other_ip: '10.7.0.99' });
  const r = runScenario(ns, { targets: [ctlabelTarget({ labels: ['3'] })], globals: globals(), steps: [{ events: { ctl: [event(TLS_FLOW), event(TLS_FLOW), event(gone)] } }] });
  assert.is(r.status[0]!.failed, 3);
  assert.equal(r.status[0]!.errors, { 'no space (no conntrack label space: no loaded rule uses ct label)': 2, 'connection not in conntrack (gone, or not tracked)': 1 });
  assert.is(r.log.length, 2);
});

test.run();
