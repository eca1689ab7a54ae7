/**
 * JA4 client fingerprint (FoxIO, https://github.com/FoxIO-LLC/ja4), computed exactly as
 * nDPI computes it so the strings compare equal to nDPI's `JA4`:
 *   a: transport (t/q/d), version (highest of legacy and supported_versions), 'i' when the
 *      SNI is a numeric address else 'd' (nDPI writes 'd' also without SNI), cipher and
 *      extension counts (two digits), and the first two characters of the advertised
 *      ALPN string minus its last character (nDPI's quirk: "h2,http/1.1" → "h2",
 *      "h3" → "h0", "http/1.1" → "ht");
 *   b: sha256 of the sorted cipher list ("%04x" joined by ','), 12 hex digits;
 *   c: sha256 of the sorted extensions without SNI (0) and ALPN (16), then '_' and the
 *      signature algorithms in wire order, 12 hex digits.
 */
import { sha256 } from '../../util/digest.js';
import { BoundedMap } from '../../util/bounded-map.js';
import { encodeUtf8, hex } from '../../util/bytes.js';
import type { ClientHello } from './client-hello.js';
import { isGrease } from './versions.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export type Ja4Transport = 't' | 'q' | 'd';

export function ja4(ch: ClientHello, transport: Ja4Transport): string {
  var version = ch.legacyVersion;
  var versions = ch.supportedVersions;
  for (var i = 0; i < versions.length; i++) {
    var v = versions[i]!;
    if (v > version && !isGrease(v)) version = v;
  }
  var alpn = ch.alpn.join(',');
  // nDPI copies the string and then cuts its last character.
  var a0 = alpn.length >= 2 ? alpn[0]! : '0';
  var a1 = alpn.length >= 3 ? alpn[1]! : '0';
  var head =
    transport +
    versionCode(version) +
    (ch.sni !== null && isNumericAddress(ch.sni) ? 'i' : 'd') +
    twoDigits(ch.ciphers.length) +
    twoDigits(ch.extensions.length) +
    a0 +
    a1;
  var sigs = ch.signatureAlgorithms;
  var b = cachedDigest(ch.ciphers, null);
  var c = cachedDigest(ch.extensions, sigs);
  return `${head}_${b}_${c}`;
}

/**
 * Typed arrays sort numerically in the engine: no comparator calls (an insertion sort in
 * JavaScript cost ~20 µs a hello under txiki.js, some clients offer 60+ ciphers).
 */
function sorted(list: readonly number[]): Uint16Array {
  return new Uint16Array(list).sort();
}

/**
 * The JA4 list hashes repeat across flows (one client, one hello shape): recent ones are
 * kept, keyed by the lists in wire order as text (one UTF-16 unit per 16-bit value, made
 * and hashed natively; equal lists sort equal), so a repeat costs neither the sort, nor
 * the hex text, nor its hash. Bounded: the oldest go first.
 */
const cipherDigests = new BoundedMap<string, string>(1024);
const extensionDigests = new BoundedMap<string, string>(1024);

/** The list as text, one character per value (values are 16-bit). */
function listKey(list: readonly number[]): string {
  return String.fromCharCode.apply(null, list as number[]);
}

/**
 * The digest of `first` sorted (ciphers; `second` null), or of `first` sorted without SNI
 * and ALPN, '_' and `second` (extensions, then signature algorithms).
 */
function cachedDigest(first: readonly number[], second: readonly number[] | null): string {
  var cache = second === null ? cipherDigests : extensionDigests;
  // The first list's length leads: where it ends and the second begins is then unambiguous.
  var key = second === null ? listKey(first) : String.fromCharCode(first.length) + listKey(first) + listKey(second);
  var known = cache.get(key);
  if (known !== undefined) return known;
  var digest = sha12(second === null ? hexList(sorted(first), false) : hexList(sorted(first), true) + (second.length ? '_' + hexList(second, false) : ''));
  cache.touch(key, digest);
  return digest;
}

function versionCode(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002:
    case 0x0200: return 's2';
    case 0x0100: return 's3'; // sic in nDPI
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

function twoDigits(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex16(v: number): string {
  return HEX_BYTE[(v >> 8) & 0xff]! + HEX_BYTE[v & 0xff]!;
}

/** "%04x" of each value joined by ','; `skipSniAlpn` leaves out extensions 0 and 16. */
function hexList(values: ArrayLike<number>, skipSniAlpn: boolean): string {
  var out = '';
  var first = true;
  for (var i = 0; i < values.length; i++) {
    var v = values[i]!;
    if (skipSniAlpn && (v === 0 || v === 0x10)) continue;
    out += first ? hex16(v) : ',' + hex16(v);
    first = false;
  }
  return out;
}

function sha12(s: string): string {
  return hex(sha256(encodeUtf8(s)), 0, 6);
}

/** Dotted IPv4 or IPv6 text (what inet_pton accepts), the case nDPI marks 'i'. */
export function isNumericAddress(s: string): boolean {
  // Host names, nearly every SNI, are told apart without a regular expression (costly in an interpreter).
  if (s.charCodeAt(0) > 0x39 && !s.includes(':')) return false;
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) {
    return s.split('.').every((p) => Number(p) <= 255 && !(p.length > 1 && p[0] === '0'));
  }
  if (!s.includes(':') || !/^[0-9a-f:.]+$/.test(s)) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const parts = [...groups(dbl[0]!), ...(dbl.length === 2 ? groups(dbl[1]!) : [])];
  let count = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === parts.length - 1 && p.includes('.')) {
      if (!isNumericAddress(p) || p.includes(':')) return false;
      count += 2;
    } else if (/^[0-9a-f]{1,4}$/.test(p)) count++;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}
