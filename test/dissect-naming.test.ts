/**
 * The naming family as a whole: each fixture is claimed by exactly one of its dissectors,
 * through the real engine; and on the nDPI corpus every flow nDPI gives one of these
 * protocols gets the same protocol and host name from us, no later than nDPI decided.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Classifier } from '../src/classify/engine.js';
import { HintCache } from '../src/classify/hints.js';
import { DISSECTORS_BY_PRECEDENCE } from '../src/classify/precedence.js';

const NAMING = ['dns', 'mdns', 'llmnr', 'http', 'ssdp', 'dhcp', 'dhcpv6', 'netbios', 'ntp', 'nat-pmp', 'dropbox', 'spotify'];
/** The naming family, in its order in the one list. */
const namingDissectors = DISSECTORS_BY_PRECEDENCE.filter((d) => NAMING.includes(d.name));
import type { L4Packet } from '../src/classify/dissector.js';
import { replayCapture } from '../src/cli/replay.js';
import { flowKeyOf } from '../src/flow/key.js';
import type { FlowRecord } from '../src/record/flow-record.js';
import { corpusAvailable, corpusCaptures, readCorpus, readTruth } from './helpers/corpus.js';
import { ALL_FIXTURES, fixture, flowView, type FlowSpec } from './fixtures/naming/harness.js';

/** Each fixture with the flow it was captured on and the protocol it is. */
const CASES: [string, FlowSpec, string][] = [
  ['dhcp-discover-tl-sg116e', { proto: 17, client: '192.168.0.1', clientPort: 68, server: '255.255.255.255', serverPort: 67 }, 'DHCP'],
  ['dhcpv6-solicit', { proto: 17, client: 'fe80::1', clientPort: 546, server: 'ff02::1:2', serverPort: 547 }, 'DHCPV6'],
  ['dns-query-captive-apple', { proto: 17, client: '192.168.2.16', clientPort: 52953, server: '192.168.2.1', serverPort: 53 }, 'DNS'],
  ['dns-response-captive-apple', { proto: 17, client: '192.168.2.1', clientPort: 53, server: '192.168.2.16', serverPort: 52953 }, 'DNS'],
  ['dns-tcp-query-weberlab', { proto: 6, client: '194.247.5.6', clientPort: 39005, server: '194.247.5.14', serverPort: 53 }, 'DNS'],
  ['dropbox-lansync', { proto: 17, client: '192.168.2.1', clientPort: 17500, server: '192.168.2.255', serverPort: 17500 }, 'Dropbox'],
  ['http-curl-request', { proto: 6, client: '192.168.1.128', clientPort: 42170, server: '216.58.208.142', serverPort: 80 }, 'HTTP'],
  ['http-response-only-apache', { proto: 6, client: '192.168.1.146', clientPort: 80, server: '192.168.1.103', serverPort: 1044 }, 'HTTP'],
  ['mdns-query-spotify-connect', { proto: 17, client: '192.168.2.1', clientPort: 5353, server: '224.0.0.251', serverPort: 5353 }, 'MDNS'],
  ['mdns-response-lucas-imac', { proto: 17, client: '169.254.225.216', clientPort: 5353, server: '224.0.0.251', serverPort: 5353 }, 'MDNS'],
  ['natpmp-address-response', { proto: 17, client: '192.168.2.1', clientPort: 5351, server: '224.0.0.1', serverPort: 5350 }, 'NAT-PMP'],
  ['netbios-datagram-host-announcement', { proto: 17, client: '10.0.5.9', clientPort: 138, server: '10.0.5.255', serverPort: 138 }, 'SMBv1'],
  ['netbios-ns-nbstat-query', { proto: 17, client: '10.0.1.87', clientPort: 57836, server: '10.0.4.24', serverPort: 137 }, 'NetBIOS'],
  ['netbios-ns-query-xstream', { proto: 17, client: '10.0.4.131', clientPort: 137, server: '10.0.5.255', serverPort: 137 }, 'NetBIOS'],
  ['netbios-session-request', { proto: 6, client: '10.19.71.184', clientPort: 55489, server: '10.17.113.129', serverPort: 139 }, 'NetBIOS'],
  ['ntp-v2-private', { proto: 17, client: '208.104.95.10', clientPort: 123, server: '78.46.76.2', serverPort: 80 }, 'NTP'],
  ['ntp-v4-client', { proto: 17, client: '85.22.62.120', clientPort: 123, server: '78.46.76.11', serverPort: 123 }, 'NTP'],
  ['spotify-discovery', { proto: 17, client: '192.168.1.117', clientPort: 57621, server: '192.168.1.255', serverPort: 57621 }, 'Spotify'],
  ['ssdp-msearch', { proto: 17, client: '169.254.225.216', clientPort: 60538, server: '239.255.255.250', serverPort: 1900 }, 'SSDP'],
];

