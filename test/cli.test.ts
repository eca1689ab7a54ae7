/**
 * The flowsieve command line as a user meets it: replay, check, explain, import; exit codes
 * and one-line errors. Commands run in-process on the Node runtime with captured output;
 * one test runs the built bundle as a program.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/main.js';
import { loadConfig } from '../src/config/index.js';
import { createNodeRuntime } from '../src/runtime/node.js';
import { CORPUS_DIR, corpusAvailable, REPO_DIR } from './helpers/corpus.js';
import { eth, ipv4, udp } from './helpers/frames.js';

const SAMPLE = join(REPO_DIR, 'samples', 'home-lan.pcapng');
const POLICY = join(REPO_DIR, 'samples', 'policy.uci');
const DEFAULT_CONFIG = join(REPO_DIR, 'files', 'etc', 'config', 'flowsieve');
const SEED_JSON = join(REPO_DIR, 'test', 'fixtures', 'config', 'netify-global.json');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const base = await createNodeRuntime();
  let out = '';
  let err = '';
  const rt = { ...base, stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
  const code = await runCli(rt, argv);
  return { code, out, err };
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fs-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('replay prints one JSON record per flow, with the hostnames of the sample', async () => {
  const r = await cli('replay', SAMPLE);
  assert.is(r.code, 0);
  const records = r.out.trim().split('\n').map((l) => JSON.parse(l));
  const tls = records.filter((x) => x.detected_protocol_name === 'TLS').map((x) => [x.host_server_name, x.detected_application_name]);
  assert.equal(tls, [['www.youtube.com', 'youtube'], ['www.netflix.com', 'netflix']]);
  const http = records.find((x) => x.detected_protocol_name === 'HTTP');
  assert.is(http.host_server_name, 'en.wikipedia.org');
  assert.is(http.http.user_agent, 'flowsieve-sample/1.0');
  // The DNS answers named the server's address: the TLS flows carry that name too.
  assert.ok(records.some((x) => x.detected_protocol_name === 'TLS' && x.dns_host_name === 'www.youtube.com'));
  // Times are whole milliseconds, as Netify's records have them.
  for (const x of records) assert.ok(Number.isInteger(x.first_seen_at) && Number.isInteger(x.last_seen_at), `${x.first_seen_at} ${x.last_seen_at}`);
});

test('replay --summary prints a table of protocols and applications', async () => {
  const r = await cli('replay', '--summary', SAMPLE);
  assert.is(r.code, 0);
  assert.match(r.out, /TLS/);
  assert.match(r.out, /youtube/);
});

test('unknown options and unreadable files: one line on stderr, exit code 2', async () => {
  const bad = await cli('replay', '--bogus', SAMPLE);
  assert.is(bad.code, 2);
  assert.is(bad.err.trim().split('\n').length, 1);
  assert.match(bad.err, /unknown option '--bogus'/);
  const missing = await cli('replay', '/nonexistent/file.pcap');
  assert.is(missing.code, 2);
  assert.match(missing.err, /cannot read '\/nonexistent\/file.pcap'/);
  const notCapture = await cli('replay', DEFAULT_CONFIG);
  assert.is(notCapture.code, 2);
  assert.match(notCapture.err, /not a pcap or pcapng file/);
  assert.is((await cli('frobnicate')).code, 2);
});

test('check prints the compiled policy of the default configuration', async () => {
  const r = await cli('check', '--config', DEFAULT_CONFIG);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /actions in evaluation order/);
});

test('check orders actions by priority and shows their targets and criteria grouping', async () => {
  const r = await cli('check', '--config', POLICY);
  assert.is(r.code, 0, r.err);
  const order = [...r.out.matchAll(/^\s+\d+\. (\w+)/gm)].map((m) => m[1]);
  assert.equal(order, ['streaming', 'web']);
  assert.match(r.out, /criteria\s+\(protocol == 'http' \|\| protocol == 'tls'\)|criteria\s+protocol == 'http' \|\| protocol == 'tls'/);
  assert.match(r.out, /block_video: nftset inet \w+ video \(other_addr \. other_port/);
});

test('check: a bad expression is reported at its line and column in the file, like option errors; exit code 1', async () => {
  const path = tempFile('bad', `config target 't'\n\toption target_type 'log'\n\nconfig action 'oops'\n\tlist criteria "app == 'x' &&;"\n\tlist target 't'\n`);
  const r = await cli('check', '--config', path);
  assert.is(r.code, 1);
  // Line 5 is `<tab>list criteria "app == 'x' &&;"`: the expression starts at column 17,
  // and the ';' that ends it too early is its 14th character.
  assert.match(r.err, new RegExp(`^${path}:5:30: error: section 'oops' option 'criteria': .*\\(in "app == 'x' &&;"\\)$`, 'm'));
});

test('check: an expression in a criteria file is reported at its line and column in that file', async () => {
  const crit = tempFile('games.criteria', `# games\n\napp == 'steam';\n  protocol == ;\n`);
  const path = tempFile('conf', `config target 't'\n\toption target_type 'log'\n\nconfig action 'games'\n\tlist criteria '${crit}'\n\tlist target 't'\n`);
  const r = await cli('check', path);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`^${crit}:4:15: error: criteria of action 'games': `, 'm'));
});

test('check: the expression errors of an action are reported even when another of its options is wrong', async () => {
  const path = tempFile('both', `config target 't'\n\toption target_type 'log'\n\nconfig action 'a'\n\tlist criteria "app == 'x' &&"\n\tlist target 't'\n\toption priority 'abc'\n`);
  const r = await cli('check', path);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`^${path}:7:18: error: section 'a' option 'priority': expected an integer`, 'm'));
  assert.match(r.err, new RegExp(`^${path}:5:30: error: section 'a' option 'criteria': unexpected end of expression`, 'm'));
});

test('check takes the configuration as its argument, as the docs write it', async () => {
  const r = await cli('check', DEFAULT_CONFIG);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /actions in evaluation order/);
  assert.match(readFileSync(join(REPO_DIR, 'docs', 'configuration.md'), 'utf8'), /flowsieve check \/etc\/config\/flowsieve/);
  assert.is((await cli('check', '--config', POLICY, DEFAULT_CONFIG)).code, 2);
});

test('check: an unreadable file is named in the same form; bytes that are not text are escaped', async () => {
  const missing = await cli('check', '/nonexistent/flowsieve.conf');
  assert.is(missing.code, 1);
  assert.match(missing.err, /^\/nonexistent\/flowsieve\.conf: error: cannot read: /m);
  // A section type with an escape sequence and a byte that is not UTF-8 (0xff).
  // Files the configuration names are reported in the same form.
  const names = tempFile('names', `config globals 'globals'\n\toption groups_file '/nonexistent/groups'\n\nconfig target 't'\n\toption target_type 'log'\n\nconfig action 'a'\n\tlist criteria '/nonexistent/a.criteria'\n\tlist target 't'\n`);
  const named = await cli('check', names);
  assert.is(named.code, 1);
  assert.match(named.err, /^\/nonexistent\/a\.criteria: error: criteria of action 'a': cannot read: /m);
  assert.match(named.err, /^\/nonexistent\/groups: error: groups_file of .*names: cannot read: /m);
  const binary = tempFile('binary', '');
  writeFileSync(binary, new Uint8Array([...Buffer.from('config foo\u001b[31m'), 0xff, 0x0a]));
  const r = await cli('check', binary);
  assert.is(r.code, 1);
  assert.not.match(r.err, /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/);
  assert.match(r.err, /"foo\\u001b\[31m\\ufffd"/);
});

test('check: each diagnostic line says its severity once, compiler-style', async () => {
  const path = tempFile('warn', `config target_defauts 'log'\n\toption path '/tmp'\n\nconfig target 't'\n\toption target_type 'log'\n\toption colour 'red'\n`);
  const r = await cli('check', '--config', path);
  assert.is(r.code, 0);
  const lines = r.err.trimEnd().split('\n');
  assert.ok(lines.length >= 2, r.err);
  for (const line of lines) assert.match(line, new RegExp(`^(${path}:\\d+:\\d+: warning: |warning: )`));
  assert.not.match(r.err, /warning: .*: warning: /);
  assert.match(r.err, /did you mean 'target_defaults?'/);
});

test('check: UCI syntax errors and unknown zones are reported with their place', async () => {
  const syntax = tempFile('syntax', `config action 'a'\n\toption criteria 'unterminated\n`);
  const r = await cli('check', '--config', syntax);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`^${syntax}:\\d+:\\d+: error: `, 'm'));
  assert.not.match(r.err, /(error|warning): .*: (error|warning): /, 'the severity is said once');
  const zone = tempFile('zone', `config globals 'globals'\n\toption timezone 'Mars/Olympus_Mons'\n`);
  const z = await cli('check', '--config', zone);
  assert.is(z.code, 1);
  assert.match(z.err, /timezone 'Mars\/Olympus_Mons'/);
});

test("check: OpenWrt's POSIX TZ strings load, also with '/' in their rules", async () => {
  for (const tz of ['CET-1CEST,M3.5.0,M10.5.0/3', 'GMT0BST,M3.5.0/1,M10.5.0', 'EST5EDT,M3.2.0,M11.1.0', 'UTC0']) {
    const path = tempFile('tz', `config globals 'globals'\n\toption timezone '${tz}'\n`);
    const r = await cli('check', '--config', path);
    assert.is(r.code, 0, `${tz}: ${r.err}`);
    assert.match(r.out, `time zone ${tz}`);
  }
});

test('explain shows, flow by flow, which actions fire and when', async () => {
  const r = await cli('explain', '--config', POLICY, '--interface', 'br-lan', SAMPLE);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /TLS\/youtube www\.youtube\.com.*\n\s+fire\s+streaming -> block_video\s+at classification \(packet 4\)/);
  assert.match(r.out, /HTTP\/wikipedia en\.wikipedia\.org.*\n\s+fire\s+web -> label_web/);
  // halt_on_match: the streaming flows never reach the web action.
  assert.not.match(r.out, /youtube.*\n(\s+fire.*\n)*\s+fire\s+web/);
  assert.match(r.out, /8 flows, 3 fired at least one action/);
  // Without the LAN interface the streaming action (interface lan) does not apply.
  const wan = await cli('explain', '--config', POLICY, SAMPLE);
  assert.not.match(wan.out, /fire\s+streaming/);
  const all = await cli('explain', '--config', POLICY, '-a', SAMPLE);
  assert.match(all.out, /skip\s+web: globally exempt/);
});

test('import turns a Netify Flow Actions JSON file into UCI that loads', async () => {
  const r = await cli('import', SEED_JSON);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^config /m);
  const loaded = loadConfig(r.out, 'imported');
  assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.errors));
});

test('import of a file whose conversion has errors exits 1 and prints nothing on stdout', async () => {
  const json = tempFile(
    'broken.json',
    JSON.stringify({ actions: { kids: { criteria: '*', targets: ['missing'], time_of_day: [{ time_start: '9:00', time_stop: '17:00' }] } } }),
  );
  const r = await cli('import', json);
  assert.is(r.code, 1);
  assert.is(r.out, '');
  assert.match(r.err, /broken\.json:1:\d+: error: action "kids" time_of_day\[0\]: unknown property "time_stop"/);
  assert.match(r.err, /target 'missing'|'missing'/);
  assert.match(r.err, /nothing written/);
});

test('runtimes made one after another share one stdout error handler (no listener leak)', async () => {
  await createNodeRuntime();
  const before = process.stdout.listenerCount('error');
  for (let i = 0; i < 12; i++) await createNodeRuntime();
  assert.is(process.stdout.listenerCount('error'), before);
});

test('the built bundle runs as a program under Node', () => {
  const r = spawnSync(process.execPath, [join(REPO_DIR, 'dist', 'flowsieve.js'), 'replay', SAMPLE], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.trim().split('\n').length >= 5);
  const v = spawnSync(process.execPath, [join(REPO_DIR, 'dist', 'flowsieve.js'), 'version'], { encoding: 'utf8' });
  assert.match(v.stdout, /^flowsieve \d+\.\d+\.\d+ \(node\)/);
});

/** A pcap of `flows` one-packet UDP flows: replay prints far more than a pipe holds. */
function manyFlowsPcap(flows: number): Uint8Array {
  const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
  const out = [...le32(0xa1b2c3d4), 2, 0, 4, 0, ...le32(0), ...le32(0), ...le32(65535), ...le32(1)];
  for (let i = 0; i < flows; i++) {
    const frame = eth(0x0800, ipv4(`10.0.${i >> 8}.${i & 255}`, '192.0.2.1', { proto: 17 }, udp(40000, 9999, [1, 2, 3, 4])));
    out.push(...le32(1000 + i), ...le32(0), ...le32(frame.length), ...le32(frame.length), ...frame);
  }
  return new Uint8Array(out);
}

