/**
 * The TLS record layer of one TCP direction: segments → records → handshake messages.
 * Handshake messages may span records and records may span segments; both layers keep
 * bounded buffers. After ChangeCipherSpec the direction's handshake is encrypted and no
 * longer parsed.
 */
import { u24be } from '../../util/bytes.js';
import { parseSslv2ClientHello, type ClientHello } from './client-hello.js';
import { TcpByteStream } from '../tcp-stream.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Bytes held per direction waiting for a record to complete (a full record is 16 KiB + 5). */
const STREAM_CAP = 24 * 1024;
/** Bytes of handshake messages held waiting for a message to complete. */
const HANDSHAKE_CAP = 16 * 1024;
/** Largest record length accepted (TLSCiphertext may exceed 2^14 by 2048). */
const MAX_RECORD = 16384 + 2048;

/** No pending handshake bytes (shared: nothing is ever written to it). */
const NO_BYTES = new Uint8Array(0);

export const CONTENT_CCS = 20;
export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPDATA = 23;

export type RecordEvent =
  /** A complete handshake message, header included (possibly a view of the segment: read it before the next push). */
  | { readonly kind: 'handshake'; readonly msg: Uint8Array }
  /** The start of a Certificate message whose first certificate is complete (the rest may not be). */
  | { readonly kind: 'first-certificate'; readonly der: Uint8Array }
  | { readonly kind: 'sslv2-hello'; readonly hello: ClientHello }
  /**
   * A non-handshake record. `whole`: it was exactly all the bytes buffered, the test nDPI
   * uses before calling a bare record TLS.
   */
  | { readonly kind: 'record'; readonly type: number; readonly length: number; readonly whole: boolean };

export class TlsDirection {
  private readonly stream = new TcpByteStream(STREAM_CAP);
  private hs = NO_BYTES;
  private recordsSeen = 0;
  private certificatePeeked = false;
  /** ChangeCipherSpec seen: later handshake records are encrypted. */
  encrypted = false;
  /** Malformed or over-long data: nothing more is parsed. */
  broken = false;

  /** Feed one segment; returns what became complete. */
  push(seq: number, payload: Uint8Array): RecordEvent[] {
    var events: RecordEvent[] = [];
    if (this.broken) return events;
    this.stream.push(seq, payload);
    this.parse(events);
    // The segment may have been read in place: keep what is left of it before it changes.
    this.stream.release();
    return events;
  }

  /**
   * A handshake is arriving and not yet complete: a handshake record header is buffered
   * waiting for its body, or a handshake message waits for its next record. Bounded by
   * the buffers' caps (past them the direction is broken).
   */
  get handshakeUnderway(): boolean {
    if (this.broken || this.encrypted) return false;
    if (this.hs.length > 0) return this.hs.length < 4 || 4 + u24be(this.hs, 1) <= HANDSHAKE_CAP;
    const b = this.stream.bytes;
    if (b.length < 5 || b[0] !== CONTENT_HANDSHAKE) return false;
    // The first message's header, if in: one that could never be held is not waited for.
    return b.length < 9 || 4 + u24be(b, 6) <= HANDSHAKE_CAP;
  }

  /** Nothing more will be pushed: buffers are given back (see TcpByteStream.dispose). */
  dispose(): void {
    this.stream.dispose();
    this.hs = NO_BYTES;
    this.broken = true;
  }

  private parse(events: RecordEvent[]): void {
    if (this.stream.overflowed) {
      this.broken = true;
      return;
    }
    for (;;) {
      var b = this.stream.bytes;
      var size = b.length; // read once: a native call under txiki.js
      if (this.recordsSeen === 0 && size >= 2 && (b[0]! & 0x80) !== 0) {
        // SSLv2-format hello: only ever the first record of a connection.
        var v2 = size >= 11 ? parseSslv2ClientHello(b) : null;
        if (size < 11) break;
        if (!v2) {
          this.broken = true;
          break;
        }
        if (size < v2.recordLen) break;
        this.recordsSeen++;
        this.stream.consume(v2.recordLen);
        events.push({ kind: 'sslv2-hello', hello: v2.hello });
        continue;
      }
      if (size < 5) break;
      var type = b[0]!;
      var len = (b[3]! << 8) | b[4]!;
      if (type < 20 || type > 26 || b[1] !== 0x03 || b[2]! > 0x04 || len > MAX_RECORD) {
        this.broken = true;
        break;
      }
      if (size < 5 + len) {
        this.stream.expect(5 + len);
        break;
      }
      var whole = size === 5 + len;
      this.recordsSeen++;
      // handshake() copies what it keeps, so the body is read where it lies.
      if (type === CONTENT_HANDSHAKE && !this.encrypted) this.handshake(b.subarray(5, 5 + len), this.stream.inPlace, events);
      else events.push({ kind: 'record', type, length: len, whole });
      this.stream.consume(5 + len);
      if (type === CONTENT_CCS) this.encrypted = true;
      if (this.broken) break;
    }
  }

  /**
   * Handshake messages out of one record's body. `inPlace`: the body is a view of the
   * current segment, which stays as it is while this push's events are read, so whole
   * messages in it need no copy; otherwise (a view of the stream's buffer, which moves)
   * the body is copied. Only a message's unfinished tail is kept.
   */
  private handshake(body: Uint8Array, inPlace: boolean, events: RecordEvent[]): void {
    var joined = body;
    // Lengths read once each: a native call apiece under txiki.js.
    var held = this.hs.length;
    if (held > 0 || !inPlace) {
      joined = new Uint8Array(held + body.length);
      joined.set(this.hs);
      joined.set(body, held);
    }
    var size = joined.length;
    var o = 0;
    while (size - o >= 4) {
      if (joined[o + 1] !== 0) {
        // Messages are far below 64 KiB; a bigger length means this is not a handshake.
        this.broken = true;
        return;
      }
      var end = o + 4 + ((joined[o + 1]! << 16) | (joined[o + 2]! << 8) | joined[o + 3]!);
      if (end > size) break;
      var msg = joined.subarray(o, end);
      if (msg[0] === 0x0b) this.certificatePeeked = true;
      events.push({ kind: 'handshake', msg });
      o = end;
    }
    this.hs = o === size ? NO_BYTES : joined.slice(o);
    this.peekCertificate(this.hs, events);
    if (size - o > HANDSHAKE_CAP) {
      this.hs = NO_BYTES;
      this.broken = true;
    }
  }

  /** A Certificate message still arriving whose first certificate is already whole. */
  private peekCertificate(buf: Uint8Array, events: RecordEvent[]): void {
    if (this.certificatePeeked || buf.length < 10 || buf[0] !== 0x0b) return;
    const certLen = u24be(buf, 7);
    if (certLen <= 0 || 10 + certLen > buf.length) return;
    this.certificatePeeked = true;
    events.push({ kind: 'first-certificate', der: buf.slice(10, 10 + certLen) });
  }
}
