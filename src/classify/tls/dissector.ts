/**
 * TLS over TCP. Claims the flow on a ClientHello (SNI or not), an SSLv2-format hello, or a
 * ServerHello when the client's side was missed; also, as nDPI does, on a lone
 * ChangeCipherSpec, Alert or Application Data record that exactly fills the buffered
 * bytes (a connection picked up mid-stream). After the claim it reads on for the
 * ServerHello (version, cipher, ALPN) and, before TLS 1.3, the server certificate, then
 * stops; a few packets at most.
 */
import type { Direction, FlowView } from '../../flow/types.js';
import { dissector, type Detection, type L4Packet, type Step } from '../dissector.js';
import { parseCertificate, parseCertificateMessage } from './certificate.js';
import { negotiatedTls13, recordClientHello, recordClientHelloMessage, sslMeta, type TlsFacts } from './facts.js';
import * as watch from './handshake-watch.js';
import { CONTENT_ALERT, CONTENT_APPDATA, CONTENT_CCS, TlsDirection, type RecordEvent } from './records.js';
import { parseServerHello } from './server-hello.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Payload packets after the claim spent looking for ServerHello and certificate (nDPI: 12). */
const MAX_PACKETS_AFTER_CLAIM = 12;

class TlsState extends watch.HandshakeWatch {
  readonly dirs: [TlsDirection, TlsDirection] = [new TlsDirection(), new TlsDirection()];
  /** The facts the `ssl` section was last built from. */
  readonly published: Pick<TlsFacts, 'clientHello' | 'serverHello' | 'certificate'> = {
    clientHello: null,
    serverHello: null,
    certificate: null,
  };
}

/** DNS over TLS (RFC 7858) and over QUIC (RFC 9250) use port 853. */
export const DNS_OVER_TLS_PORT = 853;

/** nDPI names TLS on the mail ports after the mail protocol, and on 853 DNS over TLS. */
export function tlsProtocolFor(flow: FlowView): string {
  return protocolOnPort(flow.responderPort) ?? protocolOnPort(flow.initiatorPort) ?? 'TLS';
}

function protocolOnPort(port: number): string | null {
  if (port === 465 || port === 587) return 'SMTPS';
  if (port === 993) return 'IMAPS';
  if (port === 995) return 'POPS';
  if (port === DNS_OVER_TLS_PORT) return 'DoH_DoT';
  return null;
}

/** Apply one record-layer event; returns true when it makes the flow TLS. */
function apply(s: TlsState, ev: RecordEvent, dir: Direction): boolean {
  var f = s.facts;
  switch (ev.kind) {
    case 'sslv2-hello':
      recordClientHello(f, ev.hello, 't');
      watch.sawClientHello(s, dir);
      return true;
    case 'handshake': {
      var type = ev.msg[0];
      if (type === 0x01) {
        if (!recordClientHelloMessage(f, ev.msg)) return false;
        watch.sawClientHello(s, dir);
        return true;
      }
      if (type === 0x02) {
        var sh = parseServerHello(ev.msg);
        if (!sh) return false;
        watch.sawServerHello(s, sh, dir);
        return true;
      }
      if (type === 0x0b) watch.sawCertificate(s, dir, () => parseCertificateMessage(ev.msg));
      return false;
    }
    case 'first-certificate':
      watch.sawCertificate(s, dir, () => parseCertificate(ev.der));
      return false;
    case 'record': {
      if (s.clientDir !== null && dir !== s.clientDir && (ev.type === CONTENT_CCS || ev.type === CONTENT_APPDATA)) {
        s.serverEncrypted = true;
      }
      if (!ev.whole) return false;
      if (ev.type === CONTENT_CCS) return ev.length === 1;
      return ev.type === CONTENT_APPDATA || ev.type === CONTENT_ALERT;
    }
  }
}

/** Nothing more to learn once the server's handshake is out of view. */
function finished(s: TlsState): boolean {
  if (watch.handshakeOutOfView(s, MAX_PACKETS_AFTER_CLAIM) || negotiatedTls13(s.facts)) return true;
  if (s.dirs[0].broken && s.dirs[1].broken) return true;
  return s.clientDir !== null && s.dirs[s.clientDir === 0 ? 1 : 0].broken;
}

function publish(s: TlsState, out: Detection): void {
  var f = s.facts;
  // The section only changes with the facts: most packets after the claim add none.
  var p = s.published;
  if (p.clientHello === f.clientHello && p.serverHello === f.serverHello && p.certificate === f.certificate && out.meta['ssl'] !== undefined) return;
  p.clientHello = f.clientHello;
  p.serverHello = f.serverHello;
  p.certificate = f.certificate;
  var sni = f.clientHello?.sni;
  if (sni) out.hostname = sni;
  out.meta['ssl'] = sslMeta(f);
}

export const tlsDissector = dissector<TlsState>({
  name: 'tls',
  ipProtocols: [6],
  create: () => new TlsState(),
  feed(s: TlsState, pkt: L4Packet, flow: FlowView, out: Detection): Step {
    watch.countPacket(s);
    var d = s.dirs[pkt.dir];
    var claim = false;
    var handshakeClaim = false;
    var events = d.push(pkt.tcpSeq, pkt.payload);
    // Indexed: for-of builds an iterator and a result per step in an interpreter.
    for (var i = 0; i < events.length; i++) {
      var ev = events[i]!;
      if (apply(s, ev, pkt.dir)) {
        claim = true;
        if (ev.kind !== 'record') handshakeClaim = true;
      }
    }
    if (!s.claimed) {
      // A ClientHello cut into many small segments (post-quantum key shares, a small MSS)
      // is still read to its end: its bytes, not the packet count, bound the wait.
      var giveUp = d.broken || (s.packets >= watch.MAX_PACKETS_UNCLAIMED && !d.handshakeUnderway);
      if (!claim) return giveUp ? release(s, 'no') : 'more';
      watch.claim(s, out, tlsProtocolFor(flow), handshakeClaim);
    }
    publish(s, out);
    return finished(s) ? release(s, 'done') : 'more';
  },
});

/** The engine never feeds a state again after 'no' or 'done': its buffers can be reused. */
function release(s: TlsState, step: 'no' | 'done'): Step {
  s.dirs[0].dispose();
  s.dirs[1].dispose();
  return step;
}
