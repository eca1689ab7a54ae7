/**
 * Compiled zoneinfo (TZif) files as zones: RFC 8536 / RFC 9636, versions 1 to 4. With a
 * version 2+ file the 64-bit block and the POSIX TZ footer (which covers every time after
 * the last transition) are used.
 */
import { parsePosixTz } from './posix-tz.js';
import type { TimeZone, ZoneResult } from './zone.js';

interface LocalTimeType {
  readonly offset: number;
  readonly isDst: boolean;
  readonly abbr: string;
}

class TzifZone implements TimeZone {
  constructor(
    readonly name: string,
    /** Transition instants in the file's time scale (seconds; counts leap seconds in right/ zones). */
    private readonly times: Float64Array,
    /** Time type index for each transition. */
    private readonly typeIdx: Uint8Array,
    readonly types: readonly LocalTimeType[],
    /** Rule for instants after the last transition (version 2+ footer), if any. */
    private readonly footer: TimeZone | null,
    /** Leap second records: occurrence (file time) and total correction from then on. */
    private readonly leaps: readonly { occ: number; corr: number }[],
  ) {}

  offsetAt(utcMs: number): number {
    if (!Number.isFinite(utcMs)) return this.types[0]!.offset;
    const ft = this.toFileTime(utcMs / 1000);
    const n = this.times.length;
    if (n === 0) return this.footer ? this.footer.offsetAt(utcMs) : this.types[0]!.offset;
    if (ft < this.times[0]!) return this.types[0]!.offset; // before the first transition: type 0
    if (ft > this.times[n - 1]! && this.footer) return this.footer.offsetAt(utcMs);
    return this.types[this.typeIdx[this.lastAtOrBefore(ft)]!]!.offset;
  }

  nextTransition(utcMs: number): number | null {
    if (!Number.isFinite(utcMs)) return null;
    const current = this.offsetAt(utcMs);
    const ft = this.toFileTime(utcMs / 1000);
    const n = this.times.length;
    // Transitions in the table that change the offset (some only change DST flag or name).
    for (let i = n === 0 || ft < this.times[0]! ? 0 : this.lastAtOrBefore(ft) + 1; i < n; i++) {
      if (this.types[this.typeIdx[i]!]!.offset !== current) return this.fromFileTime(this.times[i]!) * 1000;
    }
    if (!this.footer?.nextTransition) return null;
    const lastMs = n > 0 ? this.fromFileTime(this.times[n - 1]!) * 1000 : -Infinity;
    let from = Math.max(utcMs, lastMs);
    if (n > 0 && utcMs < lastMs && this.footer.offsetAt(lastMs + 1) !== current) return lastMs + 1;
    for (let k = 0; k < 8; k++) {
      const t = this.footer.nextTransition(from);
      if (t === null) return null;
      if (this.footer.offsetAt(t) !== current) return t;
      from = t;
    }
    return null;
  }

  /** Abbreviation in force at an instant (`CEST`), for logs. */
  abbreviationAt(utcMs: number): string {
    const ft = this.toFileTime(utcMs / 1000);
    const n = this.times.length;
    if (n === 0 || ft < this.times[0]!) return this.types[0]!.abbr;
    return this.types[this.typeIdx[this.lastAtOrBefore(ft)]!]!.abbr;
  }

  /** Index of the last transition at or before ft (times[0] <= ft assumed). */
  private lastAtOrBefore(ft: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid]! <= ft) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** POSIX seconds → the file's time scale (adds leap seconds for right/ zones). */
  private toFileTime(posix: number): number {
    let corr = 0;
    for (const l of this.leaps) {
      if (posix + corr >= l.occ) corr = l.corr;
      else break;
    }
    return posix + corr;
  }

  private fromFileTime(ft: number): number {
    let corr = 0;
    for (const l of this.leaps) {
      if (ft >= l.occ) corr = l.corr;
      else break;
    }
    return ft - corr;
  }
}

