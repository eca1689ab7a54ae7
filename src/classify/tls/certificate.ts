/**
 * The server certificate of a TLS ≤ 1.2 (or DTLS) handshake, read far enough for the names
 * nDPI reports: issuer and subject DN ("C=US, O=…, CN=…", only C/ST/L/O/OU/CN, values cut
 * to 63 chars, unprintable values left out), the subject CN, and the subjectAltName
 * entries (DNS names lower-cased, addresses as text). A minimal DER walk, bounds-checked.
 */
import { sha1 } from '../../util/digest.js';
import { ipv4Text, ipv6Text } from '../../net/format.js';
import { BoundedMap } from '../../util/bounded-map.js';
import { latin1, u24be } from '../../util/bytes.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface ServerCertificate {
  readonly issuerDn: string | null;
  readonly subjectDn: string | null;
  /** The subject's common name (the last CN, as in the DN string). */
  readonly subjectCn: string | null;
  /** subjectAltName DNS names and addresses, in order. */
  readonly altNames: readonly string[];
  /** SHA-1 of the certificate, as nDPI prints it: "CA:06:F5:…". */
  readonly sha1: string;
}

interface Tlv {
  readonly tag: number;
  /** Offset of the value. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
}

/** One DER element at `o`, or null if it does not fit inside `limit`. */
function tlv(b: Uint8Array, o: number, limit: number): Tlv | null {
  if (o + 2 > limit) return null;
  var tag = b[o]!;
  var len = b[o + 1]!;
  var p = o + 2;
  if (len & 0x80) {
    var n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > limit) return null;
    len = 0;
    for (var i = 0; i < n; i++) len = len * 256 + b[p + i]!;
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, start: p, end: p + len };
}

/** Children of a constructed element. */
function children(b: Uint8Array, parent: Tlv): Tlv[] {
  var out: Tlv[] = [];
  for (var o = parent.start; o < parent.end; ) {
    var t = tlv(b, o, parent.end);
    if (!t) break;
    out.push(t);
    o = t.end;
  }
  return out;
}

const DN_LABELS: { readonly [oidLastByte: number]: string } = { 3: 'CN', 6: 'C', 7: 'L', 8: 'ST', 10: 'O', 11: 'OU' };

/** Name → nDPI's DN string and the last CN. */
function readName(b: Uint8Array, name: Tlv): { dn: string | null; cn: string | null } {
  const parts: string[] = [];
  let cn: string | null = null;
  for (const set of children(b, name)) {
    for (const atv of children(b, set)) {
      const [oid, value] = children(b, atv);
      if (!oid || !value || oid.tag !== 0x06 || oid.end - oid.start !== 3) continue;
      if (b[oid.start] !== 0x55 || b[oid.start + 1] !== 0x04) continue;
      const label = DN_LABELS[b[oid.start + 2]!];
      if (!label) continue;
      const text = dnValue(b, value.start, value.end);
      if (text === null) continue;
      parts.push(`${label}=${text}`);
      if (label === 'CN') cn = text;
    }
  }
  return { dn: parts.length ? parts.join(', ') : null, cn };
}

/** Up to 63 bytes, up to a NUL; null when any byte is unprintable (nDPI drops those). */
function dnValue(b: Uint8Array, start: number, end: number): string | null {
  var e = Math.min(end, start + 63);
  var s = '';
  for (var i = start; i < e; i++) {
    var c = b[i]!;
    if (c === 0) break;
    if (c < 0x20 || c > 0x7e) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

function altNames(b: Uint8Array, octets: Tlv): string[] {
  var out: string[] = [];
  var seq = tlv(b, octets.start, octets.end);
  if (!seq || seq.tag !== 0x30) return out;
  for (var g of children(b, seq)) {
    var len = g.end - g.start;
    if (g.tag === 0x82 || g.tag === 0x81) {
      if (len > 0) out.push(latin1(b, g.start, g.end).toLowerCase());
    } else if (g.tag === 0x87) {
      if (len === 4) out.push(ipv4Text(b, g.start));
      else if (len === 16) out.push(ipv6Text(b, g.start));
    }
  }
  return out;
}

/**
 * Servers hand the same certificate to every connection: recent results are kept by the
 * certificate's SHA-1, which its record needs anyway (one native call under txiki.js and
 * Node), so a repeat costs neither the DER walk nor a byte-by-byte comparison. Bounded:
 * the oldest go first.
 */
const recentCertificates = new BoundedMap<string, ServerCertificate | null>(64);

/** Parse one DER certificate. */
export function parseCertificate(der: Uint8Array): ServerCertificate | null {
  var outer = tlv(der, 0, der.length);
  if (!outer || outer.tag !== 0x30) return null;
  var fp = fingerprint(sha1(der.subarray(0, outer.end)));
  var cert = recentCertificates.get(fp);
  if (cert === undefined) {
    cert = readCertificate(der, outer, fp);
    recentCertificates.touch(fp, cert);
  }
  return cert && { ...cert, altNames: [...cert.altNames] };
}

const HEX_UPPER: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase());

/** "CA:06:F5:…", as nDPI prints a fingerprint. */
function fingerprint(digest: Uint8Array): string {
  let out = HEX_UPPER[digest[0]!]!;
  for (let i = 1, n = digest.length; i < n; i++) out += ':' + HEX_UPPER[digest[i]!]!;
  return out;
}

/** The fields of the certificate `cert` (the outer SEQUENCE at the start of `der`). */
function readCertificate(der: Uint8Array, cert: Tlv, fp: string): ServerCertificate | null {
  var tbs = tlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return null;
  var f = children(der, tbs);
  var i = 0;
  if (f[0]?.tag === 0xa0) i++; // explicit version
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  var issuer = f[i + 2];
  var subject = f[i + 4];
  if (!issuer || !subject || issuer.tag !== 0x30 || subject.tag !== 0x30) return null;
  var iss = readName(der, issuer);
  var sub = readName(der, subject);
  var names: string[] = [];
  var extsWrap = f.slice(i + 6).find((t) => t.tag === 0xa3);
  var exts = extsWrap ? tlv(der, extsWrap.start, extsWrap.end) : null;
  if (exts && exts.tag === 0x30) {
    for (var ext of children(der, exts)) {
      var parts = children(der, ext);
      var oid = parts[0];
      var value = parts[parts.length - 1];
      if (!oid || !value || oid.tag !== 0x06 || value.tag !== 0x04) continue;
      if (oid.end - oid.start === 3 && der[oid.start] === 0x55 && der[oid.start + 1] === 0x1d && der[oid.start + 2] === 0x11) {
        names = altNames(der, value);
      }
    }
  }
  return { issuerDn: iss.dn, subjectDn: sub.dn, subjectCn: sub.cn, altNames: names, sha1: fp };
}

/**
 * The first (server) certificate of a Certificate handshake message; `msg` starts at the
 * handshake header (12 bytes for DTLS). TLS 1.3 certificates are encrypted and never
 * reach here.
 */
export function parseCertificateMessage(msg: Uint8Array, dtls?: boolean): ServerCertificate | null {
  if (msg.length < 4 || msg[0] !== 0x0b) return null;
  var h = dtls ? 12 : 4;
  var listLen = u24be(msg, h);
  var certLen = u24be(msg, h + 3);
  if (listLen < 0 || certLen <= 0 || certLen + 3 > listLen) return null;
  var start = h + 6;
  if (start + certLen > msg.length) return null;
  return parseCertificate(msg.subarray(start, start + certLen));
}
