/**
 * One dissector shape for the DNS wire-format protocols (DNS, mDNS, LLMNR). Each protocol
 * module supplies its ports, spelling and rules; this module checks that a payload is a
 * well-formed message, claims on the first one (query or response), then follows the flow
 * for the response to record rcode and answers and to teach the shared hints which name
 * each answered address has.
 *
 * DNS over TCP prefixes each message with its 2-byte length; the bytes of each direction
 * are gathered (bounded) until a message is whole or enough of it to name the flow.
 */
import type { ProtocolName } from '../../names.js';
import { u16be } from '../../util/bytes.js';
import type { Detection, Dissector, L4Packet, MetaSection, MetaValue } from '../dissector.js';
import type { SharedHints } from '../hints.js';
import { TcpPrefix } from '../tcp-stream.js';
import {
  DNS_HEADER_LENGTH,
  isKnownClass,
  parseDnsHeader,
  parseDnsMessage,
  recordAddress,
  recordTargetName,
  TYPE_A,
  TYPE_AAAA,
  TYPE_CNAME,
  type DnsMessage,
  type DnsName,
  type DnsRecord,
} from './dns-message.js';
import { mdnsHostname } from './dns-name.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface DnsFamilySpec {
  /** Dissector name. */
  readonly name: string;
  readonly protocol: ProtocolName;
  /** Meta section the details go to (`dns`, `mdns`, `llmnr`). */
  readonly section: string;
  readonly ipProtocols: readonly number[];
  /** The family's ports: a flow must use one of them (checked on the first payload packet)… */
  readonly ports: readonly number[];
  /** …and none of these (another family's). */
  readonly excludedPorts: readonly number[];
  /** Message rules beyond the common ones (e.g. unicast DNS queries carry no answers). */
  plausible(msg: DnsMessage): boolean;
  /** Host name for the flow from a name in the message. */
  hostnameOf(name: DnsName): string;
  /**
   * A response cut short (by IP fragmentation, or our TCP cap) may still claim: unicast DNS
   * answers can exceed a fragment; mDNS/LLMNR messages stay small, so theirs must be whole.
   */
  readonly acceptShortResponses: boolean;
  /** Name the hints remember for an answered address: the question's or the record's own. */
  readonly rememberRecordName: boolean;
  /** Packets after the claim to wait for a response (0: done at the claim). */
  readonly followUpPackets: number;
}

/** Opcodes seen in real traffic: QUERY, IQUERY, STATUS, NOTIFY, UPDATE. */
const KNOWN_OPCODES = new Set([0, 1, 2, 4, 5]);
/** Answers listed in the meta section (enough for any real reply's A/AAAA/CNAME chain). */
const MAX_LISTED_ANSWERS = 16;
/** Bytes of one TCP direction kept while waiting for a whole message. */
const TCP_BUFFER_CAP = 8192;

export interface DnsFamilyState {
  claimed: boolean;
  followUps: number;
  queryId: number;
  question: string | null;
  /** Each direction's bytes in sequence order (DNS over TCP: RFC 7766 length-prefixed). */
  tcp: [TcpPrefix, TcpPrefix] | null;
}

/** Checks every DNS-family message must pass before it may claim a flow. */
export function commonPlausible(msg: DnsMessage, payload: Uint8Array): boolean {
  var h = msg.header;
  if (!KNOWN_OPCODES.has(h.opcode)) return false;
  if (h.qdcount + h.ancount + h.nscount + h.arcount === 0) return false;
  for (var q of msg.questions) if (q.type === 0 || !isKnownClass(q.cls)) return false;
  if (msg.recordsStatus === 'invalid') return false;
  if (!h.response) {
    // A query is small and whole: every record parses and nothing but padding follows.
    if (h.rcode !== 0 || msg.recordsStatus !== 'complete') return false;
    for (var i = msg.end; i < payload.length; i++) if (payload[i] !== 0) return false;
    if (h.opcode === 0 && h.qdcount === 0) return false;
  }
  return true;
}

