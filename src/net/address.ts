/**
 * Address text → numbers, for everything that reads addresses: the expression language and
 * the groups file (IPv4/IPv6 addresses, CIDR prefixes, MAC addresses, parsed once so that
 * matching never re-parses a rule), the catalogue's networks and its per-flow lookups (the
 * allocation-free quickIpv4/quickIpv6). Pure functions; bad text gives null (or -1/false),
 * never an exception. Formatting bytes as text is format.ts.
 */

/**
 * An IP address as 32-bit words, most significant first: one word for IPv4, four for
 * IPv6. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are folded to IPv4 so a rule
 * written for `10.0.0.0/8` also covers a dual-stack socket's view of the same host.
 */
export interface IpAddr {
  readonly family: 4 | 6;
  readonly words: readonly number[];
}

/** A prefix: the address with host bits cleared, and its length in bits. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly words: readonly number[];
  readonly length: number;
  /** The literal had bits set beyond the prefix length (`10.1.2.3/8`); they were cleared. */
  readonly hostBitsSet: boolean;
}

const DEC_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!DEC_OCTET.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text forms: `::` compression, an embedded dotted IPv4 tail, an optional `%zone`. */
export function parseIpv6(text: string): number[] | null {
  const pct = text.indexOf('%');
  const s = pct >= 0 ? text.slice(0, pct) : text;
  if (s.length < 2) return null;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const headText = dbl >= 0 ? s.slice(0, dbl) : s;
  const tailText = dbl >= 0 ? s.slice(dbl + 2) : '';
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  const groups: number[] = [];
  const parseList = (list: string[], out: number[], allowV4Tail: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (allowV4Tail && i === list.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === null) return false;
        out.push(v4 >>> 16, v4 & 0xffff);
        continue;
      }
      if (!HEX_GROUP.test(g)) return false;
      out.push(parseInt(g, 16));
    }
    return true;
  };
  const headGroups: number[] = [];
  const tailGroups: number[] = [];
  if (dbl >= 0) {
    if (!parseList(head, headGroups, false) || !parseList(tail, tailGroups, true)) return null;
    const missing = 8 - headGroups.length - tailGroups.length;
    if (missing < 1) return null;
    groups.push(...headGroups);
    for (let i = 0; i < missing; i++) groups.push(0);
    groups.push(...tailGroups);
  } else {
    if (!parseList(head, groups, true)) return null;
    if (groups.length !== 8) return null;
  }
  const words: number[] = [];
  for (let i = 0; i < 4; i++) words.push(((groups[i * 2]! << 16) | groups[i * 2 + 1]!) >>> 0);
  return words;
}

function isV4Mapped(w: readonly number[]): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

/** Any IP text (v4 or v6) → address, null when it is neither. */
export function parseIp(text: string): IpAddr | null {
  if (text.includes(':')) {
    const w = parseIpv6(text);
    if (w === null) return null;
    if (isV4Mapped(w)) return { family: 4, words: [w[3]!] };
    return { family: 6, words: w };
  }
  const v4 = parseIpv4(text);
  return v4 === null ? null : { family: 4, words: [v4] };
}

/** Mask for the top `bits` bits of a 32-bit word (0 ≤ bits ≤ 32). */
function topMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** `addr` or `addr/len`; a bare address is a full-length prefix. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : null;
  let family: 4 | 6;
  let words: number[];
  let offset = 0; // bits a folded IPv4-mapped prefix loses
  if (addrText.includes(':')) {
    const w = parseIpv6(addrText);
    if (w === null) return null;
    family = 6;
    words = w;
  } else {
    const v4 = parseIpv4(addrText);
    if (v4 === null) return null;
    family = 4;
    words = [v4];
  }
  const max = family === 4 ? 32 : 128;
  let length = max;
  if (lenText !== null) {
    if (!/^[0-9]{1,3}$/.test(lenText)) return null;
    length = Number(lenText);
    if (length > max) return null;
  }
  if (family === 6 && isV4Mapped(words) && length >= 96) {
    family = 4;
    words = [words[3]!];
    offset = 96;
  }
  const len = length - offset;
  let hostBitsSet = false;
  const masked = words.map((w, i) => {
    const m = topMask(len - i * 32);
    if ((w & ~m) >>> 0 !== 0) hostBitsSet = true;
    return (w & m) >>> 0;
  });
  return { family, words: masked, length: len, hostBitsSet };
}