function firstPacket(name: string, spec: FlowSpec): L4Packet {
  return {
    dir: 0,
    payload: fixture(name),
    srcPort: spec.clientPort,
    dstPort: spec.serverPort,
    tcpFlags: spec.proto === 6 ? 0x18 : 0,
    tcpSeq: 1,
    timestamp: 1_700_000_000_000,
  };
}

test('through the engine, each fixture is claimed on its first packet by the right dissector', () => {
  for (const [name, spec, protocol] of CASES) {
    const engine = new Classifier(namingDissectors, null, new HintCache());
    const flow = flowView(spec);
    const c = engine.start(flow, 0);
    engine.inspect(c, flow, firstPacket(name, spec));
    assert.is(c.detection.protocol, protocol, name);
    assert.is(c.detectionPackets, 1, name);
    assert.is(c.faults, 0, name);
  }
});

test('no two naming dissectors would claim the same payload', () => {
  for (const [name, spec] of CASES) {
    const claimants = namingDissectors.filter((d) => {
      if (!d.ipProtocols.includes(spec.proto)) return false;
      const flow = flowView(spec);
      const out = { protocol: null, application: null, hostname: null, meta: {} };
      d.feed(d.create(flow), firstPacket(name, spec), flow, out, new HintCache());
      return out.protocol !== null;
    });
    assert.equal(claimants.map((d) => d.name).length, 1, `${name}: ${claimants.map((d) => d.name).join(',')}`);
  }
  assert.is(CASES.length + 5, ALL_FIXTURES.length); // the other five are follow-up packets
});

const MINE = new Set(['DNS', 'MDNS', 'LLMNR', 'HTTP', 'HTTP_Proxy', 'HTTP_Connect', 'NetBIOS', 'SSDP', 'DHCP', 'DHCPV6', 'NTP', 'NAT-PMP', 'Dropbox', 'Spotify']);

/** Our name for nDPI's verdict: the master, except NetBIOS.SMBv1, which is SMB carried by NetBIOS. */
function expected(t: { proto: { master: string | null; app: string | null } }): string | null {
  if (t.proto.master === 'NetBIOS' && t.proto.app === 'SMBv1') return 'SMBv1';
  return t.proto.master ?? t.proto.app;
}

if (corpusAvailable()) {
  test('corpus: protocol, host name and detection packets agree with nDPI for every naming flow', () => {
    let checked = 0;
    const problems: string[] = [];
    for (const file of corpusCaptures()) {
      const truth = readTruth(file).filter((t) => !t.guessed && MINE.has(expected(t) ?? '') && !(t.l4 === 'TCP' && t.dst.port === 445));
      if (truth.length === 0) continue;
      const { records } = replayCapture(readCorpus(file), { catalogue: null });
      const byKey = new Map<string, FlowRecord>(records.map((r) => [flowKeyOf(r.ip_protocol, r.vlan_id, r.local_ip, r.local_port, r.other_ip, r.other_port), r]));
      for (const t of truth) {
        const r = byKey.get(t.key);
        checked++;
        if (!r) problems.push(`${file} ${t.key}: no record`);
        else if (r.detected_protocol_name !== expected(t) || r.host_server_name !== t.hostname || r.detection_guessed)
          problems.push(`${file} ${t.key}: ${r.detected_protocol_name}/${r.host_server_name} vs ${t.proto.name}/${t.hostname}`);
        else if (r.detection_packets > t.dpi_packets) problems.push(`${file} ${t.key}: ${r.detection_packets} packets > nDPI's ${t.dpi_packets}`);
      }
    }
    assert.ok(checked >= 190, `only ${checked} flows checked`);
    assert.equal(problems, []);
  });
} else {
  console.log('corpus not found (set FLOWSIEVE_CORPUS): naming corpus check not run');
}

test.run();
