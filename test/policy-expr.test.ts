/**
 * Flow expressions (src/policy/expr): parsing and grouping, evaluation against FlowRecords,
 * errors with their column, warnings, address groups, the prefix tree, and the library
 * running inside QuickJS-ng. Tables first; each row is one case.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { build as esbuild } from 'esbuild';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';
import type { FlowRecord } from '../src/record/flow-record.js';
import {
  type AddressGroups,
  compileCriteria,
  explainCriteria,
  formatDiagnostic,
  groupsFromLists,
  parseGroupsFile,
} from '../src/policy/expr/index.js';
import { parseCidr, parseIp } from '../src/net/address.js';
import { PrefixSet, PrefixTree } from '../src/net/prefix-tree.js';
import { checkStatements } from '../src/policy/expr/check.js';
import type { IR } from '../src/policy/expr/ir.js';
import { simplify } from '../src/policy/expr/simplify.js';
import { parseExpression } from '../src/policy/expr/parser.js';

// ---------------------------------------------------------------- fixtures

/** A TLS flow from a LAN host to YouTube; rows override fields. */
function record(over: Partial<FlowRecord> & { [k: string]: unknown } = {}): FlowRecord {
  return {
    ip_version: 4,
    ip_protocol: 6,
    vlan_id: 0,
    local_ip: '192.168.1.20',
    local_port: 50123,
    local_mac: '00:11:22:33:44:55',
    other_ip: '142.250.180.14',
    other_port: 443,
    other_mac: 'aa:bb:cc:dd:ee:ff',
    interface: 'br-lan',
    other_type: 'remote',
    ip_nat: false,
    fwmark: 0,
    first_seen_at: 1700000000000,
    last_seen_at: 1700000001000,
    detected_protocol_name: 'TLS',
    detected_application_name: 'youtube',
    detection_guessed: false,
    detection_complete: true,
    detection_packets: 6,
    host_server_name: 'www.youtube.com',
    dns_host_name: 'rr1.googlevideo.com',
    category: { application: 'streaming-media', protocol: 'web' },
    local_packets: 10,
    other_packets: 12,
    local_bytes: 1500,
    other_bytes: 90000,
    ssl: { version: '0x0304', cipher_suite: '0x1301' },
    ...over,
  };
}

