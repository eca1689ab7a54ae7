/**
 * Time zones for time-of-day policy windows, without the host's time-zone support:
 * QuickJS-ng has no Intl, and an OpenWrt router often has no zoneinfo files at all, only a
 * POSIX TZ string (in /etc/TZ or UCI `system.@system[0].timezone`).
 *
 *   - `parseTzif(bytes, name)` reads a compiled zoneinfo file (RFC 8536 / RFC 9636,
 *     versions 1 to 4). With a version 2+ file the 64-bit block and the POSIX TZ footer
 *     (which covers every time after the last transition) are used.
 *   - `parsePosixTz(text)` reads a POSIX TZ string on its own (`CET-1CEST,M3.5.0,M10.5.0/3`,
 *     `<+0330>-3:30`, `AEST-10AEDT,M10.1.0,M4.1.0/3`), with the RFC 8536 extensions
 *     (rule times from -167 to 167 hours, DST all year).
 *
 * Both return `{ ok: false, error }` on bad input and never throw. Reading files is the
 * caller's job (`zoneinfoPath` checks a configured zone name before it becomes a path).
 */

/** A time zone: the UTC offset in force at any instant. */
export interface TimeZone {
  /** Zone name (`Europe/Berlin`) or the POSIX TZ string the zone came from. */
  readonly name: string;
  /** Offset from UTC in seconds east (Berlin in summer: 7200) at a UTC instant in ms. */
  offsetAt(utcMs: number): number;
  /**
   * First instant (UTC ms) after `utcMs` at which `offsetAt` gives a different value, or
   * null when the offset never changes again. Optional: time-of-day code falls back to
   * searching with `offsetAt` for zones that lack it.
   */
  nextTransition?(utcMs: number): number | null;
}

export type ZoneResult = { readonly ok: true; readonly zone: TimeZone } | { readonly ok: false; readonly error: string };

const MS_PER_DAY = 86_400_000;

/** The zone used when nothing is configured and nothing can be read. */
export const UTC_ZONE: TimeZone = {
  name: 'UTC',
  offsetAt: () => 0,
  nextTransition: () => null,
};

/** A zone with one constant offset (seconds east). */
export function fixedOffsetZone(offsetSeconds: number, name = formatOffsetName(offsetSeconds)): TimeZone {
  return { name, offsetAt: () => offsetSeconds, nextTransition: () => null };
}

function formatOffsetName(sec: number): string {
  const sign = sec < 0 ? '-' : '+';
  const a = Math.abs(sec);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = String(Math.floor((a % 3600) / 60)).padStart(2, '0');
  const ss = a % 60;
  return `UTC${sign}${hh}:${mm}${ss ? ':' + String(ss).padStart(2, '0') : ''}`;
}

// ------------------------------------------------------------------ calendar arithmetic

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's algorithm: exact for any year, no Date object needed.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Year of a day number (days since 1970-01-01). */
function yearOfDay(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function monthLength(y: number, m: number): number {
  return m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1]!;
}