/**
 * One message's texts, each made once: its answers are both listed and remembered, and
 * compression makes record names repeat (a CNAME chain's names, several A records of one
 * name). A name is known by where its first label lies, an address by its RDATA's offset.
 */
class MessageTexts {
  private readonly names = new Map<(name: DnsName) => string, Map<number, string>>();
  private addresses: Map<number, string | null> | null = null;

  constructor(readonly payload: Uint8Array) {}

  name(n: DnsName, spell: (name: DnsName) => string): string {
    let byStart = this.names.get(spell);
    if (!byStart) this.names.set(spell, (byStart = new Map()));
    const at = n.labels.length > 0 ? n.labels[0]! : -1;
    let text = byStart.get(at);
    if (text === undefined) byStart.set(at, (text = spell(n)));
    return text;
  }

  address(r: DnsRecord): string | null {
    this.addresses ??= new Map();
    let text = this.addresses.get(r.rdataOffset);
    if (text === undefined) this.addresses.set(r.rdataOffset, (text = recordAddress(this.payload, r)));
    return text;
  }
}

function answersMeta(texts: MessageTexts, msg: DnsMessage): MetaValue[] {
  var list: MetaValue[] = [];
  for (var r of msg.records) {
    if (r.section !== 'answer' || list.length >= MAX_LISTED_ANSWERS) continue;
    var address = texts.address(r);
    if (address !== null) {
      list.push({ name: texts.name(r.name, mdnsHostname), type: r.type === TYPE_A ? 'A' : 'AAAA', ttl: r.ttl, address });
    } else if (r.type === TYPE_CNAME) {
      var target = recordTargetName(texts.payload, r);
      if (target) list.push({ name: texts.name(r.name, mdnsHostname), type: 'CNAME', ttl: r.ttl, target: texts.name(target, mdnsHostname) });
    }
  }
  return list;
}

function rememberAnswers(
  spec: DnsFamilySpec,
  texts: MessageTexts,
  msg: DnsMessage,
  question: string | null,
  hints: SharedHints,
  now: number,
): void {
  for (const r of msg.records) {
    if (r.section !== 'answer' && !(spec.rememberRecordName && r.section === 'additional')) continue;
    if (r.type !== TYPE_A && r.type !== TYPE_AAAA) continue;
    const address = texts.address(r);
    const name = spec.rememberRecordName ? texts.name(r.name, spec.hostnameOf) : question;
    if (address !== null && name) hints.rememberName(address, name, now + r.ttl * 1000);
  }
}

/** Fill the meta section from a message (the claim's, or the response that followed). */
function describe(spec: DnsFamilySpec, state: DnsFamilyState, texts: MessageTexts, msg: DnsMessage, out: Detection): void {
  var meta: MetaSection = out.meta[spec.section] ?? {};
  var q = msg.questions[0];
  if (meta['query'] === undefined && state.question !== null) meta['query'] = state.question;
  if (meta['type'] === undefined && q) meta['type'] = q.type;
  if (msg.header.response) {
    meta['rcode'] = msg.header.rcode;
    meta['answers'] = answersMeta(texts, msg);
  }
  out.meta[spec.section] = meta;
}

/** The whole message of one direction, when the TCP bytes gathered so far hold it (or the cap is reached). */
function tcpMessage(dir: TcpPrefix, pkt: L4Packet): { msg: Uint8Array; whole: boolean } | 'wait' | 'bad' {
  if (!dir.push(pkt.tcpSeq, pkt.payload)) return 'wait'; // a retransmission, or early
  const buf = dir.bytes;
  if (buf.length < 2) return 'wait';
  const length = u16be(buf, 0);
  if (length < DNS_HEADER_LENGTH) return 'bad';
  const have = buf.length - 2;
  if (have >= length) return { msg: buf.subarray(2, 2 + length), whole: true };
  if (dir.full) return { msg: buf.subarray(2), whole: false };
  return 'wait';
}

