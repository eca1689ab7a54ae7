/**
 * QUIC over UDP, IETF and Google flavours. As nDPI does, a datagram whose header is a
 * client's first packet (≥ 1200 bytes, a known version, Initial type bits, sane
 * connection id lengths) makes the flow QUIC; so do a late Initial after 0-RTT packets,
 * three short-header packets to port 443 with one connection id, or a Google REJ.
 * Then the client's Initials are decrypted (only those, and only until the ClientHello
 * is whole), CRYPTO frames reassembled across packets and coalesced packets, and the
 * ClientHello (or Google CHLO) read for SNI, ALPN and JA4.
 */
import type { FlowView } from '../../flow/types.js';
import { dissector, type Detection, type L4Packet, type MetaSection, type Step } from '../dissector.js';
import { parseClientHello } from '../tls/client-hello.js';
import { DNS_OVER_TLS_PORT } from '../tls/dissector.js';
import { emptyFacts, recordClientHello, sslMeta, type TlsFacts } from '../tls/facts.js';
import { parseChlo, type Chlo } from './chlo.js';
import { CryptoStream } from './crypto-stream.js';
import { gquicStreamData, InitialFrameWalk, q050CryptoData, type CryptoFragment } from './frames.js';
import { initialVersion, isGquicReject, readLongHeader, shortHeaderStep, zeroRttVersion, type ShortHeaderTrail } from './header.js';
import { initialKeys, openInitial, openLongHeaderPacket, type InitialKeys } from './initial-keys.js';
import { userAgentParam } from './transport-params.js';
import { carriesTls, gquicNumber, hasEncryptedInitial, isForcingVn, isSupported, Q046, quicVersionName } from './versions.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** CRYPTO stream bytes kept while a ClientHello is being rebuilt. */
const CRYPTO_CAP = 16 * 1024;
/** Packets after the claim spent waiting for the rest of a ClientHello (nDPI: 24). */
const MAX_PACKETS_AFTER_CLAIM = 24;
/** Unclaimed packets the short-header heuristic may look at (nDPI: 10). */
const MAX_PACKETS_SHORT_HEADER = 10;
/** Client Initials decrypted per flow at most: decryption is the costly part. */
const MAX_DECRYPTS = 8;

