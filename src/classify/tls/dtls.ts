/**
 * DTLS over UDP (WebRTC media keys, VPNs, CAPWAP…). A datagram holds whole records
 * (13-byte header: type, version 0xfeff/0xfefd/0xfefc, epoch, sequence, length); handshake
 * messages carry a 12-byte header and may be fragmented across records and datagrams.
 * Claims on a ClientHello or ServerHello, or (as nDPI) on Application Data from a session
 * already under way; then reads on for the server's version, cipher and certificate.
 * STUN packets (WebRTC sends them on the same 5-tuple) are stepped over.
 */
import type { Direction } from '../../flow/types.js';
import { u16be, u24be, u32be } from '../../util/bytes.js';
import { dissector, type Detection, type L4Packet, type Step } from '../dissector.js';
import { CryptoStream } from '../quic/crypto-stream.js';
import { parseCertificateMessage } from './certificate.js';
import { parseClientHello } from './client-hello.js';
import { recordClientHello, sslMeta } from './facts.js';
import * as watch from './handshake-watch.js';
import { parseServerHello } from './server-hello.js';

/** nDPI follows DTLS up to 20 extra packets for the certificate. */
const MAX_PACKETS_AFTER_CLAIM = 20;
/** Handshake message bytes held per direction while fragments arrive. */
const FRAGMENT_CAP = 16 * 1024;

export interface DtlsRecord {
  readonly type: number;
  readonly body: Uint8Array;
}

/** Split a datagram into DTLS records; null unless it is records and nothing else. */
export function dtlsRecords(d: Uint8Array): DtlsRecord[] | null {
  const out: DtlsRecord[] = [];
  let o = 0;
  while (o < d.length) {
    if (o + 13 > d.length) return null;
    const type = d[o]!;
    const version = u16be(d, o + 1);
    if (type < 20 || type > 23) return null;
    if (version !== 0xfeff && version !== 0xfefd && version !== 0xfefc && version !== 0x0100) return null;
    const len = u16be(d, o + 11);
    if (len === 0 || o + 13 + len > d.length) return null;
    out.push({ type, body: d.subarray(o + 13, o + 13 + len) });
    o += 13 + len;
  }
  return out.length ? out : null;
}

/** STUN's fixed header: two zero top bits and the magic cookie. */
function looksLikeStun(d: Uint8Array): boolean {
  return d.length >= 20 && (d[0]! & 0xc0) === 0 && u32be(d, 4) === 0x2112a442;
}

/** A DTLS record header up front even if the rest is damaged: worth another packet. */
function dtlsStart(d: Uint8Array): boolean {
  return d.length > 13 && d[0]! >= 20 && d[0]! <= 23 && ((d[1] === 0xfe && d[2]! >= 0xfc) || (d[1] === 0x01 && d[2] === 0x00));
}

interface Assembly {
  seq: number;
  header: Uint8Array;
  length: number;
  stream: CryptoStream;
}

class DtlsState extends watch.HandshakeWatch {
  readonly assembling: [Assembly | null, Assembly | null] = [null, null];
}

/** Whole handshake messages (12-byte header, unfragmented) from one handshake record. */
function messages(s: DtlsState, dir: Direction, body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 12 <= body.length; ) {
    const len = u24be(body, o + 1);
    const seq = u16be(body, o + 4);
    const fragOff = u24be(body, o + 6);
    const fragLen = u24be(body, o + 9);
    if (o + 12 + fragLen > body.length || fragOff + fragLen > len) break;
    const frag = body.subarray(o + 12, o + 12 + fragLen);
    if (fragOff === 0 && fragLen === len) {
      out.push(body.subarray(o, o + 12 + len));
    } else {
      let a = s.assembling[dir];
      if (!a || a.seq !== seq || a.length !== len) {
        if (len > FRAGMENT_CAP) break;
        a = { seq, header: body.slice(o, o + 12), length: len, stream: new CryptoStream(len) };
        s.assembling[dir] = a;
      }
      a.stream.write(fragOff, frag);
      if (a.stream.contiguous >= len) {
        const msg = new Uint8Array(12 + len);
        msg.set(a.header);
        msg.set([0, 0, 0], 6); // fragment offset 0
        msg.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 9); // fragment length = whole
        msg.set(a.stream.prefix(len), 12);
        out.push(msg);
        s.assembling[dir] = null;
      }
    }
    o += 12 + fragLen;
  }
  return out;
}

/** Returns true when the message makes the flow DTLS. */
function applyMessage(s: DtlsState, msg: Uint8Array, dir: Direction): boolean {
  const f = s.facts;
  switch (msg[0]) {
    case 0x01: {
      const ch = parseClientHello(msg, true);
      if (!ch) return false;
      recordClientHello(f, ch, 'd');
      watch.sawClientHello(s, dir);
      return true;
    }
    case 0x02: {
      const sh = parseServerHello(msg, true);
      if (!sh) return false;
      watch.sawServerHello(s, sh, dir);
      return true;
    }
    case 0x0b:
      watch.sawCertificate(s, dir, () => parseCertificateMessage(msg, true));
      return false;
  }
  return false;
}

function finished(s: DtlsState): boolean {
  // DTLS 1.3 encrypts the certificate.
  return watch.handshakeOutOfView(s, MAX_PACKETS_AFTER_CLAIM) || s.facts.serverHello?.version === 0xfefc;
}

export const dtlsDissector = dissector<DtlsState>({
  name: 'dtls',
  ipProtocols: [17],
  create: () => new DtlsState(),
  feed(s: DtlsState, pkt: L4Packet, _flow, out: Detection): Step {
    watch.countPacket(s);
    const records = dtlsRecords(pkt.payload);
    if (!records) {
      if (s.claimed) return finished(s) ? 'done' : 'more';
      const maybe = looksLikeStun(pkt.payload) || dtlsStart(pkt.payload);
      return maybe && s.packets < watch.MAX_PACKETS_UNCLAIMED ? 'more' : 'no';
    }
    let claim = false;
    let handshakeClaim = false;
    for (const r of records) {
      if (r.type === 22) {
        for (const msg of messages(s, pkt.dir, r.body)) {
          if (applyMessage(s, msg, pkt.dir)) claim = handshakeClaim = true;
        }
      } else if (r.type === 20 || r.type === 23) {
        // Change cipher spec: what follows is encrypted; Application Data: a session under way.
        if (s.clientDir !== null && pkt.dir !== s.clientDir) s.serverEncrypted = true;
        if (r.type === 23) claim = true;
        if (r.type === 20) break;
      }
    }
    if (!s.claimed) {
      if (!claim) return s.packets < watch.MAX_PACKETS_UNCLAIMED ? 'more' : 'no';
      watch.claim(s, out, 'DTLS', handshakeClaim);
    }
    out.meta['ssl'] = sslMeta(s.facts);
    return finished(s) ? 'done' : 'more';
  },
});