// CI has no txiki.js; where $TJS names a tjs binary the same holds under it.
test('replay into a pipe whose reader has gone (`| true`) ends quietly with status 0', () => {
  const capture = join(mkdtempSync(join(tmpdir(), 'flowsieve-pipe-')), 'many.pcap');
  writeFileSync(capture, manyFlowsPcap(4000));
  const bundle = join(REPO_DIR, 'dist', 'flowsieve.js');
  const runners = [[process.execPath], ...(process.env.TJS ? [[process.env.TJS, 'run']] : [])];
  for (const runner of runners) {
    const alone = spawnSync(runner[0]!, [...runner.slice(1), bundle, 'replay', capture], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.ok(alone.stdout.length > 1 << 18, `${runner[0]}: ${alone.stdout.length} bytes is too little output to fill a pipe`);
    const cmd = '"$@" replay "$0" | true; echo "status ${PIPESTATUS[0]}"';
    const r = spawnSync('bash', ['-c', cmd, capture, ...runner, bundle], { encoding: 'utf8' });
    assert.is(r.stdout.trim(), 'status 0', `${runner[0]}: ${r.stderr}`);
    assert.is(r.stderr, '', runner[0]);
  }
});

test('replay into a file writes what it writes into a pipe; into /dev/null it ends with status 0, into a full device with one line', () => {
  // Under Node a file or device stdout is written synchronously (runtime/node.ts): records
  // far beyond one buffer's worth, so that path writes many times.
  const dir = mkdtempSync(join(tmpdir(), 'flowsieve-out-'));
  const capture = join(dir, 'many.pcap');
  writeFileSync(capture, manyFlowsPcap(2000));
  const bundle = join(REPO_DIR, 'dist', 'flowsieve.js');
  const piped = spawnSync(process.execPath, [bundle, 'replay', capture], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(piped.status, 0, piped.stderr);
  assert.ok(piped.stdout.length > 1 << 18, `${piped.stdout.length} bytes`);
  const file = join(dir, 'records.json');
  const r = spawnSync('bash', ['-c', '"$@" > "$0"', file, process.execPath, bundle, 'replay', capture], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.ok(readFileSync(file, 'utf8') === piped.stdout, 'the same bytes');
  const n = spawnSync('bash', ['-c', '"$@" > /dev/null', 'replay', process.execPath, bundle, 'replay', capture], { encoding: 'utf8' });
  assert.is(n.status, 0, n.stderr);
  assert.is(n.stderr, '');
  // A device that takes nothing (a full disk): one line and status 1, not a stack trace
  // nor records lost in silence. (Where $TJS names a tjs binary, the same under it: its
  // write(2) through tjs:ffi gives no errno to name.)
  const full = spawnSync('bash', ['-c', '"$@" > /dev/full', 'replay', process.execPath, bundle, 'replay', capture], { encoding: 'utf8' });
  assert.is(full.status, 1);
  assert.is(full.stderr, 'flowsieve: cannot write to stdout: ENOSPC\n');
  if (process.env.TJS) {
    const tjs = spawnSync('bash', ['-c', '"$@" > /dev/full', 'replay', process.env.TJS, 'run', bundle, 'replay', capture], { encoding: 'utf8' });
    assert.is(tjs.status, 1, 'tjs');
    assert.is(tjs.stderr, 'flowsieve: cannot write to stdout\n', 'tjs');
  }
});

test('with native/crypto built, replay under Node hashes and opens everything without node:crypto, to the same bytes', () => {
  if (!corpusAvailable()) return;
  const dir = mkdtempSync(join(tmpdir(), 'flowsieve-crypto-'));
  const hook = join(dir, 'crypto-loaded.mjs');
  writeFileSync(hook, "process.on('exit', () => process.stderr.write(`node:crypto ${process.moduleLoadList.includes('NativeModule crypto') ? 'loaded' : 'not loaded'}\\n`));\n");
  // A copy of the bundle away from native/build finds no library: node:crypto serves it.
  const alone = join(dir, 'flowsieve.js');
  copyFileSync(join(REPO_DIR, 'dist', 'flowsieve.js'), alone);
  const env = { ...process.env, FLOWSIEVE_NATIVE_DIR: '' };
  // A TLS 1.2 certificate (SHA-1), QUIC v1 Initials (the library's AES and key schedule), and
  // Google QUIC Q050 and T51 (AES-128-GCM).
  for (const capture of ['google_ssl.pcap', 'quic-29.pcap', 'quic_q50.pcap', 'quic_t51.pcap']) {
    const path = join(CORPUS_DIR, capture);
    const native = spawnSync(process.execPath, ['--import', hook, join(REPO_DIR, 'dist', 'flowsieve.js'), 'replay', path], { encoding: 'utf8', env });
    assert.is(native.status, 0, native.stderr);
    assert.match(native.stderr, /node:crypto not loaded/, capture);
    const node = spawnSync(process.execPath, ['--import', hook, alone, 'replay', path], { encoding: 'utf8', env });
    assert.match(node.stderr, /node:crypto loaded/, capture);
    assert.ok(node.stdout.length > 0 && native.stdout === node.stdout, `${capture}: the same records`);
  }
});

test.run();