interface QuicState {
  claimed: boolean;
  version: number;
  /** Keys from the client's first Destination Connection ID (later Initials reuse them). */
  keys: InitialKeys | null;
  /** The client's Source Connection ID: server packets carry it as their destination. */
  clientScid: Uint8Array | null;
  crypto: CryptoStream | null;
  facts: TlsFacts;
  chlo: Chlo | null;
  /** The hello was read (or can never be): nothing more to learn. */
  finished: boolean;
  decrypts: number;
  packetsSinceClaim: number;
  zeroRttSeen: boolean;
  /** Payload packets fed so far. */
  packets: number;
  readonly trail: ShortHeaderTrail;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Crypto stream data found in one datagram: IETF fragments or a whole Google hello. */
function collectCrypto(s: QuicState, d: Uint8Array): void {
  var v = s.version;
  if (!hasEncryptedInitial(v)) {
    // Google QUIC in the clear: fixed header sizes (Q046 long header, older public header).
    var g = gquicNumber(v);
    var start = v === Q046 ? 30 : 26;
    if (g !== 0 && g < 34) start++; // a private-flags byte before Q034
    if (v === Q046 && d[5] !== 0x50) return;
    var data = gquicStreamData(d.subarray(Math.min(start, d.length)), v);
    if (data) s.chlo = parseChlo(data) ?? s.chlo;
    if (s.chlo) s.finished = true;
    return;
  }
  for (var o = 0; o < d.length && d[o]! & 0x80; ) {
    var start = o;
    var h = readLongHeader(d, o);
    if (!h) return;
    o = h.end;
    if (h.type !== 0 || h.version !== v || h.dcid.length === 0) continue;
    if (s.clientScid && s.clientScid.length > 0 && sameBytes(h.dcid, s.clientScid)) continue; // the server's
    if (s.decrypts >= MAX_DECRYPTS) return;
    // Keys come from the first Initial that opens with them; a server's Initial never does.
    var keys = s.keys ?? initialKeys(v, h.dcid, 'client');
    s.decrypts++;
    var packet = d.subarray(start, h.end);
    if (!usesGoogleFrames(v)) {
      if (openIetfInitial(s, packet, h.pnOffset - start, keys, h.scid)) return;
      continue;
    }
    // Q050 (CHLO) and T05x (TLS): the whole hello in one frame, the GCM tag checked.
    var plain = openLongHeaderPacket(packet, h.pnOffset - start, keys, true);
    if (!plain) continue;
    useKeys(s, keys, h.scid);
    var data = q050CryptoData(plain);
    if (!data) continue;
    if (carriesTls(v)) readHello(s, data);
    else if ((s.chlo = parseChlo(data))) s.finished = true;
    if (s.finished) return;
  }
}

/**
 * Where Initials are opened: their plaintext is only read while the packet is handled
 * (CRYPTO data is copied into the flow's stream), so one buffer serves every packet.
 * A longer Initial (jumbo frames) gets a buffer of its own.
 */
const scratchPlain = new Uint8Array(2048);

/** A stream a packet wrote to and was then refused (wrong keys), empty again, for the next flow. */
let spareStream: CryptoStream | null = null;

function newCryptoStream(): CryptoStream {
  const spare = spareStream;
  spareStream = null;
  return spare ?? new CryptoStream(CRYPTO_CAP);
}

/** The keys opened the client's Initial: later ones reuse them, the server's are told apart. */
function useKeys(s: QuicState, keys: InitialKeys, scid: Uint8Array): void {
  if (s.keys) return;
  s.keys = keys;
  s.clientScid = scid.slice();
}

/**
 * One IETF Initial: opened (the GCM tag unchecked, half the cost in an interpreter; the
 * frame grammar stands in for it) and its frames read as they are opened. The flow's
 * first hello usually sits whole in its first Initial: reading stops as soon as it parses,
 * the rest of the packet left unopened. Otherwise every frame must be one an Initial may
 * hold (random bytes from wrong keys never are) before the packet's CRYPTO data is kept.
 * True when the dissection is finished.
 */
function openIetfInitial(s: QuicState, packet: Uint8Array, pnOffset: number, keys: InitialKeys, scid: Uint8Array): boolean {
  const opening = openInitial(packet, pnOffset, keys, scratchPlain);
  if (!opening) return false;
  var walk = new InitialFrameWalk((n) => opening.openTo(n), opening.length);
  // The first packet writes straight into a new stream (dropped if the packet is refused);
  // later ones are held until the packet proves clean.
  var fresh = s.crypto === null;
  var stream = s.crypto ?? newCryptoStream();
  var held: CryptoFragment[] = [];
  var overflow = false;
  for (var f; (f = walk.next()); ) {
    if (!fresh) held.push(f);
    else if (!stream.write(f.offset, f.data)) overflow = true;
    else if (!walk.ended) {
      var msg = stream.firstMessage();
      var ch = msg && parseClientHello(msg);
      if (ch) {
        useKeys(s, keys, scid);
        s.crypto = stream;
        recordClientHello(s.facts, ch, 'q');
        s.finished = true;
        return true;
      }
    }
  }
  if (!walk.clean) {
    if (fresh) {
      stream.clear();
      spareStream = stream;
    }
    return false; // wrong keys (or damage): nothing to trust
  }
  useKeys(s, keys, scid);
  s.crypto = stream;
  for (const f of held) if (!stream.write(f.offset, f.data)) overflow = true;
  if (overflow) s.finished = true; // hello too big to keep
  var msg = stream.firstMessage();
  if (msg) readHello(s, msg);
  return s.finished;
}

/** Q050 and T05x keep Google's single-frame layout inside IETF-style protection. */
function usesGoogleFrames(v: number): boolean {
  const p = (v & 0xffffff00) >>> 0;
  return p === 0x51303500 || p === 0x54303500;
}

function readHello(s: QuicState, msg: Uint8Array): void {
  const ch = parseClientHello(msg);
  if (ch) recordClientHello(s.facts, ch, 'q');
  s.finished = true;
}

function publish(s: QuicState, out: Detection): void {
  var q: MetaSection = { version: s.version === 0 ? 'Unknown' : quicVersionName(s.version) };
  var ch = s.facts.clientHello;
  var sni = ch?.sni ?? s.chlo?.sni ?? null;
  if (sni) {
    q['sni'] = sni;
    out.hostname = sni;
  }
  if (ch?.alpn.length) q['alpn'] = ch.alpn;
  var ua = s.chlo?.userAgent ?? (ch?.quicTransportParams ? userAgentParam(ch.quicTransportParams, s.version) : null);
  if (ua) q['user_agent'] = ua;
  out.meta['quic'] = q;
  // DNS over QUIC (RFC 9250): ALPN "doq" (drafts: "doq-i…").
  if (ch?.alpn.some((a) => a === 'doq' || a.startsWith('doq-'))) out.protocol = 'DoH_DoT';
  // QUIC always runs TLS 1.3 (nDPI records it so).
  if (ch) out.meta['ssl'] = sslMeta(s.facts, 0x0304);
}

function claim(s: QuicState, out: Detection, version: number): void {
  s.claimed = true;
  s.version = version;
  out.protocol = 'QUIC';
}

export const quicDissector = dissector<QuicState>({
  name: 'quic',
  ipProtocols: [17],
  create: () => ({
    claimed: false,
    version: 0,
    keys: null,
    clientScid: null,
    crypto: null,
    facts: emptyFacts(),
    chlo: null,
    finished: false,
    decrypts: 0,
    packetsSinceClaim: 0,
    zeroRttSeen: false,
    packets: 0,
    trail: { cid: null, lastByte: 0, stage: 0 },
  }),
  feed(s: QuicState, pkt: L4Packet, flow: FlowView, out: Detection): Step {
    var d = pkt.payload;
    s.packets++;
    if (s.claimed) s.packetsSinceClaim++;
    var version = initialVersion(d);
    if (version === null) {
      if (s.claimed) return s.packetsSinceClaim >= MAX_PACKETS_AFTER_CLAIM ? 'done' : 'more';
      return unclaimedNonInitial(s, pkt, out);
    }
    if (!s.claimed) {
      claim(s, out, version);
      if (flow.responderPort === DNS_OVER_TLS_PORT || flow.initiatorPort === DNS_OVER_TLS_PORT) out.protocol = 'DoH_DoT';
    } else if (version !== s.version) {
      // A new version after version negotiation: start over with its keys.
      s.version = version;
      s.keys = null;
      s.crypto = null;
      s.clientScid = null;
    }
    if (!isSupported(version)) {
      publish(s, out);
      return 'done';
    }
    if (!isForcingVn(version)) collectCrypto(s, d);
    publish(s, out);
    if (s.finished || s.packetsSinceClaim >= MAX_PACKETS_AFTER_CLAIM) return 'done';
    return 'more';
  },
});

/** Before any Initial: 0-RTT first (Initial reordered behind it), short headers, REJ. */
function unclaimedNonInitial(s: QuicState, pkt: L4Packet, out: Detection): Step {
  const d = pkt.payload;
  const zeroRtt = zeroRttVersion(d);
  if (zeroRtt !== null) {
    s.zeroRttSeen = true;
    if (s.packets < 3) return 'more';
    claim(s, out, zeroRtt); // no Initial came: QUIC without a name
    publish(s, out);
    return 'done';
  }
  if (s.zeroRttSeen) {
    claim(s, out, 0);
    publish(s, out);
    return 'done';
  }
  const sh = shortHeaderStep(s.trail, d, pkt.srcPort, pkt.dstPort);
  if (sh === 1 || (sh === 0 && isGquicReject(d, pkt.srcPort))) {
    claim(s, out, 0);
    publish(s, out);
    return 'done';
  }
  if (sh === -1) return s.packets > MAX_PACKETS_SHORT_HEADER ? 'no' : 'more';
  return 'no';
}
