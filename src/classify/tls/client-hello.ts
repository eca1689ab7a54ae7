/**
 * ClientHello parsing (TLS, DTLS and the TLS inside QUIC CRYPTO frames), collecting what
 * nDPI collects: SNI, ALPN, supported versions, cipher suites, extensions and signature
 * algorithms (the last three in wire order, GREASE left out, as JA4 wants them).
 */
import { latin1, u16be, u24be } from '../../util/bytes.js';
import { normalizeHostBytes } from '../naming/hostname.js';

/** DTLS1_BAD_VER: OpenSSL's DTLS before RFC 4347's numbering. */
const DTLS_PRE_STANDARD = 0x0100;

export interface ClientHello {
  /** legacy_version field (0x0303 for TLS 1.3 too; 0xfefd for DTLS 1.2). */
  readonly legacyVersion: number;
  /** Cipher suites in wire order, GREASE left out. */
  readonly ciphers: readonly number[];
  /** Extension types in wire order, GREASE left out (server_name always kept, as nDPI does). */
  readonly extensions: readonly number[];
  /** server_name as nDPI records it (lower case, unprintables '?', at most 253 chars), or null. */
  readonly sni: string | null;
  /** Advertised ALPN protocol ids, in order. */
  readonly alpn: readonly string[];
  /** supported_versions list as sent (GREASE included). */
  readonly supportedVersions: readonly number[];
  /** signature_algorithms in wire order. */
  readonly signatureAlgorithms: readonly number[];
  /** Whether nDPI would have computed fingerprints (lists within bounds, lengths consistent). */
  readonly fingerprintable: boolean;
  /** Old SSLv2-format hello (no extensions at all). */
  readonly sslv2: boolean;
  /** QUIC transport parameters extension body (57, or 0xffa5 in drafts), if present. */
  readonly quicTransportParams?: Uint8Array;
}

/** nDPI keeps at most this many entries per fingerprint list; more makes the hello unfingerprintable. */
const MAX_LIST = 128;
/**
 * Longest name kept: a DNS name is at most 253 characters (RFC 1035 §2.3.4). Longer is
 * no host name; its tail is kept, the part a suffix match reads. (nDPI's buffer keeps
 * only 79, which would make a policy on a long name miss.)
 */
const MAX_HOST = 253;

/**
 * Parse a handshake message that starts with its header (type 1, 24-bit length; for DTLS
 * the 12-byte header with sequence and fragment fields). `msg` may hold only the message
 * or run past it. Returns null when it is no ClientHello or its fixed part is cut short.
 */
export function parseClientHello(msg: Uint8Array, dtls = false): ClientHello | null {
  if (msg.length < 4 || msg[0] !== 0x01) return null;
  const bodyLen = u24be(msg, 1);
  const headerLen = dtls ? 12 : 4;
  if (bodyLen < 34 || msg[1] !== 0) return null;
  const size = msg.length;
  const end = size < headerLen + bodyLen ? size : headerLen + bodyLen;
  let o = headerLen;
  const legacyVersion = u16be(msg, o);
  if (legacyVersion < 0) return null;
  // Plausible versions only: SSLv3..TLS1.3 (0x03xx) or DTLS (0xfeXX, and 0x0100, the
  // pre-RFC DTLS of OpenSSL before 0.9.8f that Cisco AnyConnect still speaks); anything
  // else is not a hello.
  const major = legacyVersion >> 8;
  if (major !== 0x03 && major !== 0xfe && !(dtls && legacyVersion === DTLS_PRE_STANDARD)) return null;
  o += 2 + 32;
  if (o >= end) return null;
  o += 1 + msg[o]!; // session id
  if (dtls) {
    if (o >= end) return null;
    o += 1 + msg[o]!; // cookie
  }
  const cipherLen = u16be(msg, o);
  if (cipherLen < 0 || o + 2 + cipherLen > end || cipherLen % 2 !== 0) return null;
  o += 2;
  let fingerprintable = true;
  // GREASE (isGrease) tested inline in both loops: a call per value adds up under txiki.js.
  // So does `push` (a native call there): the lists are filled by index.
  const ciphers: number[] = [];
  let cipherCount = 0;
  for (let i = o, stop = o + cipherLen; i < stop; i += 2) {
    const hi = msg[i]!;
    const lo = msg[i + 1]!;
    if ((hi & 0x0f) === 0x0a && hi === lo) continue;
    if (cipherCount < MAX_LIST) ciphers[cipherCount++] = (hi << 8) | lo;
    else fingerprintable = false;
  }
  o += cipherLen;
  const extensions: number[] = [];
  let extensionCount = 0;
  let sni: string | null = null;
  let alpn: string[] = NO_STRINGS;
  let supportedVersions: number[] = NO_NUMBERS;
  let signatureAlgorithms: number[] = NO_NUMBERS;
  let quicTransportParams: Uint8Array | undefined;
  if (o < end) {
    o += 1 + msg[o]!; // compression methods
    if (o !== end) {
      const extLen = u16be(msg, o);
      if (extLen < 0 || o + 2 + extLen > end) fingerprintable = false;
      else {
        o += 2;
        const extEnd = o + extLen;
        while (o + 4 <= extEnd) {
          const hi = msg[o]!;
          const lo = msg[o + 1]!;
          const len = (msg[o + 2]! << 8) | msg[o + 3]!;
          const body = o + 4;
          if (body + len > extEnd) break;
          const type = (hi << 8) | lo;
          if (type === 0 || (hi & 0x0f) !== 0x0a || hi !== lo) {
            if (extensionCount < MAX_LIST) extensions[extensionCount++] = type;
            else fingerprintable = false;
          }
          // A view of the body only for the extensions read (most are only counted).
          switch (type) {
            case 0:
              sni = readServerName(msg.subarray(body, body + len));
              break;
            case 13: {
              const ext = msg.subarray(body, body + len);
              signatureAlgorithms = readU16List(ext, 2, u16be(ext, 0));
              break;
            }
            case 16:
              alpn = readAlpn(msg.subarray(body, body + len));
              break;
            case 43:
              // The one-byte list length must match the extension (nDPI ignores the list otherwise).
              if (len >= 1 && msg[body] === len - 1) supportedVersions = readU16List(msg.subarray(body, body + len), 1, msg[body]!);
              break;
            case 57:
            case 0xffa5:
              quicTransportParams ??= msg.subarray(body, body + len);
              break;
          }
          o = body + len;
        }
      }
    }
  }
  return { legacyVersion, ciphers, extensions, sni, alpn, supportedVersions, signatureAlgorithms, fingerprintable, sslv2: false, quicTransportParams };
}

