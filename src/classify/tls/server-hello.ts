/** ServerHello parsing: the negotiated version, cipher suite and ALPN. */
import { u16be, u24be } from '../../util/bytes.js';
import { readAlpn } from './client-hello.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface ServerHello {
  /** legacy_version field. */
  readonly legacyVersion: number;
  /** The version in force: supported_versions' choice (TLS 1.3) or else legacy_version. */
  readonly version: number;
  readonly cipher: number;
  /** The protocol the server picked, or null. */
  readonly alpn: string | null;
}

/** `msg` starts at the handshake header (type 2); DTLS headers are 12 bytes. */
export function parseServerHello(msg: Uint8Array, dtls?: boolean): ServerHello | null {
  var size = msg.length; // read once: a native call under txiki.js, as is Math.min
  if (size < 4 || msg[0] !== 0x02 || msg[1] !== 0) return null;
  var headerLen = dtls ? 12 : 4;
  var declared = headerLen + u24be(msg, 1);
  var end = size < declared ? size : declared;
  var o = headerLen;
  var legacyVersion = u16be(msg, o);
  if (legacyVersion < 0 || (legacyVersion >> 8 !== 0x03 && legacyVersion >> 8 !== 0xfe && legacyVersion >> 8 !== 0x7f)) return null;
  o += 2 + 32;
  if (o >= end) return null;
  // Early TLS 1.3 drafts (before 0x7f15) had no session id here.
  if (dtls || legacyVersion < 0x7f15) o += 1 + msg[o]!;
  var cipher = u16be(msg, o);
  if (cipher < 0 || o + 2 > end) return null;
  o += 3; // cipher + compression method
  var version = legacyVersion;
  var alpn: string | null = null;
  var extLen = u16be(msg, o);
  if (extLen > 0 && o + 2 <= end) {
    var extEnd = end < o + 2 + extLen ? end : o + 2 + extLen;
    o += 2;
    while (o + 4 <= extEnd) {
      // Read inline, a view made only for ALPN: a call and an object per extension add up under txiki.js.
      var type = (msg[o]! << 8) | msg[o + 1]!;
      var len = (msg[o + 2]! << 8) | msg[o + 3]!;
      if (o + 4 + len > extEnd) break;
      if (type === 43 && len >= 2) version = (msg[o + 4]! << 8) | msg[o + 5]!;
      else if (type === 16) alpn = readAlpn(msg.subarray(o + 4, o + 4 + len)).join(',') || null;
      o += 4 + len;
    }
  }
  return { legacyVersion, version, cipher, alpn };
}
