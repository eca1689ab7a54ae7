/**
 * Network Time Protocol on UDP 123 (RFC 5905; modes 6 and 7 are ntpq/ntpdc control and
 * private messages), nDPI 'NTP'. Meta `ntp`: version and mode (plus stratum for time
 * packets).
 */
import { u16be } from '../../util/bytes.js';
import { dissector, type MetaSection } from '../dissector.js';
import { usesPort } from './endpoints.js';

const NTP_PORT = 123;
const TIME_PACKET_LENGTH = 48;
const CONTROL_HEADER_LENGTH = 12;
const PRIVATE_HEADER_LENGTH = 8;
/** Stratum 16 means unsynchronised; above it is reserved. */
const MAX_STRATUM = 16;
/** Poll exponent: RFC 5905 allows 4–17; SNTP clients send 0. */
const MAX_POLL = 17;
/** Precision is log2 seconds of a real clock: from 2^-32 (sub-ns) to 2^0. */
const MIN_PRECISION = -32;
/** ntpdc implementation numbers: universal, old xntpd, xntpd (RFC 1305 appendix, ntp_request.h). */
const PRIVATE_IMPLEMENTATIONS = [0, 2, 3];
const MODE_CLIENT = 3;

export interface NtpHeader {
  readonly version: number;
  readonly mode: number;
  readonly stratum: number | null;
}

/** The first byte holds leap indicator, version and mode; each mode has its own minimum size. */
export function parseNtp(p: Uint8Array): NtpHeader | null {
  if (p.length < PRIVATE_HEADER_LENGTH) return null;
  const version = (p[0]! >> 3) & 0x07;
  const mode = p[0]! & 0x07;
  if (version < 1 || version > 4) return null;
  if (mode >= 1 && mode <= 5) {
    // 48 bytes, then only 32-bit words: extension fields, a key id, a MAC.
    if (p.length < TIME_PACKET_LENGTH || (p.length - TIME_PACKET_LENGTH) % 4 !== 0) return null;
    const precision = p[3]! > 127 ? p[3]! - 256 : p[3]!;
    if (p[1]! > MAX_STRATUM || p[2]! > MAX_POLL) return null;
    // A client's own clock fields carry no meaning to the server (RFC 4330 §5 lets SNTP
    // clients zero them; some fill them oddly): precision is checked on the others only.
    if (mode !== MODE_CLIENT && (precision < MIN_PRECISION || precision > 0)) return null;
    return { version, mode, stratum: p[1]! };
  }
  if (mode === 6) {
    // Control header: opcode 1–31 in the low bits of byte 1, data count at 10 within the packet.
    if (p.length < CONTROL_HEADER_LENGTH || (p[1]! & 0x1f) === 0) return null;
    return u16be(p, 10) <= p.length - CONTROL_HEADER_LENGTH ? { version, mode, stratum: null } : null;
  }
  if (mode === 7) return PRIVATE_IMPLEMENTATIONS.includes(p[2]!) ? { version, mode, stratum: null } : null;
  return null; // mode 0 is reserved
}

export const ntpDissector = dissector<null>({
  name: 'ntp',
  ipProtocols: [17],
  firstLook: { ports: [NTP_PORT] },
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (!usesPort(pkt, NTP_PORT)) return 'no';
    const h = parseNtp(pkt.payload);
    if (!h) return 'no';
    out.protocol = 'NTP';
    const meta: MetaSection = { version: h.version, mode: h.mode };
    if (h.stratum !== null) meta['stratum'] = h.stratum;
    out.meta['ntp'] = meta;
    return 'done';
  },
});