/** 0 = Sunday … 6 = Saturday, for a day number. */
export function weekdayOfDay(days: number): number {
  return (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

// ------------------------------------------------------------------ POSIX TZ strings

/** When in a year a POSIX rule switches, and at what local time (seconds, may exceed a day). */
type RuleDate =
  | { readonly kind: 'julian1'; readonly day: number } // Jn: 1–365, 29 February never counted
  | { readonly kind: 'julian0'; readonly day: number } // n: 0–365, 29 February counted
  | { readonly kind: 'month'; readonly month: number; readonly week: number; readonly weekday: number };

interface RuleSwitch {
  readonly date: RuleDate;
  /** Local wall time of the switch, seconds after the day's midnight (RFC 8536: ±167 h). */
  readonly time: number;
}

/** A parsed POSIX TZ string, offsets in seconds east. */
export interface PosixTzSpec {
  readonly stdAbbr: string;
  readonly stdOffset: number;
  readonly dst: null | {
    readonly abbr: string;
    readonly offset: number;
    readonly start: RuleSwitch;
    readonly end: RuleSwitch;
    /** True when the string named a DST zone but no rule (the US rule is assumed). */
    readonly defaultRule: boolean;
  };
}

/** One offset change: at `at` (UTC ms) the offset becomes `offset`. */
interface ZoneEvent {
  readonly at: number;
  readonly offset: number;
}

class PosixZone implements TimeZone {
  private cachedYear = NaN;
  private cachedEvents: readonly ZoneEvent[] = [];

  constructor(
    readonly name: string,
    readonly spec: PosixTzSpec,
  ) {}

  offsetAt(utcMs: number): number {
    const dst = this.spec.dst;
    if (dst === null || !Number.isFinite(utcMs)) return this.spec.stdOffset;
    const events = this.eventsAround(yearOfDay(Math.floor(utcMs / MS_PER_DAY)));
    let offset = this.spec.stdOffset;
    for (const e of events) {
      if (e.at > utcMs) break;
      offset = e.offset;
    }
    return offset;
  }

  nextTransition(utcMs: number): number | null {
    if (this.spec.dst === null || !Number.isFinite(utcMs)) return null;
    let current = this.offsetAt(utcMs);
    const year = yearOfDay(Math.floor(utcMs / MS_PER_DAY));
    // Three years ahead always holds the next change of a zone that has one. Events of the
    // year after that are listed only so that a year's end can meet the next year's start
    // (DST all year); nothing from that last year is reported.
    const events = [...this.eventsAround(year), ...this.yearEvents(year + 2), ...this.yearEvents(year + 3), ...this.yearEvents(year + 4)].sort(byEvent);
    // Rule times reach ±167 h, so a year's switches can fall a week into the neighbours.
    const horizon = (daysFromCivil(year + 4, 1, 1) - 8) * MS_PER_DAY;
    for (let i = 0; i < events.length; ) {
      const at = events[i]!.at;
      if (at >= horizon) break;
      let after = current;
      // Events at one instant (DST all year: one year's end meets the next year's start)
      // are applied together, so they only count when the result differs.
      while (i < events.length && events[i]!.at === at) after = events[i++]!.offset;
      if (at <= utcMs) {
        current = after;
        continue;
      }
      if (after !== current) return at;
    }
    return null;
  }

  /** Offset changes of years y-1, y, y+1 in time order (cached for the last year asked). */
  private eventsAround(y: number): readonly ZoneEvent[] {
    if (y !== this.cachedYear) {
      this.cachedEvents = [...this.yearEvents(y - 1), ...this.yearEvents(y), ...this.yearEvents(y + 1)].sort(byEvent);
      this.cachedYear = y;
    }
    return this.cachedEvents;
  }

  private yearEvents(y: number): ZoneEvent[] {
    const dst = this.spec.dst;
    if (dst === null) return [];
    // The start is written in standard time, the end in daylight time (POSIX).
    const start = (ruleDay(y, dst.start.date) * 86400 + dst.start.time - this.spec.stdOffset) * 1000;
    const end = (ruleDay(y, dst.end.date) * 86400 + dst.end.time - dst.offset) * 1000;
    return [
      { at: start, offset: dst.offset },
      { at: end, offset: this.spec.stdOffset },
    ];
  }
}

/**
 * Time order. The sort is stable and events are listed year by year, start before end, so
 * at one instant a year's end precedes the next year's start (DST all year stays DST).
 */
function byEvent(a: ZoneEvent, b: ZoneEvent): number {
  return a.at - b.at;
}

/** Day number (days since 1970-01-01) a rule date falls on in year y. */
function ruleDay(y: number, d: RuleDate): number {
  const jan1 = daysFromCivil(y, 1, 1);
  switch (d.kind) {
    case 'julian0':
      return jan1 + d.day;
    case 'julian1':
      return jan1 + d.day - 1 + (isLeap(y) && d.day >= 60 ? 1 : 0);
    case 'month': {
      const first = daysFromCivil(y, d.month, 1);
      let dom = 1 + ((d.weekday - weekdayOfDay(first) + 7) % 7) + (d.week - 1) * 7;
      const len = monthLength(y, d.month);
      while (dom > len) dom -= 7; // week 5 means "last"
      return first + dom - 1;
    }
  }
}

/** Cursor over a TZ string; every reader returns null and records an error on failure. */
class TzReader {
  pos = 0;
  error = '';
  constructor(readonly s: string) {}

  fail(message: string): null {
    if (!this.error) this.error = `column ${this.pos + 1}: ${message}`;
    return null;
  }

  peek(): string {
    return this.s[this.pos] ?? '';
  }

  /** Zone abbreviation: 3+ letters, or `<…>` with letters, digits, `+` and `-`. */
  name(what: string): string | null {
    if (this.peek() === '<') {
      const close = this.s.indexOf('>', this.pos);
      if (close < 0) return this.fail(`${what} abbreviation opened with '<' is never closed`);
      const inner = this.s.slice(this.pos + 1, close);
      if (!/^[A-Za-z0-9+-]{3,}$/.test(inner)) return this.fail(`${what} abbreviation <${inner}> must be 3 or more letters, digits, '+' or '-'`);
      this.pos = close + 1;
      return inner;
    }
    const m = /^[A-Za-z]+/.exec(this.s.slice(this.pos));
    if (!m || m[0].length < 3) return this.fail(`expected ${what} abbreviation (3 or more letters, or <+0330> form)`);
    this.pos += m[0].length;
    return m[0];
  }

  /** `[+-]h[h…][:mm[:ss]]` in seconds; hours up to maxHours. */
  duration(what: string, maxHours: number): number | null {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2})(?::(\d{1,2}))?)?/.exec(this.s.slice(this.pos));
    if (!m) return this.fail(`expected ${what} as [+-]hh[:mm[:ss]]`);
    const h = Number(m[2]);
    const mi = m[3] === undefined ? 0 : Number(m[3]);
    const se = m[4] === undefined ? 0 : Number(m[4]);
    if (h > maxHours || mi > 59 || se > 59) return this.fail(`${what} ${m[0]} out of range (hours 0–${maxHours}, minutes and seconds 0–59)`);
    this.pos += m[0].length;
    const v = h * 3600 + mi * 60 + se;
    return m[1] === '-' ? -v : v;
  }

  ruleSwitch(what: string): RuleSwitch | null {
    let date: RuleDate | null = null;
    const rest = this.s.slice(this.pos);
    let m: RegExpExecArray | null;
    if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) {
      const month = Number(m[1]);
      const week = Number(m[2]);
      const weekday = Number(m[3]);
      if (month < 1 || month > 12 || week < 1 || week > 5 || weekday > 6) {
        return this.fail(`${what} ${m[0]}: expected Mm.w.d with month 1–12, week 1–5, day 0–6 (0 = Sunday)`);
      }
      date = { kind: 'month', month, week, weekday };
    } else if ((m = /^J(\d{1,3})/.exec(rest))) {
      const day = Number(m[1]);
      if (day < 1 || day > 365) return this.fail(`${what} ${m[0]}: Julian day must be 1–365`);
      date = { kind: 'julian1', day };
    } else if ((m = /^(\d{1,3})/.exec(rest))) {
      const day = Number(m[1]);
      if (day > 365) return this.fail(`${what} ${m[0]}: day of year must be 0–365`);
      date = { kind: 'julian0', day };
    } else {
      return this.fail(`expected ${what} date as Mm.w.d, Jn or n`);
    }
    this.pos += m[0].length;
    let time = 7200; // 02:00:00 local when no time is given
    if (this.peek() === '/') {
      this.pos++;
      const t = this.duration(`${what} time`, 167);
      if (t === null) return null;
      time = t;
    }
    return { date, time };
  }
}

