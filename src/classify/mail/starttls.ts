/**
 * The TLS handshake that follows an accepted in-band upgrade: SMTP STARTTLS (RFC 3207
 * §4), POP3 STLS (RFC 2595 §4), IMAP STARTTLS (RFC 9051 §6.2.1) and FTP AUTH TLS
 * (RFC 4217 §4). After the upgrade command the client waits for the answer, and after
 * an acceptance it "MUST start the TLS negotiation before giving any other SMTP
 * commands" (RFC 3207 §4; the others say the same), so its next bytes are TLS; the
 * server's bytes after its acceptance are TLS too. Each direction switches to a TLS
 * record reader at the byte after its last plaintext line (the client's as soon as it
 * asked, so a ClientHello captured before the answer is not lost), and the same facts
 * the TLS dissector gathers (ClientHello: SNI, ALPN, JA4; ServerHello: version, cipher;
 * the certificate before TLS 1.3) fill the same `ssl` section.
 */
import type { Direction } from '../../flow/types.js';
import { parseCertificate, parseCertificateMessage } from '../tls/certificate.js';
import { emptyFacts, negotiatedTls13, recordClientHello, recordClientHelloMessage, type TlsFacts } from '../tls/facts.js';
import { CONTENT_APPDATA, CONTENT_CCS, TlsDirection, type RecordEvent } from '../tls/records.js';
import { parseServerHello } from '../tls/server-hello.js';

interface Side {
  readonly records: TlsDirection;
  /**
   * Sequence number of the side's first TLS byte while nothing has been given to the
   * record reader yet: a retransmitted plaintext segment is cut to what lies past it.
   */
  firstSeq: number | null;
  fed: boolean;
}

export class UpgradedTls {
  readonly facts: TlsFacts = emptyFacts();
  private readonly sides: [Side | null, Side | null] = [null, null];
  /** The server went encrypted (ChangeCipherSpec or Application Data): nothing more in the clear. */
  private serverEncrypted = false;

  constructor(private readonly clientDir: Direction) {}

  /** Whether `dir` has switched to TLS. */
  carries(dir: Direction): boolean {
    return this.sides[dir] !== null;
  }

  /**
   * `dir` carries TLS from now on, starting at TCP sequence `seq` (null: unknown);
   * `already` holds bytes of it gathered with the plaintext. Returns true when facts changed.
   */
  begin(dir: Direction, seq: number | null, already: Uint8Array): boolean {
    const side: Side = { records: new TlsDirection(), firstSeq: seq, fed: false };
    this.sides[dir] = side;
    return already.length > 0 ? this.feed(dir, side, seq ?? 0, already) : false;
  }

  /** One segment of a switched direction; returns true when facts changed. */
  push(dir: Direction, seq: number, payload: Uint8Array): boolean {
    const side = this.sides[dir];
    if (side === null) return false;
    if (!side.fed && side.firstSeq !== null && seq !== 0) {
      // Bytes before the first TLS byte are plaintext already read (a retransmission).
      const skip = (side.firstSeq - seq) | 0;
      if (skip >= payload.length) return false;
      if (skip > 0) return this.feed(dir, side, side.firstSeq, payload.subarray(skip));
    }
    return this.feed(dir, side, seq, payload);
  }

  /** Nothing more to learn: the server's handshake is out of view, or its reader gave up. */
  get finished(): boolean {
    const f = this.facts;
    if (f.certificate || this.serverEncrypted || negotiatedTls13(f)) return true;
    return this.sides[this.clientDir === 0 ? 1 : 0]?.records.broken ?? false;
  }

  /** Nothing more will be pushed: the readers' buffers are given back. */
  dispose(): void {
    for (const side of this.sides) side?.records.dispose();
  }

  private feed(dir: Direction, side: Side, seq: number, bytes: Uint8Array): boolean {
    side.fed = true;
    let changed = false;
    for (const ev of side.records.push(seq, bytes)) if (this.apply(ev, dir)) changed = true;
    return changed;
  }

  /** One record-layer event, read as the TLS dissector reads it; true when a fact was added. */
  private apply(ev: RecordEvent, dir: Direction): boolean {
    const f = this.facts;
    const fromClient = dir === this.clientDir;
    switch (ev.kind) {
      case 'sslv2-hello':
        if (!fromClient || f.clientHello) return false;
        recordClientHello(f, ev.hello, 't');
        return true;
      case 'handshake': {
        const type = ev.msg[0];
        if (type === 0x01 && fromClient && !f.clientHello) return recordClientHelloMessage(f, ev.msg);
        if (type === 0x02 && !fromClient && !f.serverHello) {
          f.serverHello = parseServerHello(ev.msg);
          return f.serverHello !== null;
        }
        if (type === 0x0b && !fromClient && !f.certificate) {
          f.certificate = parseCertificateMessage(ev.msg);
          return f.certificate !== null;
        }
        return false;
      }
      case 'first-certificate':
        if (fromClient || f.certificate) return false;
        f.certificate = parseCertificate(ev.der);
        return f.certificate !== null;
      case 'record':
        if (!fromClient && (ev.type === CONTENT_CCS || ev.type === CONTENT_APPDATA)) this.serverEncrypted = true;
        return false;
    }
  }
}
