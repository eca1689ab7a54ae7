/**
 * STUN and TURN (RFC 8489/5389, classic RFC 3489, TURN RFC 8656/6062 with ChannelData),
 * nDPI 'STUN', with the application on top (WhatsApp, Zoom, Teams/Skype, Signal, Google
 * Meet, Facebook, Telegram, Viber; see stun-apps.ts) set as `out.application`.
 *
 * Claiming: one STUN message with the magic cookie whose length and attributes tile the
 * datagram is proof; a classic (cookie-less) message needs attributes or a response to a
 * request we saw; TURN ChannelData needs STUN inside it, or (a flow caught mid-way) two
 * whole-payload frames on one channel to the TURN port.
 *
 * After the claim the dissector keeps reading the flow: later messages bring the realm,
 * the mapped/relayed/peer addresses and often the application; WebRTC flows that go on
 * to a DTLS handshake are reported as 'DTLS', and an application's flows that go on to
 * RTP as 'SRTP' (nDPI's verdicts for them).
 *
 * Cross-flow ("DPI (cache)"): once a flow's application is known, both endpoints and any
 * XOR-PEER-ADDRESS are remembered in the shared hints, and a STUN flow with no signal of
 * its own takes the application an earlier flow left on one of its endpoints.
 *
 * Meta `stun`: { method, mapped_address, relayed_address, peer_address, response_origin,
 * other_address, software, realm, turn, app_source ('dpi' | 'cache' | 'address'), dtls, rtp }.
 */