/** Canonical text of a prefix (IPv6 uncompressed, lower case) for messages and listings. */
export function cidrText(c: Cidr): string {
  if (c.family === 4) {
    const w = c.words[0]!;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}/${c.length}`;
  }
  const groups: string[] = [];
  for (const w of c.words) groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  return `${groups.join(':')}/${c.length}`;
}

const MAC_TEXT = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(?:\1[0-9a-fA-F]{2}){4}$/;

/** `00:11:22:AA:bb:cc` or `00-11-…` → lower case with colons; null otherwise. */
export function parseMac(text: string): string | null {
  if (!MAC_TEXT.test(text)) return null;
  return text.toLowerCase().replace(/-/g, ':');
}

/**
 * Dotted-quad text → 32-bit value, or -1 for anything else (IPv6, bad text): the common
 * case parsed without regexes or allocation. Leading zeros are refused, as parseIpv4 does.
 */
export function quickIpv4(s: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/**
 * IPv6 text (hex groups, one `::`) → four 32-bit words in `out`; false for anything else,
 * including the forms with a dotted IPv4 tail or a `%zone`, which `parseIp` handles.
 * Hand-rolled because regex-based parsing costs ~0.1 ms an address under QuickJS.
 */
export function quickIpv6(s: string, out: number[]): boolean {
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let n = 0; // groups written
  let gap = -1; // group index where `::` stands
  let value = 0;
  let digits = 0;
  const len = s.length;
  if (len < 2 || len > 39) return false;
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === len) {
      out[0] = out[1] = out[2] = out[3] = 0;
      return true;
    }
  }
  for (; i <= len; i++) {
    const c = i < len ? s.charCodeAt(i) : 58;
    let d = -1;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    if (d >= 0) {
      if (++digits > 4) return false;
      value = value * 16 + d;
      continue;
    }
    if (c !== 58) return false;
    if (digits === 0) {
      // Only `::` (a second colon right after one) may leave a group empty.
      if (i === len) break; // text ended in `::`
      if (gap >= 0 || i === 0 || s.charCodeAt(i - 1) !== 58) return false;
      gap = n;
      continue;
    }
    if (n === 8) return false;
    groups[n++] = value;
    value = 0;
    digits = 0;
    if (i === len - 1) return false; // a single trailing colon
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  if (gap >= 0) {
    const move = n - gap;
    for (let k = 0; k < move; k++) groups[7 - k] = groups[n - 1 - k]!;
    for (let k = gap; k < 8 - move; k++) groups[k] = 0;
  }
  for (let k = 0; k < 4; k++) out[k] = (groups[2 * k]! * 0x10000 + groups[2 * k + 1]!) >>> 0;
  return true;
}

/** A network: four address words (IPv4 in the first) with host bits clear, and the prefix length. */
export interface NetworkPrefix {
  readonly family: 4 | 6;
  readonly words: number[];
  readonly length: number;
}

/**
 * `address/length` as a list of networks writes it (the catalogue's): the length is
 * required and host bits must be clear. The prefix, or the reason it is not one.
 */
export function parseNetworkPrefix(text: string): NetworkPrefix | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'is not an address/length prefix';
  const lenText = text.slice(slash + 1);
  let length = 0;
  for (let i = 0; i < lenText.length; i++) {
    const c = lenText.charCodeAt(i);
    if (c < 48 || c > 57 || i >= 3) return 'is not an address/length prefix';
    length = length * 10 + (c - 48);
  }
  if (lenText.length === 0) return 'is not an address/length prefix';
  const addr = text.slice(0, slash);
  const words = [0, 0, 0, 0];
  let family: 4 | 6;
  const v4 = quickIpv4(addr);
  if (v4 >= 0) {
    family = 4;
    words[0] = v4;
    if (length > 32) return 'is not an address/length prefix';
  } else if (quickIpv6(addr, words)) {
    family = 6;
    if (length > 128) return 'is not an address/length prefix';
  } else {
    return 'is not an address/length prefix';
  }
  for (let i = 0; i < 4; i++) {
    const keep = length - i * 32;
    const mask = keep >= 32 ? 0xffffffff : keep <= 0 ? 0 : (0xffffffff << (32 - keep)) >>> 0;
    if ((words[i]! & ~mask) >>> 0 !== 0) return 'has bits set past its length';
  }
  return { family, words, length };
}

/**
 * Parsing the same flow address for every rule would dominate evaluation, and rules for one
 * flow read the same two strings (local_ip, other_ip) over and over: a tiny cache of the
 * last few parses turns that into string comparisons.
 */
const CACHE_SLOTS = 4;
const cacheKeys: (string | null)[] = [null, null, null, null];
const cacheVals: (IpAddr | null)[] = [null, null, null, null];
let cacheNext = 0;

export function parseIpCached(text: string): IpAddr | null {
  for (let i = 0; i < CACHE_SLOTS; i++) if (cacheKeys[i] === text) return cacheVals[i]!;
  const v = parseIp(text);
  cacheKeys[cacheNext] = text;
  cacheVals[cacheNext] = v;
  cacheNext = (cacheNext + 1) % CACHE_SLOTS;
  return v;
}