/** The rule assumed for `EST5EDT`-style strings without one (as glibc and tzcode do). */
const DEFAULT_RULE = { start: 'M3.2.0', end: 'M11.1.0' };

/** Parse a POSIX TZ string into its parts; see `parsePosixTz` for a ready zone. */
export function parsePosixTzSpec(text: unknown): { ok: true; spec: PosixTzSpec } | { ok: false; error: string } {
  if (typeof text !== 'string') return { ok: false, error: 'POSIX TZ string must be a string' };
  const s = text.trim();
  const bad = (msg: string): { ok: false; error: string } => ({ ok: false, error: `POSIX TZ ${JSON.stringify(text)}: ${msg}` });
  if (s === '') return bad('empty');
  if (s.startsWith(':')) return bad("a leading ':' names a zoneinfo file, not a rule");
  // OpenWrt's default `option timezone 'UTC'` has no offset; libc reads it as UTC.
  if (/^(UTC|GMT|UCT)$/i.test(s)) return { ok: true, spec: { stdAbbr: s.toUpperCase(), stdOffset: 0, dst: null } };
  const r = new TzReader(s);
  const stdAbbr = r.name('standard-time');
  if (stdAbbr === null) return bad(r.error);
  const stdWest = r.duration('standard-time offset', 24);
  if (stdWest === null) return bad(r.error);
  const stdOffset = -stdWest; // POSIX offsets count west of Greenwich
  if (r.pos === s.length) return { ok: true, spec: { stdAbbr, stdOffset, dst: null } };
  const dstAbbr = r.name('daylight-time');
  if (dstAbbr === null) return bad(r.error);
  let dstOffset = stdOffset + 3600;
  const c = r.peek();
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    const w = r.duration('daylight-time offset', 24);
    if (w === null) return bad(r.error);
    dstOffset = -w;
  }
  let start: RuleSwitch | null;
  let end: RuleSwitch | null;
  let defaultRule = false;
  if (r.peek() === ',') {
    r.pos++;
    start = r.ruleSwitch('DST start');
    if (start === null) return bad(r.error);
    if (r.peek() !== ',') {
      r.fail("expected ',' and the DST end date");
      return bad(r.error);
    }
    r.pos++;
    end = r.ruleSwitch('DST end');
    if (end === null) return bad(r.error);
  } else {
    defaultRule = true;
    start = new TzReader(DEFAULT_RULE.start).ruleSwitch('DST start');
    end = new TzReader(DEFAULT_RULE.end).ruleSwitch('DST end');
    if (start === null || end === null) return bad('internal: default rule');
  }
  if (r.pos !== s.length) return bad(`column ${r.pos + 1}: unexpected ${JSON.stringify(s.slice(r.pos, r.pos + 10))}`);
  return { ok: true, spec: { stdAbbr, stdOffset, dst: { abbr: dstAbbr, offset: dstOffset, start, end, defaultRule } } };
}