import type { AppId } from '../../names.js';
import type { FlowView } from '../../flow/types.js';
import { hex, latin1 } from '../../util/bytes.js';
import { dissector, type Detection, type L4Packet, type MetaSection } from '../dissector.js';
import type { SharedHints } from '../hints.js';
import { parseRtp } from './rtp.js';
import { appFromEndpoints, appFromMessage, appFromRealm, ATTR_REALM, realmText } from './stun-apps.js';
import {
  attributeValue,
  decodeAddress,
  METHOD_NAMES,
  parseChannelData,
  parseStunMessage,
  transactionId,
  unframeStun,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from './stun-message.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

const PROTOCOL = 'STUN';
/** How long an endpoint keeps the application a STUN flow proved (a call's lifetime). */
const HINT_TTL_MS = 10 * 60 * 1000;
/** Payload packets without STUN before giving up (nDPI gives it 5). */
const MAX_UNCLAIMED_PACKETS = 5;
/**
 * Payload packets read after the claim for metadata, application and DTLS (the engine's
 * packet budget ends it sooner on long flows).
 */
const MAX_PACKETS_AFTER_CLAIM = 31;
const MAX_PEERS = 4;
/** IANA's STUN/TURN ports (RFC 8656 §18: 3478 plain, 5349 over TLS/DTLS). */
const TURN_PORTS = new Set([3478, 5349]);

/** ChannelData that is the whole payload: UDP may leave the padding out, TCP may not. */
function fillsPayload(cd: { readonly data: Uint8Array }, payloadLength: number, tcp: boolean): boolean {
  const padded = 4 + ((cd.data.length + 3) & ~3);
  return tcp ? padded === payloadLength : padded === payloadLength || 4 + cd.data.length === payloadLength;
}

const ATTR_MAPPED = 0x0001;
const ATTR_PEER = 0x0012;
const ATTR_DATA = 0x0013;
const ATTR_RELAYED = 0x0016;
const ATTR_XOR_MAPPED = 0x0020;
const ATTR_SOFTWARE = 0x8022;
const ATTR_RESPONSE_ORIGIN = 0x802b;
const ATTR_OTHER_ADDRESS = 0x802c;

type AppSource = 'dpi' | 'cache' | 'address';

interface StunState {
  claimed: boolean;
  payloads: number;
  afterClaim: number;
  /** ChannelData channel of the last unclaimed datagram, -1 if none. */
  channel: number;
  /** Transaction id of the last classic request (hex), for matching its response. */
  classicRequest: string | null;
  method: string | null;
  turn: boolean;
  mapped: TransportAddress | null;
  relayed: TransportAddress | null;
  peers: TransportAddress[];
  responseOrigin: TransportAddress | null;
  otherAddress: TransportAddress | null;
  software: string | null;
  realm: string | null;
  app: AppId | null;
  appSource: AppSource | null;
  dtls: boolean;
  /** RTP followed the STUN exchange on this flow (RFC 7983 demultiplexing). */
  rtp: boolean;
  /** The flow's endpoints were looked up (`appFromEndpoints`: one answer per flow). */
  endpointsChecked: boolean;
}

function txHex(m: StunMessage): string {
  return hex(transactionId(m));
}

function addrText(a: TransportAddress): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

function isMulticastOrBroadcast(ip: string): boolean {
  if (ip.includes(':')) return ip.toLowerCase().startsWith('ff');
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return ip === '255.255.255.255' || (first >= 224 && first <= 239);
}

/** The transport address an address attribute carries (XOR-masked or not). */
function addressIn(m: StunMessage, a: StunAttribute, xor: boolean): TransportAddress | null {
  return decodeAddress(attributeValue(m, a), xor, transactionId(m));
}

/** Fold one message's attributes into the state; nested STUN in DATA is read once. */
function absorb(s: StunState, m: StunMessage, depth: number): void {
  s.method ??= m.classic && m.type === 0x0001 ? 'binding' : (METHOD_NAMES[m.method] ?? `0x${m.type.toString(16)}`);
  if (m.turn) s.turn = true;
  var attributes = m.attributes;
  for (var i = 0; i < attributes.length; i++) {
    var a = attributes[i]!;
    switch (a.type) {
      case ATTR_MAPPED:
        s.mapped ??= addressIn(m, a, false);
        break;
      case ATTR_XOR_MAPPED:
        s.mapped ??= addressIn(m, a, true);
        break;
      case ATTR_RELAYED:
        s.relayed ??= addressIn(m, a, true);
        break;
      case ATTR_PEER: {
        const peer = addressIn(m, a, true);
        if (peer && s.peers.length < MAX_PEERS && !s.peers.some((p) => p.ip === peer.ip && p.port === peer.port)) s.peers.push(peer);
        break;
      }
      case ATTR_RESPONSE_ORIGIN:
        s.responseOrigin ??= addressIn(m, a, false);
        break;
      case ATTR_OTHER_ADDRESS:
        s.otherAddress ??= addressIn(m, a, false);
        break;
      case ATTR_SOFTWARE:
        s.software ??= latin1(attributeValue(m, a)).replace(/[^\x20-\x7e]/g, '').trim() || null;
        break;
      case ATTR_REALM:
        s.realm ??= realmText(attributeValue(m, a));
        break;
      case ATTR_DATA:
        if (depth === 0) {
          var inner = parseStunMessage(attributeValue(m, a), false);
          if (inner) absorb(s, inner, 1);
        }
        break;
    }
  }
  // Once the messages named the application (appSource 'dpi'), later ones are not asked.
  if (s.appSource === 'dpi') return;
  var app = appFromMessage(m) ?? (s.realm ? appFromRealm(s.realm) : null);
  if (app) {
    s.app = app;
    s.appSource = 'dpi';
  }
}

function writeOut(s: StunState, out: Detection): void {
  // A call's media after its STUN: DTLS-SRTP's handshake is 'DTLS'; RTP on a flow an
  // application (WhatsApp, Signal, …) runs is SRTP (they all encrypt media), as nDPI says.
  out.protocol = s.dtls ? 'DTLS' : s.rtp && s.app ? 'SRTP' : PROTOCOL;
  if (s.app) out.application = s.app;
  if (s.realm && out.hostname === null) out.hostname = s.realm;
  var meta: MetaSection = { turn: s.turn };
  if (s.method) meta['method'] = s.method;
  if (s.mapped) meta['mapped_address'] = addrText(s.mapped);
  if (s.relayed) meta['relayed_address'] = addrText(s.relayed);
  if (s.peers.length > 0) meta['peer_address'] = addrText(s.peers[0]!);
  if (s.responseOrigin) meta['response_origin'] = addrText(s.responseOrigin);
  if (s.otherAddress) meta['other_address'] = addrText(s.otherAddress);
  if (s.software) meta['software'] = s.software;
  if (s.realm) meta['realm'] = s.realm;
  if (s.appSource) meta['app_source'] = s.appSource;
  if (s.dtls) meta['dtls'] = true;
  if (s.rtp) meta['rtp'] = true;
  out.meta['stun'] = meta;
}

/**
 * How many of the facts `writeOut` shows are known. They are only ever added (set once,
 * turned on, peers appended), so an unchanged count with the same application means
 * `writeOut` would write what it wrote before: media packets after the exchange skip it.
 */
function factsKnown(s: StunState): number {
  return (
    (s.method !== null ? 1 : 0) + (s.turn ? 1 : 0) + (s.mapped !== null ? 1 : 0) + (s.relayed !== null ? 1 : 0) + s.peers.length +
    (s.responseOrigin !== null ? 1 : 0) + (s.otherAddress !== null ? 1 : 0) + (s.software !== null ? 1 : 0) +
    (s.realm !== null ? 1 : 0) + (s.dtls ? 1 : 0) + (s.rtp ? 1 : 0)
  );
}

/** No signal of its own: Google Meet's ranges, else what an earlier flow left on an endpoint. */
function inheritApp(s: StunState, flow: FlowView, hints: SharedHints, now: number): void {
  if (s.app) return;
  const byAddress = s.endpointsChecked ? null : appFromEndpoints(flow);
  s.endpointsChecked = true;
  if (byAddress) {
    s.app = byAddress;
    s.appSource = 'address';
    return;
  }
  const hint = hints.endpointFor(flow.initiatorIp, flow.initiatorPort, now) ?? hints.endpointFor(flow.responderIp, flow.responderPort, now);
  if (hint?.application) {
    s.app = hint.application;
    s.appSource = 'cache';
  }
}

/** Later flows from the same sockets, or to the peers this flow relays to, share its app. */
function rememberApp(s: StunState, flow: FlowView, hints: SharedHints, now: number): void {
  if (!s.app) return;
  const hint = { protocol: PROTOCOL, application: s.app };
  const until = now + HINT_TTL_MS;
  hints.rememberEndpoint(flow.initiatorIp, flow.initiatorPort, hint, until);
  hints.rememberEndpoint(flow.responderIp, flow.responderPort, hint, until);
  for (const p of s.peers) hints.rememberEndpoint(p.ip, p.port, hint, until);
}

/** DTLS content types: change_cipher_spec, alert, handshake, application_data, tls12_cid, ack. */
const DTLS_CONTENT_TYPES = [20, 21, 22, 23, 25, 26];

/**
 * A DTLS 1.0/1.2 record (RFC 6347) as RFC 7983 demultiplexes it from STUN and RTP:
 * a content type, version 0xFEFF/0xFEFD, and a record length that fits the datagram.
 */
function isDtlsRecord(b: Uint8Array): boolean {
  if (b.length < 13 || !DTLS_CONTENT_TYPES.includes(b[0]!) || b[1] !== 0xfe || (b[2] !== 0xff && b[2] !== 0xfd)) return false;
  return 13 + ((b[11]! << 8) | b[12]!) <= b.length;
}

/** STUN found in this payload (directly, framed, or inside ChannelData), else null. */
function stunIn(p: Uint8Array, tcp: boolean): StunMessage | null {
  var direct = parseStunMessage(unframeStun(p, tcp), tcp);
  if (direct) return direct;
  var cd = parseChannelData(p, tcp);
  return cd ? parseStunMessage(cd.data, false) : null;
}

function claim(s: StunState, flow: FlowView, pkt: L4Packet, out: Detection, hints: SharedHints): 'more' {
  s.claimed = true;
  inheritApp(s, flow, hints, pkt.timestamp);
  rememberApp(s, flow, hints, pkt.timestamp);
  writeOut(s, out);
  return 'more';
}

function feedClaimed(s: StunState, flow: FlowView, pkt: L4Packet, out: Detection, hints: SharedHints): 'more' | 'done' {
  var tcp = flow.ipProtocol === 6;
  var hadApp = s.app;
  var hadSource = s.appSource;
  var hadFacts = factsKnown(s);
  // An earlier-started flow of the same call may have named the application since.
  inheritApp(s, flow, hints, pkt.timestamp);
  var m = stunIn(pkt.payload, tcp);
  if (m) absorb(s, m, 0);
  else if (!tcp && !s.dtls && isDtlsRecord(pkt.payload)) s.dtls = true;
  else if (!tcp && !s.dtls && !s.rtp && parseRtp(pkt.payload)) s.rtp = true;
  if (s.app !== hadApp) rememberApp(s, flow, hints, pkt.timestamp);
  if (s.app !== hadApp || s.appSource !== hadSource || factsKnown(s) !== hadFacts) writeOut(s, out);
  if (++s.afterClaim >= MAX_PACKETS_AFTER_CLAIM) return 'done';
  // Nothing left to learn: the app is named and media went to DTLS (UDP), or the
  // addresses are in (TCP, where no DTLS follows).
  if (s.app && s.appSource === 'dpi' && (s.dtls || (tcp && s.mapped))) return 'done';
  return 'more';
}

export const stunDissector = dissector<StunState>({
  name: 'stun',
  ipProtocols: [6, 17],
  create: () => ({
    claimed: false,
    payloads: 0,
    afterClaim: 0,
    channel: -1,
    classicRequest: null,
    method: null,
    turn: false,
    mapped: null,
    relayed: null,
    peers: [],
    responseOrigin: null,
    otherAddress: null,
    software: null,
    realm: null,
    app: null,
    appSource: null,
    dtls: false,
    rtp: false,
    endpointsChecked: false,
  }),
  feed(s, pkt, flow, out, hints) {
    if (s.claimed) return feedClaimed(s, flow, pkt, out, hints);
    // The flow's addresses do not change: asked on its first packet only.
    if (s.payloads === 0 && isMulticastOrBroadcast(flow.responderIp)) return 'no';
    s.payloads++;
    var tcp = flow.ipProtocol === 6;
    var m = parseStunMessage(unframeStun(pkt.payload, tcp), tcp);
    if (m) {
      if (m.classic && m.attributes.length === 0) {
        // An empty classic message is 20 bytes of almost anything: only a response to a
        // request seen before counts.
        var tid = txHex(m);
        if (m.cls === 0) s.classicRequest = tid;
        else if (s.classicRequest === tid) {
          absorb(s, m, 0);
          return claim(s, flow, pkt, out, hints);
        }
        return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
      }
      absorb(s, m, 0);
      return claim(s, flow, pkt, out, hints);
    }
    var cd = parseChannelData(pkt.payload, tcp);
    if (cd) {
      var inner = parseStunMessage(cd.data, false);
      if (inner) {
        s.turn = true;
        absorb(s, inner, 0);
        return claim(s, flow, pkt, out, hints);
      }
      // ChannelData with no STUN in it is four bytes of header that many binary protocols
      // also start with; a flow seen from its start shows the Allocate first. Only a flow
      // caught mid-way to the TURN port, repeating one channel in frames that fill the
      // datagram exactly (padded on TCP, RFC 8656 §12.5), counts.
      if (TURN_PORTS.has(flow.responderPort) && fillsPayload(cd, pkt.payload.length, tcp)) {
        if (s.channel === cd.channel) {
          s.turn = true;
          return claim(s, flow, pkt, out, hints);
        }
        s.channel = cd.channel;
      }
    }
    return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
  },
});