export function makeDnsFamilyDissector(spec: DnsFamilySpec): Dissector<DnsFamilyState> {
  function claim(state: DnsFamilyState, payload: Uint8Array, msg: DnsMessage, pkt: L4Packet, out: Detection, hints: SharedHints): void {
    const first = msg.questions[0]?.name ?? msg.records[0]?.name;
    state.claimed = true;
    state.queryId = msg.header.id;
    state.question = first ? spec.hostnameOf(first) : null;
    out.protocol = spec.protocol;
    if (state.question) out.hostname = state.question;
    const texts = new MessageTexts(payload);
    describe(spec, state, texts, msg, out);
    if (msg.header.response) rememberAnswers(spec, texts, msg, state.question, hints, pkt.timestamp);
  }

  /** One message seen (possibly partial, for TCP): claim, follow up, or refuse. */
  function onMessage(
    state: DnsFamilyState,
    payload: Uint8Array,
    whole: boolean,
    pkt: L4Packet,
    out: Detection,
    hints: SharedHints,
  ): 'no' | 'more' | 'done' | 'skip' {
    const msg = parseDnsMessage(payload);
    if (!state.claimed) {
      if (!msg) return 'no';
      // A message cut short by our buffer or by IP fragmentation may only be a response.
      const short = !whole || msg.recordsStatus === 'short';
      if (short && !(spec.acceptShortResponses && msg.header.response)) return 'no';
      if (!commonPlausible(msg, payload) || !spec.plausible(msg)) return 'no';
      claim(state, payload, msg, pkt, out, hints);
      return msg.header.response || spec.followUpPackets === 0 ? 'done' : 'more';
    }
    // Claimed: only a response to our query adds anything.
    if (msg && msg.header.response && msg.header.id === state.queryId && msg.recordsStatus !== 'invalid') {
      const texts = new MessageTexts(payload);
      describe(spec, state, texts, msg, out);
      rememberAnswers(spec, texts, msg, state.question, hints, pkt.timestamp);
      return 'done';
    }
    return 'skip';
  }

  return {
    name: spec.name,
    ipProtocols: spec.ipProtocols,
    firstLook: { ports: spec.ports },
    create(): DnsFamilyState {
      return { claimed: false, followUps: 0, queryId: -1, question: null, tcp: null };
    },
    feed(state, pkt, flow, out, hints) {
      const wasClaimed = state.claimed;
      if (!wasClaimed && !portsMatch(spec, pkt)) return 'no';
      let step: 'no' | 'more' | 'done' | 'skip';
      if (flow.ipProtocol === 17) {
        step = onMessage(state, pkt.payload, true, pkt, out, hints);
      } else {
        state.tcp ??= [new TcpPrefix(TCP_BUFFER_CAP), new TcpPrefix(TCP_BUFFER_CAP)];
        const dir = state.tcp[pkt.dir];
        const got = tcpMessage(dir, pkt);
        if (got === 'bad') step = state.claimed ? 'skip' : 'no';
        else if (got === 'wait') step = state.claimed || quickTcpCheck(dir.bytes) ? 'skip' : 'no';
        else step = onMessage(state, got.msg, got.whole, pkt, out, hints);
      }
      if (step === 'no' || step === 'done') return step;
      if (!wasClaimed) return 'more';
      state.followUps++;
      return state.followUps >= spec.followUpPackets ? 'done' : 'more';
    },
  };
}

function portsMatch(spec: DnsFamilySpec, pkt: L4Packet): boolean {
  const { srcPort, dstPort } = pkt;
  if (spec.excludedPorts.includes(srcPort) || spec.excludedPorts.includes(dstPort)) return false;
  return spec.ports.includes(srcPort) || spec.ports.includes(dstPort);
}

/** While a TCP message is still incomplete: could its first bytes be a DNS header at all? */
function quickTcpCheck(buf: Uint8Array): boolean {
  if (buf.length < 2) return true;
  if (u16be(buf, 0) < DNS_HEADER_LENGTH) return false;
  const header = parseDnsHeader(buf.subarray(2));
  return header === null || KNOWN_OPCODES.has(header.opcode);
}
