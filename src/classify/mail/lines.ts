/**
 * One direction of a text control connection (SMTP, POP3, IMAP, FTP) read as lines.
 * All four end every line with CR LF (RFC 5321 §2.3.8, RFC 1939 §3, RFC 9051 §2.2,
 * RFC 959 §5.3, the Telnet end of line), and a bare CR or LF is no line end (RFC 5321 §2.3.8), so
 * one is a reason to stop reading. Lines hold printable US-ASCII and HT (RFC 5321 §4.2
 * textstring); anything else, or a line past MAX_LINE, means this is not such a session.
 *
 * The bytes are gathered in sequence order (TcpPrefix, bounded). When a STARTTLS-style
 * upgrade switches the direction to TLS, `seqAtOffset()` and `rest()` say where the TLS
 * bytes begin, so the record reader can take over exactly there.
 */
import { latin1 } from '../../util/bytes.js';
import { TcpPrefix } from '../tcp-stream.js';

/** Bytes gathered per direction: a greeting, a capability list and the upgrade reply fit. */
const PREFIX_CAP = 4096;
/**
 * Longest line accepted, CR LF excluded. SMTP and POP3 cap replies at 512 octets
 * (RFC 5321 §4.5.3.1.5, RFC 2449 §4); FTP and IMAP set no limit, so twice that is allowed.
 */
export const MAX_LINE = 1024;

const CR = 0x0d;
const LF = 0x0a;
const HT = 0x09;

export class LineReader {
  private readonly prefix = new TcpPrefix(PREFIX_CAP);
  private started = false;
  /** TCP sequence number of the first byte, null when the segments carried none (0). */
  private baseSeq: number | null = null;
  /** First byte not yet returned in a line. */
  private offset = 0;
  /** Bytes from `offset` already checked and found to hold no line end. */
  private checked = 0;
  /** A byte no line may hold, or a line too long: nothing more is read. */
  bad = false;

  push(seq: number, payload: Uint8Array): void {
    if (this.bad) return;
    if (!this.started) {
      this.started = true;
      this.baseSeq = seq === 0 ? null : seq;
    }
    this.prefix.push(seq, payload);
  }

  /** The next complete line (without CR LF), or null until one is complete (or when bad). */
  next(): string | null {
    if (this.bad) return null;
    const b = this.prefix.bytes;
    const start = this.offset;
    for (let i = start + this.checked; i < b.length; i++) {
      const c = b[i]!;
      if (c === CR) {
        if (i + 1 >= b.length) break; // the LF may be in the next segment
        if (b[i + 1] !== LF || i - start > MAX_LINE) return this.fail();
        this.offset = i + 2;
        this.checked = 0;
        return latin1(b, start, i);
      }
      if ((c < 0x20 && c !== HT) || c > 0x7e) return this.fail();
    }
    this.checked = Math.max(0, b.length - start - 1);
    if (b.length - start > MAX_LINE + 1) return this.fail();
    return null;
  }

  /** Asked once `next()` gave null: no further line can arrive (bad, or the prefix is full). */
  get exhausted(): boolean {
    return this.bad || this.prefix.full;
  }

  /** Sequence number of the first byte after the lines read, when known. */
  seqAtOffset(): number | null {
    return this.baseSeq === null ? null : (this.baseSeq + this.offset) >>> 0;
  }

  /** Bytes gathered after the lines read (a view of a stable copy). */
  rest(): Uint8Array {
    return this.prefix.bytes.subarray(this.offset);
  }

  private fail(): null {
    this.bad = true;
    return null;
  }
}
