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
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeUtf8, hex } from '../../util/bytes.js';
import type { ClientHello } from './client-hello.js';
import { isGrease } from './versions.js';

export type Ja4Transport = 't' | 'q' | 'd';

export function ja4(ch: ClientHello, transport: Ja4Transport): string {
  let version = ch.legacyVersion;
  for (const v of ch.supportedVersions) if (!isGrease(v) && v > version) version = v;
  const alpn = ch.alpn.join(',');
  // nDPI copies the string and then cuts its last character.
  const a0 = alpn.length >= 2 ? alpn[0]! : '0';
  const a1 = alpn.length >= 3 ? alpn[1]! : '0';
  const head =
    transport +
    versionCode(version) +
    (ch.sni !== null && isNumericAddress(ch.sni) ? 'i' : 'd') +
    twoDigits(ch.ciphers.length) +
    twoDigits(ch.extensions.length) +
    a0 +
    a1;
  const ciphers = [...ch.ciphers].sort((x, y) => x - y).map(hex16).join(',');
  const exts = [...ch.extensions]
    .sort((x, y) => x - y)
    .filter((e) => e !== 0 && e !== 0x10)
    .map(hex16)
    .join(',');
  const sigs = ch.signatureAlgorithms.length ? '_' + ch.signatureAlgorithms.map(hex16).join(',') : '';
  return `${head}_${sha12(ciphers)}_${sha12(exts + sigs)}`;
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

function hex16(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/**
 * Hashes of cipher and extension lists repeat across flows (one client, one hello shape),
 * so recent results are kept: a bounded map, cleared when full.
 */
const sha12Cache = new Map<string, string>();
const SHA12_CACHE_MAX = 1024;

function sha12(s: string): string {
  const hit = sha12Cache.get(s);
  if (hit !== undefined) return hit;
  const h = hex(sha256(encodeUtf8(s)), 0, 6);
  if (sha12Cache.size >= SHA12_CACHE_MAX) sha12Cache.clear();
  sha12Cache.set(s, h);
  return h;
}

/** Dotted IPv4 or IPv6 text (what inet_pton accepts), the case nDPI marks 'i'. */
export function isNumericAddress(s: string): boolean {
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
