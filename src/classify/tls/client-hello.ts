/**
 * ClientHello parsing (TLS, DTLS and the TLS inside QUIC CRYPTO frames), collecting what
 * nDPI collects: SNI, ALPN, supported versions, cipher suites, extensions and signature
 * algorithms (the last three in wire order, GREASE left out, as JA4 wants them).
 */
import { latin1, u16be, u24be } from '../../util/bytes.js';
import { normalizeHostBytes } from '../naming/hostname.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

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
export function parseClientHello(msg: Uint8Array, dtls?: boolean): ClientHello | null {
  if (msg.length < 4 || msg[0] !== 0x01) return null;
  var bodyLen = u24be(msg, 1);
  var headerLen = dtls ? 12 : 4;
  if (bodyLen < 34 || msg[1] !== 0) return null;
  var size = msg.length;
  var end = size < headerLen + bodyLen ? size : headerLen + bodyLen;
  var o = headerLen;
  var legacyVersion = u16be(msg, o);
  if (legacyVersion < 0) return null;
  // Plausible versions only: SSLv3..TLS1.3 (0x03xx) or DTLS (0xfeXX, and 0x0100, the
  // pre-RFC DTLS of OpenSSL before 0.9.8f that Cisco AnyConnect still speaks); anything
  // else is not a hello.
  var major = legacyVersion >> 8;
  if (major !== 0x03 && major !== 0xfe && !(dtls && legacyVersion === DTLS_PRE_STANDARD)) return null;
  o += 2 + 32;
  if (o >= end) return null;
  o += 1 + msg[o]!; // session id
  if (dtls) {
    if (o >= end) return null;
    o += 1 + msg[o]!; // cookie
  }
  var cipherLen = u16be(msg, o);
  if (cipherLen < 0 || o + 2 + cipherLen > end || cipherLen % 2 !== 0) return null;
  o += 2;
  var fingerprintable = true;
  // Under txiki.js every bytecode op counts in these loops (a hello costs ~150 k
  // instructions there): GREASE (isGrease) is tested inline, on the value (0x?a?a with
  // both bytes equal); the lists are filled by index (`push` is a native call); the cap is
  // tested only for a list long enough to pass it.
  var ciphers: number[] = [];
  var cipherCount = 0;
  var stop = o + cipherLen;
  if (cipherLen <= 2 * MAX_LIST) {
    for (var i = o; i < stop; i += 2) {
      var v = (msg[i]! << 8) | msg[i + 1]!;
      if ((v & 0x0f0f) !== 0x0a0a || v >> 8 !== (v & 0xff)) ciphers[cipherCount++] = v;
    }
  } else {
    for (var i = o; i < stop; i += 2) {
      var v = (msg[i]! << 8) | msg[i + 1]!;
      if ((v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff)) continue;
      if (cipherCount < MAX_LIST) ciphers[cipherCount++] = v;
      else fingerprintable = false;
    }
  }
  o = stop;
  var extensions: number[] = [];
  var extensionCount = 0;
  var sni: string | null = null;
  var alpn: string[] = NO_STRINGS;
  var supportedVersions: number[] = NO_NUMBERS;
  var signatureAlgorithms: number[] = NO_NUMBERS;
  var quicTransportParams: Uint8Array | undefined;
  if (o < end) {
    o += 1 + msg[o]!; // compression methods
    if (o !== end) {
      var extLen = u16be(msg, o);
      if (extLen < 0 || o + 2 + extLen > end) fingerprintable = false;
      else {
        o += 2;
        var extEnd = o + extLen;
        while (o + 4 <= extEnd) {
          var type = (msg[o]! << 8) | msg[o + 1]!;
          var body = o + 4;
          o = body + ((msg[o + 2]! << 8) | msg[o + 3]!);
          if (o > extEnd) break;
          if ((type & 0x0f0f) !== 0x0a0a || type >> 8 !== (type & 0xff)) {
            if (extensionCount < MAX_LIST) extensions[extensionCount++] = type;
            else fingerprintable = false;
          }
          // Most extensions are only counted: one table lookup tells the few read (a
          // switch tests its cases one by one), which read the body where it lies.
          var read = type < READ_TYPES ? READ[type]! : type === 0xffa5 ? QUIC_PARAMS : 0;
          if (read === 0) continue;
          if (read === SERVER_NAME) sni = readServerName(msg, body, o);
          else if (read === SIGNATURE_ALGORITHMS) signatureAlgorithms = readU16List(msg, body + 2, u16be(msg, body), o);
          else if (read === ALPN) alpn = readAlpn(msg, body, o);
          else if (read === SUPPORTED_VERSIONS) {
            // The one-byte list length must match the extension (nDPI ignores the list otherwise).
            if (o > body && msg[body] === o - body - 1) supportedVersions = readU16List(msg, body + 1, msg[body]!, o);
          } else quicTransportParams ??= msg.subarray(body, o);
        }
      }
    }
  }
  return { legacyVersion, ciphers, extensions, sni, alpn, supportedVersions, signatureAlgorithms, fingerprintable, sslv2: false, quicTransportParams };
}

