/**
 * A dissector's `firstLook` lets the engine skip flows the dissector could never match.
 * It may only skip refusals: whenever the engine would not offer a first packet to a
 * dissector, that dissector, fed the packet, answers 'no' and leaves the detection and the
 * shared hints as they were. Checked on corpus payloads, mutated ones (first byte too),
 * and random ports beside the real ones and the dissector's own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CandidateLists } from '../src/classify/candidates.js';
import { emptyDetection, type Dissector, type L4Packet } from '../src/classify/dissector.js';
import type { EndpointHint, SharedHints } from '../src/classify/hints.js';
import { DISSECTORS_BY_PRECEDENCE } from '../src/classify/precedence.js';
import type { FlowView } from '../src/flow/types.js';
import { corpusAvailable, corpusCaptures, readCorpus } from './helpers/corpus.js';
import { mutate, Rng, seedsFrom, type Seed } from './helpers/fuzz.js';

const seeds = corpusAvailable() ? seedsFrom(corpusCaptures().map(readCorpus), 2) : [];

/** Hints that fail the test when anything is remembered. */
class NoteHints implements SharedHints {
  remembered = 0;
  rememberName(): void {
    this.remembered++;
  }
  nameFor(): string | null {
    return null;
  }
  rememberEndpoint(_a: string, _p: number, _h: EndpointHint): void {
    this.remembered++;
  }
  endpointFor(): EndpointHint | null {
    return null;
  }
  get endpointsLearned(): number {
    return this.remembered;
  }
}

function portFor(rng: Rng, d: Dissector<unknown>, seed: Seed): number {
  const own = d.firstLook?.ports ?? [];
  switch (rng.below(4)) {
    case 0:
      return own.length > 0 ? own[rng.below(own.length)]! : seed.dstPort;
    case 1:
      return seed.srcPort;
    case 2:
      return seed.dstPort;
    default:
      return rng.below(65536);
  }
}

function payloadFor(rng: Rng, seed: Seed, other: Seed): Uint8Array {
  const kind = rng.below(3);
  if (kind === 0) return seed.payload;
  const p = mutate(rng, seed.payload, other.payload);
  // A real payload with another first byte: the byte prefilters' edge.
  if (kind === 1 && p.length > 0) p[0] = rng.below(256);
  return p;
}

for (const d of DISSECTORS_BY_PRECEDENCE.filter((x) => x.firstLook !== undefined)) {
  test(`${d.name}: every first packet its firstLook skips, it refuses untouched`, () => {
    const rng = new Rng(11);
    const lists = new CandidateLists([d]);
    let skipped = 0;
    for (const ipProtocol of d.ipProtocols) {
      const pool = seeds.filter((s) => s.ipProtocol === ipProtocol);
      if (pool.length === 0) continue;
      for (let i = 0; i < 4000; i++) {
        const seed = pool[rng.below(pool.length)]!;
        const payload = payloadFor(rng, seed, pool[rng.below(pool.length)]!);
        if (payload.length === 0) continue;
        const srcPort = portFor(rng, d, seed);
        const dstPort = portFor(rng, d, seed);
        const dir = rng.below(2) as 0 | 1;
        const flow: FlowView = {
          ipVersion: 4,
          ipProtocol,
          vlanId: 0,
          initiatorIp: '10.0.0.1',
          initiatorPort: dir === 0 ? srcPort : dstPort,
          responderIp: '10.0.0.2',
          responderPort: dir === 0 ? dstPort : srcPort,
          packets: 1,
          packetsByDir: dir === 0 ? [1, 0] : [0, 1],
        };
        if (lists.offer(flow, payload).length > 0) continue;
        skipped++;
        const pkt: L4Packet = { dir, payload, srcPort, dstPort, tcpFlags: ipProtocol === 6 ? 0x18 : 0, tcpSeq: 1000, timestamp: 1_700_000_000_000 };
        const out = emptyDetection();
        const hints = new NoteHints();
        const step = d.feed(d.create(flow), pkt, flow, out, hints);
        const where = `ports ${srcPort}→${dstPort}, payload ${Array.from(payload.subarray(0, 24), (b) => b.toString(16).padStart(2, '0')).join('')}`;
        assert.is(step, 'no', where);
        assert.equal(out, emptyDetection(), where);
        assert.is(hints.remembered, 0, where);
      }
    }
    if (seeds.length > 0) assert.ok(skipped > 100, `only ${skipped} packets skipped: the check checked little`);
  });
}

test('flows the first looks let through keep precedence order, the port-suggested dissector first', () => {
  const lists = new CandidateLists(DISSECTORS_BY_PRECEDENCE);
  const flow = (ipProtocol: number, a: number, b: number): FlowView => ({
    ipVersion: 4,
    ipProtocol,
    vlanId: 0,
    initiatorIp: '10.0.0.1',
    initiatorPort: a,
    responderIp: '10.0.0.2',
    responderPort: b,
    packets: 1,
    packetsByDir: [1, 0],
  });
  const names = (f: FlowView, first: number) => lists.offer(f, Uint8Array.of(first)).map((d) => d.name);
  const udp = DISSECTORS_BY_PRECEDENCE.filter((d) => d.ipProtocols.includes(17)).map((d) => d.name);
  // DNS's port: 'dns' first, then the others of UDP in precedence order, less those whose ports differ.
  const dns = names(flow(17, 40000, 53), 0x12);
  assert.is(dns[0], 'dns');
  assert.equal(dns.slice(1), udp.filter((n) => !['dns', 'mdns', 'llmnr', 'dhcp', 'dhcpv6', 'netbios', 'ntp', 'nat-pmp', 'dropbox', 'spotify', 'ssdp', 'sip'].includes(n)));
  // "GET " to port 80: http first; no mail dissector (their greetings start otherwise).
  const web = names(flow(6, 40000, 80), 0x47);
  assert.is(web[0], 'http');
  assert.not.ok(web.includes('smtp') || web.includes('imap') || web.includes('telnet'));
  // "220 " to a random port: the mail dissectors are asked, in precedence order.
  const mail = names(flow(6, 40000, 2525), 0x32).filter((n) => ['smtp', 'imap', 'pop3', 'ftp_control'].includes(n));
  assert.equal(mail, ['smtp', 'ftp_control']);
});

test.run();