/**
 * A zone from a POSIX TZ string (OpenWrt's /etc/TZ, UCI `system.timezone`, a TZif footer).
 * The zone's name is the string itself unless `name` is given.
 */
export function parsePosixTz(text: unknown, name?: string): ZoneResult {
  const p = parsePosixTzSpec(text);
  if (!p.ok) return p;
  return { ok: true, zone: new PosixZone(name ?? String(text).trim(), p.spec) };
}

// ------------------------------------------------------------------ TZif files

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

// ------------------------------------------------------------------ naming zones

/**
 * The file path for a configured zone name (`America/Toronto` →
 * `/usr/share/zoneinfo/America/Toronto`), or an error for names that could escape the
 * zoneinfo directory or are not zone names at all.
 */
export function zoneinfoPath(name: unknown, root = '/usr/share/zoneinfo'): { ok: true; path: string } | { ok: false; error: string } {
  if (typeof name !== 'string' || name === '') return { ok: false, error: 'timezone must be a non-empty string such as "America/Toronto"' };
  const parts = name.split('/');
  if (name.length > 255 || parts.some((p) => p === '' || p === '.' || p === '..' || !/^[A-Za-z0-9_+.-]+$/.test(p))) {
    return { ok: false, error: `timezone ${JSON.stringify(name)} is not a zoneinfo name (expected Area/Location such as "America/Toronto")` };
  }
  return { ok: true, path: `${root.replace(/\/+$/, '')}/${name}` };
}

/** True when a configured string is a POSIX TZ rule rather than a zone name (OpenWrt's `system.timezone`). */
export function looksLikePosixTz(text: string): boolean {
  const s = text.trim();
  return /^(<[A-Za-z0-9+-]{3,}>|[A-Za-z]{3,})[+-]?\d/.test(s);
}