const R = record();
const V6 = record({ ip_version: 6, local_ip: 'fd00::20', other_ip: '2a00:1450:4001:80b::200e', other_type: 'remote' });
const UNKNOWN = record({
  detected_protocol_name: 'Unknown',
  detected_application_name: null,
  host_server_name: null,
  dns_host_name: null,
  category: { application: null, protocol: null },
  ssl: undefined,
  local_mac: null,
  other_mac: null,
  interface: null,
  other_type: 'unknown',
});
const REDDIT = record({ detected_application_name: 'netify.reddit', category: { application: 'social-media', protocol: 'web' } });
const WG = record({
  ip_protocol: 17,
  other_port: 51820,
  detected_protocol_name: 'WireGuard',
  detected_application_name: null,
  host_server_name: null,
  category: { application: null, protocol: 'vpn-and-proxy' },
  ssl: undefined,
  vlan_id: 20,
  ip_nat: true,
  fwmark: 0x2a,
  detection_guessed: true,
});
/** Records may carry Netify's domain category, which FlowCategory does not declare. */
const withDomainCategory = { application: 'search', protocol: 'networking', domain: 'technology' };
const DNS = record({
  ip_protocol: 17,
  other_ip: '8.8.8.8',
  other_port: 53,
  detected_protocol_name: 'DNS',
  detected_application_name: 'google',
  host_server_name: 'Example.COM.',
  category: withDomainCategory,
  ssl: undefined,
});
const MCAST = record({ ip_protocol: 17, other_ip: '239.255.255.250', other_type: 'multicast', other_port: 1900, detected_protocol_name: 'SSDP' });
const MAPPED = record({ other_ip: '::ffff:10.1.2.3', ip_version: 6 });
const TLS12 = record({ ssl: { version: 771, cipher_suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' } });
const TLSNAMED = record({ ssl: { version: 'TLSv1.2', cipher_suite: 49199 } });

const GROUPS_TEXT = `
# test groups
kids: 192.168.1.20, 192.168.1.21 00:11:22:33:44:55
servers: 10.0.0.0/8
   2001:db8::/32        # continuation line
google: 142.250.0.0/15, 2a00:1450::/32
macs-only: aa:bb:cc:dd:ee:ff
empty:
everyone: @kids, @servers
`;
const groupsParsed = parseGroupsFile(GROUPS_TEXT);
if (!groupsParsed.ok) throw new Error(JSON.stringify(groupsParsed.errors));
const GROUPS: AddressGroups = groupsParsed.groups;

// ---------------------------------------------------------------- 1. parsing and grouping

/** Source → how the parser grouped it (printExpr, fully parenthesised, one entry per statement). */
const PARSE: [string, string[]][] = [
  ["app == 'youtube';", ["app == 'youtube'"]],
  ["app == 'youtube'", ["app == 'youtube'"]],
  ['a && b || c', ['((a && b) || c)']],
  ['a || b && c', ['(a || (b && c))']],
  ['a || b && c || d', ['(a || (b && c) || d)']],
  ['a && (b || c)', ['(a && (b || c))']],
  ['a and b or c', ['((a && b) || c)']],
  ['a AND b Or c', ['((a && b) || c)']],
  ['!a', ['!a']],
  ['!(a || b)', ['!(a || b)']],
  ['!!a', ['!!a']],
  ['!ai:youtube', ['!ai:youtube']],
  ['ai:youtube', ['ai:youtube']],
  ["ai:'netify.youtube'", ['ai:netify.youtube']],
  ['pc:vpn-and-proxy', ['pc:vpn-and-proxy']],
  ['AC:games', ['ac:games']],
  ['*', ['*']],
  ['a; b; c;', ['a', 'b', 'c']],
  ['a;;', ['a']],
  ['other_ip == 10.0.0.0/8;', ['other_ip == 10.0.0.0/8']],
  ['other_ip == fe80::1', ['other_ip == fe80::1']],
  ['other_ip == ::1', ['other_ip == ::1']],
  ['other_ip == 2001:db8::/32', ['other_ip == 2001:db8::/32']],
  ['local_mac == AC:DE:48:00:11:22', ['local_mac == ac:de:48:00:11:22']],
  ['local_mac == 00-11-22-33-44-55', ['local_mac == 00:11:22:33:44:55']],
  ['ac:face', ['ac:face']],
  ['fwmark == 0x2A', ['fwmark == 42']],
  ['vlan_id>=10&&vlan_id<=20', ['(vlan_id >= 10 && vlan_id <= 20)']],
  ['@kids', ['@kids']],
  ['192.168.1.1', ['192.168.1.1']],
  ['ip_nat == TRUE', ['ip_nat == true']],
  ["detected_hostname == 'rx:^a\\.b$'", ["detected_hostname == 'rx:^a\\.b$'"]],
  ["app == 'it\\'s'", ["app == 'it\\'s'"]],
  ['other_type == other_remote', ['other_type == other_remote']],
  ["a # comment\n && b", ['(a && b)']],
  ['((a))', ['a']],
];

for (const [src, want] of PARSE) {
  test(`parse ${JSON.stringify(src)}`, () => {
    const r = explainCriteria(src);
    if (!r.ok) throw new Error(formatDiagnostic(r.error));
    assert.equal(r.statements, want);
  });
}

// ---------------------------------------------------------------- 2. evaluation

/** [criteria, record, expected match]. */
const EVAL: [string | string[], FlowRecord, boolean][] = [
  // applications: netify. prefix optional on either side, case-insensitive
  ["app == 'youtube';", R, true],
  ["app == 'netify.youtube';", R, true],
  ["app == 'YouTube';", R, true],
  ["application == 'youtube'", R, true],
  ["app == 'reddit';", REDDIT, true],
  ["app == 'netify.reddit';", REDDIT, true],
  ["app == 'netify.reddit';", R, false],
  ["app != 'netify.reddit';", R, true],
  ["app != 'youtube'", R, false],
  ["app != 'youtube'", UNKNOWN, true],
  ["app == 'youtube'", UNKNOWN, false],
  ['app', R, true],
  ['!app', R, false],
  ['!app', UNKNOWN, true],
  ["app == 'rx:^you'", R, true],
  ["app == 'rx:tube$'", R, true],
  ["app != 'rx:^you'", R, false],
  // compact forms
  ['ai:youtube', R, true],
  ['ai:netify.youtube', R, true],
  ["ai:'Netify.YouTube'", R, true],
  ['ai:reddit', R, false],
  ['!ai:youtube', R, false],
  ['!ai:reddit', R, true],
  ['pi:tls', R, true],
  ['pi:TLS', R, true],
  ['pi:quic', R, false],
  ['ac:streaming-media', R, true],
  ['ac:streaming', R, true],
  ['ac:stream', R, false],
  ['ac:media', R, false],
  ['ac:social', REDDIT, true],
  ['pc:vpn', WG, true],
  ['pc:vpn-and', WG, true],
  ['pc:vpn-and-proxy', WG, true],
  ['pc:proxy', WG, false],
  ['!pc:vpn', R, true],
  ['ac:technology', DNS, true],
  ['ai:youtube; ai:reddit', REDDIT, true],
  // protocols
  ["protocol == 'TLS'", R, true],
  ["protocol == 'tls'", R, true],
  ["proto == 'tls'", R, true],
  ["protocol != 'tls'", R, false],
  ["protocol == 'wireguard'", WG, true],
  ['protocol', UNKNOWN, false],
  ['!protocol', UNKNOWN, true],
  ["protocol == 'unknown'", UNKNOWN, false],
  ["protocol == 'rx:^(tls|quic)$'", R, true],
  // categories
  ["category == 'streaming-media'", R, true],
  ["category == 'Streaming-Media'", R, true],
  ["category == 'streaming'", R, false],
  ["category == 'technology'", DNS, true],
  ["category == 'search'", DNS, true],
  ["category != 'technology'", DNS, false],
  ["category != 'games'", DNS, true],
  ["category != 'games'", UNKNOWN, true],
  ["app_category == 'technology'", DNS, false],
  ["app_category == 'search'", DNS, true],
  ["domain_category == 'technology'", DNS, true],
  ["protocol_category == 'web'", R, true],
  ["protocol_category == 'vpn-and-proxy'", WG, true],
  ["proto_category == 'vpn'", WG, false],
  ['category', UNKNOWN, false],
  ['!category', R, false],
  // host names
  ["detected_hostname == 'www.youtube.com'", R, true],
  ["detected_hostname == 'WWW.YouTube.com.'", R, true],
  ["detected_hostname == 'youtube.com'", R, false],
  ["detected_hostname == '*.youtube.com'", R, true],
  ["detected_hostname == '*.tube.com'", R, false],
  ["detected_hostname == '*.com'", R, true],
  ["detected_hostname == 'example.com'", DNS, true],
  ["detected_hostname != 'www.youtube.com'", R, false],
  ["detected_hostname == 'rx:^www\\.'", R, true],
  ["detected_hostname == 'rx:YOUTUBE'", R, true],
  ["detected_hostname != 'rx:youtube'", R, false],
  ["detected_hostname != 'rx:reddit'", R, true],
  ["detected_hostname != 'rx:reddit'", UNKNOWN, true],
  ["detected_hostname == 'rx:.*'", UNKNOWN, false],
  ["dns_hostname == '*.googlevideo.com'", R, true],
  ["dns_hostname == 'rx:^rr[0-9]+\\.googlevideo\\.com$'", R, true],
  ['detected_hostname', UNKNOWN, false],
  ['!dns_hostname', UNKNOWN, true],
  // numbers
  ['ip_protocol == 6', R, true],
  ["ip_protocol == 'tcp'", R, true],
  ["ip_protocol == 'UDP'", WG, true],
  ['ip_protocol != 6', WG, true],
  ['ip_version == 4', R, true],
  ['ip_version == 6', V6, true],
  ['ip_version != 4', V6, true],
  ['other_port == 443', R, true],
  ['other_port == 0x1bb', R, true],
  ['other_port > 442', R, true],
  ['other_port > 443', R, false],
  ['other_port >= 443', R, true],
  ['other_port < 443', R, false],
  ['other_port <= 443', R, true],
  ['local_port > 1024 && other_port < 1024', R, true],
  ['vlan_id', R, false],
  ['vlan_id == 20', WG, true],
  ['!vlan_id', R, true],
  ['fwmark == 0x2a', WG, true],
  ['fwmark', R, false],
  ['other_bytes > 50000', R, true],
  ['detection_packets <= 6', R, true],
  // booleans
  ['ip_nat', WG, true],
  ['ip_nat', R, false],
  ['!ip_nat', R, true],
  ['ip_nat == true', WG, true],
  ['ip_nat == false', R, true],
  ['ip_nat != true', R, true],
  ['ip_nat == 1', WG, true],
  ['detection_guessed', WG, true],
  ['detection_guessed == false', R, true],
  ['detection_complete', R, true],
  // other_type
  ['other_type == other_remote', R, true],
  ['other_type == other_local', R, false],
  ['other_type != other_local', R, true],
  ['other_type == other_multicast', MCAST, true],
  ["other_type == 'multicast'", MCAST, true],
  ['other_type == OTHER_MULTICAST', MCAST, true],
  ['other_type == other_error', R, false],
  ['other_type', R, true],
  ['!other_type', UNKNOWN, true],
  // addresses
  ['other_ip == 142.250.180.14', R, true],
  ['other_ip == 142.250.180.15', R, false],
  ['other_ip == 142.250.0.0/15', R, true],
  ['other_ip == 142.248.0.0/15', R, false],
  ['other_ip != 10.0.0.0/8', R, true],
  ['local_ip == 192.168.0.0/16', R, true],
  ['local_ip == 0.0.0.0/0', R, true],
  ['local_ip == 0.0.0.0/0', V6, false],
  ['local_ip == ::/0', V6, true],
  ['local_ip == fd00::/8', V6, true],
  ['local_ip == fd00::20', V6, true],
  ['local_ip == FD00:0:0:0:0:0:0:20', V6, true],
  ['other_ip == 2a00:1450::/32', V6, true],
  ['other_ip == 2a00:1451::/32', V6, false],
  ['other_ip == 142.250.0.0/15', V6, false],
  ['other_ip == 10.0.0.0/8', MAPPED, true],
  ['other_ip == ::ffff:10.0.0.0/104', MAPPED, true],
  ['other_ip == ::ffff:10.1.2.3', record({ other_ip: '10.1.2.3' }), true],
  ['other_ip == 10.1.2.0/23', record({ other_ip: '10.1.3.255' }), true],
  ['other_ip == 10.1.2.0/23', record({ other_ip: '10.1.4.0' }), false],
  ['other_ip == 10.1.2.3/31', record({ other_ip: '10.1.2.2' }), true],
  ['other_ip == 10.0.0.1 || other_ip == 10.0.0.2 || other_ip == 142.250.180.14', R, true],
  ['other_ip != 10.0.0.1 && other_ip != 142.250.180.14', R, false],
  ['other_ip == 8.8.8.8', record({ other_ip: 'garbage' }), false],
  ['192.168.1.20', R, true],
  ['142.250.180.14', R, true],
  ['10.0.0.0/8', R, false],
  ['!192.168.1.1', R, true],
  // MAC addresses
  ['local_mac == 00:11:22:33:44:55', R, true],
  ['local_mac == 00:11:22:33:44:56', R, false],
  ['other_mac == AA:BB:CC:DD:EE:FF', R, true],
  ['local_mac != 00:11:22:33:44:55', R, false],
  ['local_mac == 00:11:22:33:44:55', UNKNOWN, false],
  ['local_mac != 00:11:22:33:44:55', UNKNOWN, true],
  ['local_mac', UNKNOWN, false],
  ['aa:bb:cc:dd:ee:ff', R, true],
  // groups
  ['local_ip == @kids', R, true],
  ['other_ip == @kids', R, false],
  ['local_mac == @kids', R, true],
  ['other_mac == @kids', R, false],
  ['other_ip == @google', R, true],
  ['other_ip == @google', V6, true],
  ['other_ip != @google', R, false],
  ['local_ip == @everyone', R, true],
  ['other_ip == @everyone', record({ other_ip: '10.9.8.7' }), true],
  ['other_ip == @everyone', record({ other_ip: '2001:db8:1::1' }), true],
  ['@KIDS', R, true],
  ['@servers', R, false],
  ['@macs-only', R, true],
  ["@kids && app == 'youtube'", R, true],
  ["@kids && !(app == 'youtube')", R, false],
  // interface
  ["interface == 'br-lan'", R, true],
  ["interface == 'BR-LAN'", R, false],
  ["interface != 'eth0'", R, true],
  ["iface == 'rx:^br-'", R, true],
  ['interface', UNKNOWN, false],
  // TLS
  ['tls_version == 0x0304', R, true],
  ["tls_version == 'TLSv1.3'", R, true],
  ["tls_version == '1.3'", R, true],
  ["tls_version < 'TLSv1.3'", R, false],
  ["tls_version < 'TLSv1.3'", TLS12, true],
  ["ssl_version == 'tls 1.2'", TLSNAMED, true],
  ['tls_version >= 0x0303', TLSNAMED, true],
  ['tls_version', UNKNOWN, false],
  ['tls_version < 0x0304', UNKNOWN, false],
  ['ssl_cipher == 0x1301', R, true],
  ["ssl_cipher == '0x1301'", R, true],
  ['ssl_cipher == 4865', R, true],
  ["ssl_cipher == 'tls_ecdhe_rsa_with_aes_128_gcm_sha256'", TLS12, true],
  ['ssl_cipher == 0xc02f', TLSNAMED, true],
  ["ssl_cipher == 'rx:AES_128'", TLS12, true],
  ['!ssl_cipher', UNKNOWN, true],
  // structure: precedence, negation, statements, arrays
  ['*', R, true],
  ['*', UNKNOWN, true],
  ['!*', R, false],
  ["app == 'reddit' || app == 'youtube' && other_port == 80", R, false],
  ["(app == 'reddit' || app == 'youtube') && other_port == 443", R, true],
  ["app == 'youtube' && other_port == 80 || other_port == 443", R, true],
  ["app == 'youtube' and (other_port == 80 or other_port == 443)", R, true],
  ["!(app == 'youtube' && other_port == 443)", R, false],
  ["!(app == 'reddit' || other_port == 80)", R, true],
  ["!(!(app == 'youtube'))", R, true],
  ["app == 'reddit'; app == 'youtube';", R, true],
  ["app == 'reddit'; app == 'spotify';", R, false],
  [["app == 'reddit';", "app == 'youtube';"], R, true],
  [["app == 'reddit';", 'pi:quic'], R, false],
  [['pc:vpn', "protocol == 'dns'"], DNS, true],
  ["app == 'a' || app == 'b' || app == 'c' || app == 'youtube' || app == 'e'", R, true],
  ["app != 'a' && app != 'b' && app != 'youtube'", R, false],
  ["app != 'a' && app != 'b' && app != 'c'", R, true],
  ["ai:reddit || ai:youtube || pi:dns", R, true],
  ["(app == 'youtube' || protocol == 'quic') && !(other_ip == 10.0.0.0/8 || other_ip == @kids)", R, true],
  ["* && !app", R, false],
  ["* || app == 'x'", UNKNOWN, true],
];

for (const [src, rec, want] of EVAL) {
  test(`eval ${JSON.stringify(src)} → ${want}`, () => {
    const c = compileCriteria(src, { groups: GROUPS });
    if (!c.ok) throw new Error(c.errors.map(formatDiagnostic).join('\n'));
    assert.is(c.evaluate(rec), want);
  });
}

// ---------------------------------------------------------------- 3. errors, with columns

/** [criteria, 1-based column of the (first) error, message pattern]. */
const ERRORS: [string, number, RegExp][] = [
  ['', 1, /empty expression/],
  ['   ', 4, /empty expression/],
  [';', 1, /empty statement/],
  ["app == 'youtube", 8, /unterminated string/],
  ['app = 1', 5, /'=' is not an operator/],
  ['a & b', 3, /single '&'/],
  ['a | b', 3, /single '\|'/],
  ['app == "youtube"', 8, /single quotes/],
  ["app ==", 7, /expected a value after '=='/],
  ["app == 'x' &&", 14, /unexpected end/],
  ["(app == 'x'", 12, /expected '\)' to close the '\(' at column 1/],
  ["app == 'x')", 11, /unbalanced '\)'/],
  ['()', 1, /empty parentheses/],
  ["app == 'x' app == 'y'", 12, /expected '&&', '\|\|', ';'/],
  ["== 'x'", 1, /needs an attribute on its left/],
  ["'youtube'", 1, /needs an attribute and operator/],
  ["app == 'x' == 'y'", 12, /needs an attribute on its left/],
  ["!app == 'x'", 1, /'!' negates only the attribute 'app'/],
  ["aplication == 'x'", 1, /unknown attribute 'aplication' \(did you mean 'application'\?\)/],
  ["foo == 1", 1, /unknown attribute 'foo'/],
  ["app == 'x' && bogus_attr", 15, /unknown attribute 'bogus_attr'/],
  ['risks', 1, /'risks' is not supported/],
  ['app_id == 10', 1, /numeric application ids/],
  ['other_local', 1, /is a value, not an attribute/],
  ["other_ip == 'x'", 13, /other_ip expects an IP address, CIDR prefix or @group/],
  ['other_ip == 42', 13, /other_ip expects an IP address/],
  ['local_ip == 00:11:22:33:44:55', 13, /MAC address/],
  ['other_ip == 300.1.1.1', 13, /invalid address '300\.1\.1\.1'/],
  ['other_ip == 10.0.0.0/33', 13, /invalid address '10\.0\.0\.0\/33'/],
  ['other_ip == 1:2:3', 13, /invalid address '1:2:3'/],
  ['other_ip == 10.0.0.1x', 13, /invalid number or address/],
  ['other_ip < 10.0.0.1', 10, /operator '<' does not apply to other_ip/],
  ['local_mac == 10.0.0.1', 14, /local_mac expects a MAC address/],
  ["local_mac == 'x'", 14, /local_mac expects a MAC address/],
  ['app == youtube', 8, /quote names: 'youtube'/],
  ['app == 12', 8, /numeric app ids are not supported/],
  ["app < 'x'", 5, /operator '<' does not apply to app/],
  ["category > 'games'", 10, /does not apply to category/],
  ["detected_hostname == 'rx:('", 22, /invalid regular expression/],
  ["detected_hostname == 'rx:[a-'", 22, /invalid regular expression/],
  ["detected_hostname < 'rx:a'", 19, /cannot take a regular expression/],
  ["other_ip == 'rx:^10\\.'", 13, /regular expressions apply to name attributes, not to other_ip/],
  ["detected_hostname == 'a*.com'", 22, /only a leading '\*\.' wildcard/],
  ['detected_hostname == 1', 22, /expects a quoted host name/],
  ["local_port == 'http'", 15, /local_port expects a number/],
  ['local_port == true', 15, /expects a number/],
  ["ip_protocol == 'tcpx'", 16, /unknown name 'tcpx' for ip_protocol/],
  ["tls_version == 'TLSv9'", 16, /unknown TLS version/],
  ['ip_nat == 2', 11, /ip_nat expects true or false/],
  ["ip_nat == 'yes'", 11, /expects true or false/],
  ['other_type == local_ip', 15, /one of other_local/],
  ["other_type == 'nowhere'", 15, /one of other_local/],
  ['other_ip == @nosuch', 13, /unknown address group '@nosuch'/],
  ['@', 1, /expected a group name/],
  ['ai:', 4, /expected a name after 'ai:'/],
  ["app == ''", 8, /empty name/],
  ['app == $', 8, /unexpected character '\$'/],
  ["app == 'a' && (protocol == 'b' || )", 35, /expected an attribute/],
];

for (const [src, column, pattern] of ERRORS) {
  test(`error ${JSON.stringify(src)} at column ${column}`, () => {
    const c = compileCriteria(src, { groups: GROUPS });
    assert.is(c.ok, false, 'expected a compile error');
    if (c.ok) return;
    const e = c.errors[0]!;
    assert.ok(pattern.test(e.message), `message ${JSON.stringify(e.message)} !~ ${pattern}`);
    assert.is(e.column, column, `column of: ${e.message}`);
    assert.is(e.source, src);
  });
}

test('errors: array entries are reported with their own source, index and column', () => {
  const c = compileCriteria(["app == 'x';", 'other_ip == foo', 'bogus;'], {});
  assert.is(c.ok, false);
  if (c.ok) return;
  assert.equal(
    c.errors.map((e) => [e.index, e.source, e.column]),
    [
      [1, 'other_ip == foo', 13],
      [2, 'bogus;', 1],
    ],
  );
});

test('errors: every semantic problem in one pass', () => {
  const c = compileCriteria("foo == 1 && app == 3 && other_ip == 'x'");
  assert.is(c.ok, false);
  if (!c.ok) assert.equal(c.errors.map((e) => e.column), [1, 20, 37]);
});

test('errors: line and column in multi-line criteria', () => {
  const c = compileCriteria("app == 'a' ||\n  app == 'b' &&\n  nosuch == 1");
  assert.is(c.ok, false);
  if (c.ok) return;
  assert.equal([c.errors[0]!.line, c.errors[0]!.column], [3, 3]);
  assert.match(formatDiagnostic(c.errors[0]!), /line 3, column 3: unknown attribute 'nosuch'/);
});

test('errors: groups referenced without a groups file', () => {
  const c = compileCriteria('other_ip == @kids');
  assert.is(c.ok, false);
  if (!c.ok) assert.match(c.errors[0]!.message, /no groups file is loaded/);
});

test('errors: an empty criteria array', () => {
  const c = compileCriteria([]);
  assert.is(c.ok, false);
});

// ---------------------------------------------------------------- 4. warnings

/** [criteria, columns of warnings]. */
const WARNINGS: [string, number[]][] = [
  ["app == 'a' && app == 'b' || app == 'c'", [26]],
  ["app == 'a' || app == 'b' && app == 'c'", [26]],
  ["app == 'a' and app == 'b' or app == 'c'", [27]],
  ["(app == 'a' && app == 'b') || app == 'c'", []],
  ["app == 'a' && (app == 'b' || app == 'c')", []],
  ["app == 'a' && app == 'b' && app == 'c'", []],
  ["!(app == 'a' && app == 'b' || app == 'c')", [28]],
  ["app == 'a' && (app == 'b' && app == 'c' || app == 'd')", [41]],
  ["app == 'a'; app == 'b' && app == 'c' || app == 'd';", [38]],
  ['other_ip == 10.1.2.3/8', [13]],
  ['other_ip == @macs-only', [13]],
  ['local_mac == @servers', [14]],
  ['@empty', [1]],
];

for (const [src, cols] of WARNINGS) {
  test(`warnings ${JSON.stringify(src)} → ${JSON.stringify(cols)}`, () => {
    const c = compileCriteria(src, { groups: GROUPS });
    assert.ok(c.ok, 'warnings never stop compilation');
    assert.equal(c.warnings.map((w) => w.column), cols);
  });
}

test('warnings: the precedence warning explains Netify grouping', () => {
  const c = compileCriteria("app == 'a' && app == 'b' || app == 'c'");
  assert.match(c.warnings[0]!.message, /Netify/);
  assert.match(c.warnings[0]!.message, /parentheses/);
});

// ---------------------------------------------------------------- 5. compilation shape

function compiledIR(src: string, groups?: AddressGroups): IR {
  const p = parseExpression(src);
  if (!p.ok) throw new Error(p.error.message);
  return simplify(checkStatements([{ index: 0, statements: p.statements }], { groups: groups ?? null }).ir);
}

test('collapse: a chain of == on one attribute becomes one set lookup', () => {
  const ir = compiledIR("app == 'a' || app == 'b' || app == 'netify.c' || ai:d");
  assert.is(ir.k, 'set');
  if (ir.k === 'set') assert.equal([...ir.keys].sort(), ['a', 'b', 'c', 'd']);
});

test('collapse: addresses and groups become one prefix-tree leaf', () => {
  const ir = compiledIR('other_ip == 10.0.0.0/8 || other_ip == 192.168.1.1 || other_ip == @google', GROUPS);
  assert.is(ir.k, 'addr');
  if (ir.k === 'addr') assert.is(ir.sets.length, 3);
});

test('collapse: != chains under && become one negated lookup', () => {
  const ir = compiledIR("protocol != 'dns' && protocol != 'mdns' && proto != 'ntp'");
  assert.is(ir.k, 'set');
  if (ir.k === 'set') assert.equal([ir.neg, ir.keys.length], [true, 3]);
});

test('collapse: !( == ) becomes a negated leaf, constants fold', () => {
  assert.is(compiledIR("!(app == 'x')").k, 'set');
  assert.equal(compiledIR("* || app == 'x'"), { k: 'const', v: true });
  assert.equal(compiledIR("!* && app == 'x'"), { k: 'const', v: false });
});

test('collapse: host names, exact and wildcard, in one leaf', () => {
  const ir = compiledIR("detected_hostname == 'a.com' || detected_hostname == '*.b.com' || detected_hostname == 'C.com'");
  assert.is(ir.k, 'host');
  if (ir.k === 'host') assert.equal([ir.exact, ir.suffix], [['a.com', 'c.com'], ['.b.com']]);
});

test('large OR chains evaluate through one Set (10 000 apps)', () => {
  const src = Array.from({ length: 10000 }, (_, i) => `app == 'app${i}'`).join(' || ');
  const c = compileCriteria(src);
  assert.ok(c.ok);
  if (!c.ok) return;
  assert.is(c.evaluate(record({ detected_application_name: 'app9999' })), true);
  assert.is(c.evaluate(R), false);
  // One set leaf holds them all: an evaluation is a lookup, not a 10 000-step scan (its
  // speed is measured by npm run bench:policy, not here).
  const ir = compiledIR(src);
  assert.is(ir.k, 'set');
  if (ir.k === 'set') assert.is(ir.keys.length, 10000);
});

// ---------------------------------------------------------------- 6. prefix tree

/** [prefixes, address, covered?]. */
const TREE: [string[], string, boolean][] = [
  [['10.0.0.0/8'], '10.255.255.255', true],
  [['10.0.0.0/8'], '11.0.0.0', false],
  [['10.0.0.0/9'], '10.127.0.1', true],
  [['10.0.0.0/9'], '10.128.0.1', false],
  [['10.0.0.0/31'], '10.0.0.1', true],
  [['10.0.0.0/31'], '10.0.0.2', false],
  [['192.168.1.1'], '192.168.1.1', true],
  [['192.168.1.1'], '192.168.1.2', false],
  [['0.0.0.0/0'], '1.2.3.4', true],
  [['0.0.0.0/0'], '::1', false],
  [['::/0'], '::1', true],
  [['1.2.3.4/32', '1.2.3.0/24'], '1.2.3.77', true],
  [['128.0.0.0/1'], '127.255.255.255', false],
  [['128.0.0.0/1'], '200.0.0.1', true],
  [['2001:db8::/32'], '2001:db8:ffff::1', true],
  [['2001:db8::/32'], '2001:db9::1', false],
  [['2001:db8::/33'], '2001:db8:8000::1', false],
  [['2001:db8::/33'], '2001:db8:7fff::1', true],
  [['fe80::/10'], 'febf::1', true],
  [['fe80::/10'], 'fec0::1', false],
  [['::1'], '0:0:0:0:0:0:0:1', true],
  [['::ffff:0:0/96'], '10.0.0.1', true],
  [['10.0.0.0/8'], '::ffff:10.0.0.1', true],
  [['2001:db8::1/128'], '2001:db8::1%eth0', true],
];

for (const [prefixes, addr, want] of TREE) {
  test(`prefix tree ${prefixes.join(',')} ∋ ${addr} → ${want}`, () => {
    const s = new PrefixSet();
    for (const p of prefixes) assert.ok(s.addText(p), p);
    assert.is(s.has(addr), want);
  });
}

test('prefix tree: longest match wins regardless of insertion order', () => {
  for (const order of [
    [0, 1, 2],
    [2, 1, 0],
    [1, 2, 0],
  ]) {
    const t = new PrefixTree<string>(32);
    const entries: [string, string][] = [
      ['10.0.0.0/8', 'eight'],
      ['10.1.0.0/17', 'seventeen'],
      ['10.1.2.0/24', 'twentyfour'],
    ];
    for (const i of order) {
      const [p, v] = entries[i]!;
      const c = parseCidr(p)!;
      t.insert(c.words, c.length, v);
    }
    const at = (ip: string): string | undefined => t.lookup(parseIp(ip)!.words);
    assert.equal([at('10.1.2.3'), at('10.1.3.3'), at('10.1.200.1'), at('10.2.0.1'), at('11.0.0.1')], [
      'twentyfour',
      'seventeen',
      'eight',
      'eight',
      undefined,
    ]);
  }
});

test('prefix tree: agrees with a linear scan on random prefixes', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  const prefixes: { net: number; len: number }[] = [];
  const set = new PrefixSet();
  for (let i = 0; i < 300; i++) {
    const len = 1 + (rnd() % 32);
    const mask = len === 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
    const net = (rnd() & mask) >>> 0;
    prefixes.push({ net, len });
    set.addText(`${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`);
  }
  for (let i = 0; i < 3000; i++) {
    // Half the probes land inside a known prefix, half anywhere.
    const p = prefixes[rnd() % prefixes.length]!;
    const a = i % 2 === 0 ? (p.net | (rnd() & ~(p.len === 32 ? 0xffffffff : (0xffffffff << (32 - p.len)) >>> 0))) >>> 0 : rnd();
    const want = prefixes.some((q) => {
      const m = q.len === 32 ? 0xffffffff : (0xffffffff << (32 - q.len)) >>> 0;
      return ((a & m) >>> 0) === q.net;
    });
    assert.is(set.has(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`), want);
  }
});

// ---------------------------------------------------------------- 7. groups files

test('groups: text format with continuation, includes and MACs', () => {
  const kids = GROUPS.get('kids')!;
  assert.equal([kids.prefixes.size, [...kids.macs]], [2, ['00:11:22:33:44:55']]);
  assert.equal(GROUPS.get('servers')!.prefixes.toStrings(), ['10.0.0.0/8', '2001:db8:0:0:0:0:0:0/32']);
  assert.is(GROUPS.get('everyone')!.prefixes.size, 4);
  assert.is(GROUPS.get('everyone')!.macs.size, 1);
  assert.is(GROUPS.get('empty')!.prefixes.size, 0);
});

test('groups: JSON format', () => {
  const g = parseGroupsFile('{"lan": ["192.168.0.0/16"], "@printer": ["00:00:5e:00:53:01"]}');
  assert.ok(g.ok);
  if (!g.ok) return;
  const c = compileCriteria('local_ip == @lan && other_mac != @printer', { groups: g.groups });
  assert.ok(c.ok);
  if (c.ok) assert.is(c.evaluate(R), true);
});

/** [file text, line, column, message pattern]. */
const GROUP_ERRORS: [string, number, number, RegExp][] = [
  ['10.0.0.1\n', 1, 1, /entry before any group header/],
  ['a: 10.0.0.1, nonsense\n', 1, 14, /'nonsense' is not an IP address/],
  ['a: 10.0.0.0/40', 1, 4, /not an IP address/],
  ['a: 1.2.3.4\nb: @c', 2, 4, /unknown group '@c'/],
  ['a: @b\nb: @a', 2, 4, /cycle/],
  ['a: 1.2.3.4\nA: 5.6.7.8', 2, 1, /defined twice \(first on line 1\)/],
  ['{"a": "10.0.0.1"}', 0, 0, /array of strings/],
  ['{"a": [', 1, 1, /invalid JSON/],
];

for (const [text, line, column, pattern] of GROUP_ERRORS) {
  test(`groups error ${JSON.stringify(text)}`, () => {
    const g = parseGroupsFile(text);
    assert.is(g.ok, false);
    if (g.ok) return;
    const e = g.errors[0]!;
    assert.ok(pattern.test(e.message), e.message);
    assert.equal([e.line, e.column], [line, column]);
  });
}

test('groups: groupsFromLists for callers with plain lists', () => {
  const g = groupsFromLists({ blocked: ['203.0.113.0/24'] });
  assert.ok(g.ok);
  if (!g.ok) return;
  const c = compileCriteria('@blocked', { groups: g.groups });
  assert.ok(c.ok);
  if (c.ok) assert.is(c.evaluate(record({ other_ip: '203.0.113.9' })), true);
});

// ---------------------------------------------------------------- 8. robustness

test('evaluate never throws on malformed records', () => {
  const c = compileCriteria([
    "app == 'x' || category == 'y' || detected_hostname == '*.z' || tls_version > 1 || ssl_cipher == 5",
    'other_ip == 10.0.0.0/8 || local_mac == 00:11:22:33:44:55 || other_type == other_local || ip_nat',
    "detected_hostname == 'rx:a' || interface == 'x' || @kids || vlan_id > 3",
  ], { groups: GROUPS });
  assert.ok(c.ok);
  if (!c.ok) return;
  const broken = [
    {} as FlowRecord,
    { category: null, ssl: 'x', other_ip: 5, local_mac: 7, host_server_name: 3 } as unknown as FlowRecord,
    { category: [], ssl: [], other_ip: '', detected_application_name: '' } as unknown as FlowRecord,
  ];
  for (const r of broken) assert.is(c.evaluate(r), false);
});

test('compileCriteria never throws on odd input', () => {
  for (const s of ['\u0000', "'", '((((', '!!!!', 'a'.repeat(5000), '1.2.3.4.5', '::::', '@@', 'ai:ai:ai', '0x', '#only a comment']) {
    const c = compileCriteria(s);
    assert.type(c.ok, 'boolean');
  }
});

// ---------------------------------------------------------------- 9. the reference stays true

test('docs/expressions.md: the Examples and groups file compile as documented', () => {
  const doc = readFileSync('docs/expressions.md', 'utf8');
  const block = (after: string): string => {
    const at = doc.indexOf(after);
    const open = doc.indexOf('```', at);
    const start = doc.indexOf('\n', open) + 1;
    return doc.slice(start, doc.indexOf('```', start));
  };
  const g = parseGroupsFile(block('The groups file is plain text'));
  assert.ok(g.ok, 'groups example parses');
  if (!g.ok) return;
  const groups = new Map(g.groups);
  const printers = groupsFromLists({ printers: ['192.168.1.5'] });
  if (printers.ok) for (const [k, v] of printers.groups) groups.set(k, v);
  const examples = block('## Examples')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  assert.ok(examples.length >= 5);
  for (const ex of examples) {
    const c = compileCriteria(ex, { groups });
    assert.ok(c.ok, `${ex}: ${c.ok ? '' : c.errors.map(formatDiagnostic).join('; ')}`);
    if (c.ok) assert.equal(c.warnings, [], ex);
  }
  const kid = record({ category: { application: 'social-media', protocol: 'web' }, detected_application_name: 'instagram' });
  const c = compileCriteria(examples[0]!, { groups });
  assert.ok(c.ok && c.evaluate(kid));
});

// ---------------------------------------------------------------- 10. QuickJS-ng

test('the library runs inside QuickJS-ng (no Node APIs)', async () => {
  const out = await esbuild({
    entryPoints: ['src/policy/expr/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
  });
  const code = out.outputFiles[0]!.text;
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const runtime = qjs.newRuntime();
  const ctx = runtime.newContext();
  try {
    const mod = ctx.unwrapResult(ctx.evalCode(code, 'expr.js', { type: 'module' }));
    ctx.setProp(ctx.global, '__expr', mod);
    mod.dispose();
    const script = `
      const g = __expr.parseGroupsFile('kids: 192.168.1.0/24, 2001:db8::/32');
      const rec = ${JSON.stringify(R)};
      const cases = [
        ["app == 'netify.youtube' && other_port == 443;", true],
        ["detected_hostname != 'rx:^www\\\\.reddit'", true],
        ['other_ip == 142.250.0.0/15 && local_ip == @kids', true],
        ['pc:web && ac:streaming && !ip_nat', true],
        ["tls_version < 'TLSv1.3'", false],
      ];
      JSON.stringify(cases.map(([s, want]) => {
        const c = __expr.compileCriteria(s, { groups: g.groups });
        return c.ok ? c.evaluate(rec) === want : c.errors[0].message;
      }));
    `;
    const h = ctx.unwrapResult(ctx.evalCode(script));
    const result = JSON.parse(ctx.getString(h)) as unknown[];
    h.dispose();
    assert.equal(result, [true, true, true, true, true]);
  } finally {
    ctx.dispose();
    runtime.dispose();
  }
});

test.run();