/** The extensions parseClientHello reads, by type (0: only counted). */
const SERVER_NAME = 1;
const SIGNATURE_ALGORITHMS = 2;
const ALPN = 3;
const SUPPORTED_VERSIONS = 4;
const QUIC_PARAMS = 5;
/** Types below this are in READ (its length as a constant: a typed array's is a native call). */
const READ_TYPES = 58;
const READ = new Uint8Array(READ_TYPES);
READ[0] = SERVER_NAME;
READ[13] = SIGNATURE_ALGORITHMS;
READ[16] = ALPN;
READ[43] = SUPPORTED_VERSIONS;
READ[57] = QUIC_PARAMS; // and 0xffa5, the drafts' number

/** Empty lists of hellos that have none (shared: a ClientHello is never changed). */
const NO_NUMBERS: number[] = [];
const NO_STRINGS: string[] = [];

/** server_name list in `b[start, end)`: type(1) name_len(2) name — the first entry, as nDPI takes it. */
function readServerName(b: Uint8Array, start: number, end: number): string | null {
  if (start + 5 > end) return null;
  var len = (b[start + 3]! << 8) | b[start + 4]!;
  if (start + 5 + len > end) return null;
  return sniText(b, start + 5, start + 5 + len);
}

/** Host name bytes normalised as nDPI stores them (tail kept if longer than a DNS name). */
export function sniText(b: Uint8Array, start: number, end: number): string {
  return normalizeHostBytes(b, end - MAX_HOST > start ? end - MAX_HOST : start, end);
}

/** Up to MAX_LIST 16-bit values from `b[start]`, `byteLen` bytes of them, within `limit`. */
function readU16List(b: Uint8Array, start: number, byteLen: number, limit: number): number[] {
  var out: number[] = [];
  if (byteLen < 0) return out;
  var end = limit < start + byteLen ? limit : start + byteLen;
  var count = (end - start) >> 1;
  if (count > MAX_LIST) count = MAX_LIST;
  for (var n = 0, i = start; n < count; n++, i += 2) out[n] = (b[i]! << 8) | b[i + 1]!;
  return out;
}

/**
 * ALPN lists read before, by their bytes as text: a handful of lists (h2 and http/1.1, h3…)
 * make almost all, and under txiki.js reading one costs several times the lookup. The
 * lists are shared: nothing changes a hello's. Bounded: emptied when full.
 */
const alpnLists = new Map<string, string[]>();
const ALPN_LISTS_MAX = 64;

/**
 * ALPN in `b[start, limit)` (all of `b` by default): list_len(2) then length-prefixed
 * protocol ids; stops at the first that overruns.
 */
export function readAlpn(b: Uint8Array, from?: number, limit?: number): string[] {
  const start = from ?? 0; // no default values: under txiki.js they cost every call
  const size = limit ?? b.length;
  if (start + 2 > size) return [];
  const listLen = (b[start]! << 8) | b[start + 1]!;
  const end = size < start + 2 + listLen ? size : start + 2 + listLen;
  const first = start + 2;
  if (first >= end) return [];
  // One character per byte: the text's offsets are the bytes' less `first`.
  const text = latin1(b, first, end);
  const known = alpnLists.get(text);
  if (known !== undefined) return known;
  const out: string[] = [];
  let o = first;
  let count = 0;
  while (o < end) {
    const n = b[o]!;
    if (o + 1 + n > end) break;
    out[count++] = printable(b, text, o + 1 - first, o + 1, o + 1 + n);
    o += 1 + n;
  }
  if (alpnLists.size >= ALPN_LISTS_MAX) alpnLists.clear();
  alpnLists.set(text, out);
  return out;
}

/**
 * ASCII text with unprintable bytes as '?', as nDPI normalises ALPN strings: `b[start, end)`,
 * which `text` holds from `at` on.
 */
function printable(b: Uint8Array, text: string, at: number, start: number, end: number): string {
  var clean = start;
  while (clean < end && b[clean]! >= 0x20 && b[clean]! <= 0x7e) clean++;
  if (clean === end) return text.slice(at, at + end - start); // the usual case
  var s = '';
  for (var i = start; i < end; i++) {
    var c = b[i]!;
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
