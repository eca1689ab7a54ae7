/**
 * POSIX TZ strings (`CET-1CEST,M3.5.0,M10.5.0/3`, `<+0330>-3:30`,
 * `AEST-10AEDT,M10.1.0,M4.1.0/3`) as zones, with the RFC 8536 extensions (rule times from
 * -167 to 167 hours, DST all year). Also the footer of a version 2+ TZif file.
 */
import { daysFromCivil, isLeap, monthLength, MS_PER_DAY, weekdayOfDay, yearOfDay } from './civil-time.js';
import type { TimeZone, ZoneResult } from './zone.js';

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