/** Empty lists of hellos that have none (shared: a ClientHello is never changed). */
const NO_NUMBERS: number[] = [];
const NO_STRINGS: string[] = [];

/** server_name list: type(1) name_len(2) name — the first entry, as nDPI takes it. */
function readServerName(ext: Uint8Array): string | null {
  const len = u16be(ext, 3);
  if (len < 0 || 5 + len > ext.length) return null;
  return sniText(ext, 5, 5 + len);
}

/** Host name bytes normalised as nDPI stores them (tail kept if longer than a DNS name). */
export function sniText(b: Uint8Array, start: number, end: number): string {
  return normalizeHostBytes(b, end - MAX_HOST > start ? end - MAX_HOST : start, end);
}

function readU16List(ext: Uint8Array, start: number, byteLen: number): number[] {
  const out: number[] = [];
  if (byteLen < 0) return out;
  const size = ext.length;
  const end = size < start + byteLen ? size : start + byteLen;
  let n = 0;
  for (let i = start; i + 2 <= end && n < MAX_LIST; i += 2) out[n++] = (ext[i]! << 8) | ext[i + 1]!;
  return out;
}

/** ALPN: list_len(2) then length-prefixed protocol ids; stops at the first that overruns. */
export function readAlpn(ext: Uint8Array): string[] {
  const out: string[] = [];
  const listLen = u16be(ext, 0);
  if (listLen < 0) return out;
  const size = ext.length;
  const end = size < 2 + listLen ? size : 2 + listLen;
  let o = 2;
  while (o < end) {
    const n = ext[o]!;
    if (o + 1 + n > end) break;
    out.push(printable(ext, o + 1, o + 1 + n));
    o += 1 + n;
  }
  return out;
}

/** ASCII text with unprintable bytes as '?', as nDPI normalises ALPN strings. */
function printable(b: Uint8Array, start: number, end: number): string {
  let clean = start;
  while (clean < end && b[clean]! >= 0x20 && b[clean]! <= 0x7e) clean++;
  if (clean === end) return latin1(b, start, end); // the usual case: one native copy
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return s;
}

/**
 * SSLv2-format ClientHello (RFC 6101 appendix E.2): a 2-byte record header with the top
 * bit set, then msg_type 1, version, and three length fields. Old clients sent it to
 * offer SSLv3/TLS in a way SSLv2 servers understood. `b` starts at the record header.
 */
export function parseSslv2ClientHello(b: Uint8Array): { hello: ClientHello; recordLen: number } | null {
  if (b.length < 2 || (b[0]! & 0x80) === 0) return null;
  const len = ((b[0]! & 0x7f) << 8) | b[1]!;
  if (len < 9 || b.length < 2 + 9) return null;
  if (b[2] !== 0x01) return null;
  const version = u16be(b, 3);
  if (version !== 0x0002 && (version < 0x0300 || version > 0x0303)) return null;
  const specLen = u16be(b, 5);
  const sessionLen = u16be(b, 7);
  const challengeLen = u16be(b, 9);
  if (specLen === 0 || specLen % 3 !== 0) return null;
  if (sessionLen !== 0 && sessionLen !== 16) return null;
  if (challengeLen < 16 || challengeLen > 32) return null;
  if (9 + specLen + sessionLen + challengeLen !== len) return null;
  const ciphers: number[] = [];
  const end = Math.min(b.length, 11 + specLen);
  for (let o = 11; o + 3 <= end; o += 3) {
    // TLS suites ride as 0x00XXXX; 3-byte SSLv2-only kinds have a non-zero first byte.
    if (b[o] === 0 && ciphers.length < MAX_LIST) ciphers.push((b[o + 1]! << 8) | b[o + 2]!);
  }
  return {
    hello: {
      legacyVersion: version,
      ciphers,
      extensions: [],
      sni: null,
      alpn: [],
      supportedVersions: [],
      signatureAlgorithms: [],
      fingerprintable: true,
      sslv2: true,
    },
    recordLen: 2 + len,
  };
}