/** Byte cursor that never reads past the end (sizes are checked before reading). */
function i32(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}
function u32(b: Uint8Array, o: number): number {
  return i32(b, o) >>> 0;
}
/** Signed 64-bit big-endian as a double (exact within ±2^53, which covers every real time). */
function i64(b: Uint8Array, o: number): number {
  return i32(b, o) * 4294967296 + u32(b, o + 4);
}

interface TzifHeader {
  readonly version: number;
  readonly isutcnt: number;
  readonly isstdcnt: number;
  readonly leapcnt: number;
  readonly timecnt: number;
  readonly typecnt: number;
  readonly charcnt: number;
}

const HEADER_LEN = 44;

function readHeader(b: Uint8Array, o: number, fail: (m: string) => { ok: false; error: string }): TzifHeader | { ok: false; error: string } {
  if (b.length < o + HEADER_LEN) return fail(`truncated: header at byte ${o} needs ${HEADER_LEN} bytes, ${Math.max(0, b.length - o)} left`);
  if (b[o] !== 0x54 || b[o + 1] !== 0x5a || b[o + 2] !== 0x69 || b[o + 3] !== 0x66) return fail(`not a TZif file (no "TZif" magic at byte ${o})`);
  const v = b[o + 4]!;
  const version = v === 0 ? 1 : v >= 0x32 && v <= 0x34 ? v - 0x30 : -1;
  if (version < 0) return fail(`unsupported TZif version byte 0x${v.toString(16)} (expected NUL, '2', '3' or '4')`);
  const c = (k: number): number => u32(b, o + 20 + 4 * k);
  return { version, isutcnt: c(0), isstdcnt: c(1), leapcnt: c(2), timecnt: c(3), typecnt: c(4), charcnt: c(5) };
}

function blockLength(h: TzifHeader, timeSize: number): number {
  return h.timecnt * timeSize + h.timecnt + h.typecnt * 6 + h.charcnt + h.leapcnt * (timeSize + 4) + h.isstdcnt + h.isutcnt;
}

/**
 * Parse a compiled zoneinfo (TZif) file. `name` is what the zone is called (the configured
 * `Europe/Berlin`) and prefixes every error. Never throws.
 */
export function parseTzif(bytes: Uint8Array, name: string): ZoneResult {
  const fail = (m: string): { ok: false; error: string } => ({ ok: false, error: `zoneinfo ${name}: ${m}` });
  if (!(bytes instanceof Uint8Array)) return fail('data is not a byte array');
  const h1 = readHeader(bytes, 0, fail);
  if ('ok' in h1) return h1;
  const v1Len = blockLength(h1, 4);
  const v1End = HEADER_LEN + v1Len;
  if (bytes.length < v1End) return fail(`truncated: version 1 data needs ${v1End} bytes, file has ${bytes.length}`);
  if (h1.version === 1) return readBlock(bytes, HEADER_LEN, h1, 4, name, null, fail);

  // Version 2+: skip the 32-bit block, read the second header, the 64-bit block and the footer.
  const h2 = readHeader(bytes, v1End, fail);
  if ('ok' in h2) return h2;
  if (h2.version !== h1.version) return fail(`second header says version ${h2.version}, first says ${h1.version}`);
  const dataStart = v1End + HEADER_LEN;
  const dataEnd = dataStart + blockLength(h2, 8);
  if (bytes.length < dataEnd) return fail(`truncated: 64-bit data needs ${dataEnd} bytes, file has ${bytes.length}`);
  if (bytes[dataEnd] !== 0x0a) return fail(`truncated or corrupt: no footer newline at byte ${dataEnd}`);
  let footEnd = dataEnd + 1;
  while (footEnd < bytes.length && bytes[footEnd] !== 0x0a) footEnd++;
  if (footEnd >= bytes.length) return fail('truncated: footer TZ string has no closing newline');
  let tzString = '';
  for (let i = dataEnd + 1; i < footEnd; i++) {
    const ch = bytes[i]!;
    if (ch < 0x20 || ch > 0x7e) return fail(`footer TZ string has a non-printable byte 0x${ch.toString(16)}`);
    tzString += String.fromCharCode(ch);
  }
  let footer: TimeZone | null = null;
  if (tzString !== '') {
    const p = parsePosixTz(tzString, name);
    if (!p.ok) return fail(`footer: ${p.error}`);
    footer = p.zone;
  }
  return readBlock(bytes, dataStart, h2, 8, name, footer, fail);
}

function readBlock(
  b: Uint8Array,
  start: number,
  h: TzifHeader,
  timeSize: 4 | 8,
  name: string,
  footer: TimeZone | null,
  fail: (m: string) => { ok: false; error: string },
): ZoneResult {
  if (h.typecnt === 0) return fail('no local time types (typecnt is 0)');
  if (h.typecnt > 256) return fail(`typecnt ${h.typecnt} exceeds 256`);
  if (h.charcnt === 0) return fail('no abbreviation characters (charcnt is 0)');
  if (h.isstdcnt !== 0 && h.isstdcnt !== h.typecnt) return fail(`isstdcnt ${h.isstdcnt} is neither 0 nor typecnt ${h.typecnt}`);
  if (h.isutcnt !== 0 && h.isutcnt !== h.typecnt) return fail(`isutcnt ${h.isutcnt} is neither 0 nor typecnt ${h.typecnt}`);
  let o = start;
  const times = new Float64Array(h.timecnt);
  for (let i = 0; i < h.timecnt; i++, o += timeSize) {
    times[i] = timeSize === 8 ? i64(b, o) : i32(b, o);
    if (i > 0 && times[i]! <= times[i - 1]!) return fail(`transition ${i} is not later than transition ${i - 1}`);
  }
  const typeIdx = b.slice(o, o + h.timecnt);
  for (let i = 0; i < h.timecnt; i++) {
    if (typeIdx[i]! >= h.typecnt) return fail(`transition ${i} names time type ${typeIdx[i]}, only ${h.typecnt} exist`);
  }
  o += h.timecnt;
  const charStart = o + h.typecnt * 6;
  const types: LocalTimeType[] = [];
  for (let i = 0; i < h.typecnt; i++, o += 6) {
    const offset = i32(b, o);
    const dst = b[o + 4]!;
    const idx = b[o + 5]!;
    // RFC 8536: -89999 <= utoff <= 93599 (more than -25 h, less than 26 h).
    if (offset < -89999 || offset > 93599) return fail(`time type ${i} has offset ${offset} s, outside -25 h … +26 h`);
    if (dst > 1) return fail(`time type ${i} has DST flag ${dst} (expected 0 or 1)`);
    if (idx >= h.charcnt) return fail(`time type ${i} abbreviation index ${idx} is past the ${h.charcnt} abbreviation bytes`);
    let abbr = '';
    for (let k = charStart + idx; k < charStart + h.charcnt && b[k] !== 0; k++) abbr += String.fromCharCode(b[k]!);
    types.push({ offset, isDst: dst === 1, abbr });
  }
  o = charStart + h.charcnt;
  const leaps: { occ: number; corr: number }[] = [];
  for (let i = 0; i < h.leapcnt; i++, o += timeSize + 4) {
    const occ = timeSize === 8 ? i64(b, o) : i32(b, o);
    const corr = i32(b, o + timeSize);
    if (i > 0 && occ <= leaps[i - 1]!.occ) return fail(`leap second record ${i} is not later than record ${i - 1}`);
    leaps.push({ occ, corr });
  }
  for (let i = 0; i < h.isstdcnt + h.isutcnt; i++) {
    if (b[o + i]! > 1) return fail('standard/wall and UT/local indicators must be 0 or 1');
  }
  return { ok: true, zone: new TzifZone(name, times, typeIdx, types, footer, leaps) };
}
