/**
 * Time-of-day windows for policy actions (Netify Flow Actions `time_of_day`). See
 * docs/time-of-day.md for the full rules; in short:
 *
 *   - A window is `[days] start–end` in the zone's local wall-clock time, half open
 *     (`09:00–17:00` is active from 09:00:00 up to, not including, 17:00:00).
 *   - A window whose end is not after its start crosses midnight and belongs to the day it
 *     starts on: `fri 22:00–06:00` runs from Friday 22:00 to Saturday 06:00. Start equal to
 *     end is a full 24 hours from the start; `24:00` may end a window.
 *   - `inclusive` windows say when the action applies, `exclusive` windows when it does not:
 *     active = (inside any inclusive window, or there are none) and inside no exclusive window.
 *   - Wall-clock time decides: a window inside a skipped DST hour never happens, a window in
 *     a repeated hour is active both times.
 *
 * Accepted input: the seed's JSON (an array of `{day, time_start, time_end, policy}` or one
 * such object), or text for UCI (`list time_of_day 'mon-fri 09:00-17:00'`, one window per
 * entry: `[days] [start-end] [inclusive|exclusive]`).
 */
import { weekdayOfDay } from './civil-time.js';
import type { TimeZone } from './zone.js';

export type TimePolicy = 'inclusive' | 'exclusive';

/** One window, normalised. */
export interface TimeWindow {
  /** Bit d set = window may start on weekday d (0 = Sunday … 6 = Saturday). */
  readonly days: number;
  /** Start, seconds after local midnight (0–86399). */
  readonly start: number;
  /** Length in seconds (1–86400); start + length past 86400 runs into the next day. */
  readonly length: number;
  readonly policy: TimePolicy;
}

export interface TimeOfDaySchedule {
  /** No windows at all: always active. */
  readonly windows: readonly TimeWindow[];
}

export type TimeOfDayResult =
  | { readonly ok: true; readonly schedule: TimeOfDaySchedule }
  | { readonly ok: false; readonly error: string };

const DAY_S = 86_400;
const DAY_MS = 86_400_000;
const ALL_DAYS = 0x7f;

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAYS_HELP = 'mon, tue, wed, thu, fri, sat, sun (or a range such as mon-fri)';
const TIME_HELP = 'hh:mm or hh:mm:ss, 00:00 to 23:59:59 (24:00 allowed as an end)';
const TEXT_HELP = "'[days] [hh:mm-hh:mm] [inclusive|exclusive]', e.g. 'mon-fri 09:00-17:00'";
const JSON_KEYS = ['day', 'time_start', 'time_end', 'policy'];

// ------------------------------------------------------------------ parsing

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function err(where: string, message: string): { ok: false; error: string } {
  return { ok: false, error: `${where}: ${message}` };
}

function dayIndex(name: string): number {
  const n = name.toLowerCase();
  const i = DAY_NAMES.indexOf(n as (typeof DAY_NAMES)[number]);
  return i >= 0 ? i : FULL_DAY_NAMES.indexOf(n);
}

/** One day token: `mon`, `monday`, a range `mon-fri` (wrapping: `fri-mon`), or `*`. */
function parseDayToken(token: string, where: string): Parsed<number> {
  const t = token.trim();
  if (t === '*') return { ok: true, value: ALL_DAYS };
  const dash = t.indexOf('-');
  if (dash < 0) {
    const d = dayIndex(t);
    if (d < 0) return err(where, `${JSON.stringify(token)} is not a day; expected ${DAYS_HELP}`);
    return { ok: true, value: 1 << d };
  }
  const a = dayIndex(t.slice(0, dash));
  const b = dayIndex(t.slice(dash + 1));
  if (a < 0 || b < 0) return err(where, `${JSON.stringify(token)} is not a day range; expected ${DAYS_HELP}`);
  let mask = 0;
  for (let d = a; ; d = (d + 1) % 7) {
    mask |= 1 << d;
    if (d === b) break;
  }
  return { ok: true, value: mask };
}

/** `day` as JSON: array of day tokens, or one string of comma-separated tokens; null = every day. */
function parseDays(value: unknown, where: string): Parsed<number> {
  if (value === undefined || value === null) return { ok: true, value: ALL_DAYS };
  let tokens: unknown[];
  if (typeof value === 'string') tokens = value.split(',');
  else if (Array.isArray(value)) tokens = value;
  else return err(where, `expected an array of days (${DAYS_HELP}), got ${describe(value)}`);
  if (tokens.length === 0) return err(where, 'empty list of days; leave "day" out to mean every day');
  let mask = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const w = Array.isArray(value) ? `${where}[${i}]` : where;
    if (typeof tok !== 'string') return err(w, `expected a day name (${DAYS_HELP}), got ${describe(tok)}`);
    const d = parseDayToken(tok, w);
    if (!d.ok) return d;
    mask |= d.value;
  }
  return { ok: true, value: mask };
}

/** `h:mm`, `hh:mm` or `hh:mm:ss` → seconds after midnight; `24:00[:00]` only when allowed. */
function parseClock(value: unknown, where: string, allow24: boolean): Parsed<number> {
  if (typeof value !== 'string') return err(where, `expected a time as ${TIME_HELP}, got ${describe(value)}`);
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(value);
  if (!m) return err(where, `${JSON.stringify(value)} is not a time; expected ${TIME_HELP}`);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h === 24 && mi === 0 && s === 0) {
    if (allow24) return { ok: true, value: DAY_S };
    return err(where, `${JSON.stringify(value)}: 24:00 can only end a window; start at 00:00 instead`);
  }
  if (h > 23 || mi > 59 || s > 59) return err(where, `${JSON.stringify(value)} is out of range; expected ${TIME_HELP}`);
  return { ok: true, value: h * 3600 + mi * 60 + s };
}

function parsePolicy(value: unknown, where: string): Parsed<TimePolicy> {
  if (value === undefined || value === null) return { ok: true, value: 'inclusive' };
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'inclusive' || v === 'exclusive') return { ok: true, value: v };
  }
  return err(where, `${describe(value)} is not a policy; expected "inclusive" or "exclusive"`);
}

function makeWindow(days: number, start: number, end: number, policy: TimePolicy): TimeWindow {
  // end <= start: the window runs past midnight (equal: a full day from start).
  const length = end > start ? end - start : end + DAY_S - start;
  return { days, start, length, policy };
}

function parseJsonWindow(obj: Record<string, unknown>, where: string): Parsed<TimeWindow> {
  for (const k of Object.keys(obj)) {
    if (!JSON_KEYS.includes(k)) return err(where, `unknown property ${JSON.stringify(k)}; expected ${JSON_KEYS.join(', ')}`);
  }
  const days = parseDays(obj.day, `${where}.day`);
  if (!days.ok) return days;
  const start = obj.time_start === undefined ? { ok: true as const, value: 0 } : parseClock(obj.time_start, `${where}.time_start`, false);
  if (!start.ok) return start;
  const end = obj.time_end === undefined ? { ok: true as const, value: DAY_S } : parseClock(obj.time_end, `${where}.time_end`, true);
  if (!end.ok) return end;
  const policy = parsePolicy(obj.policy, `${where}.policy`);
  if (!policy.ok) return policy;
  return { ok: true, value: makeWindow(days.value, start.value, end.value, policy.value) };
}

/** Text form: `[days] [start-end] [policy]`, blank-separated, in that order. */
function parseTextWindow(text: string, where: string): Parsed<TimeWindow> {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return err(where, `empty entry; expected ${TEXT_HELP}`);
  let i = 0;
  let days = ALL_DAYS;
  let start = 0;
  let end = DAY_S;
  let policy: TimePolicy = 'inclusive';
  const w0 = words[0]!;
  if (!/^\d/.test(w0) && !/^(inclusive|exclusive)$/i.test(w0)) {
    const d = parseDays(w0, where);
    if (!d.ok) return err(where, `${JSON.stringify(text)}: ${d.error.slice(where.length + 2)}; expected ${TEXT_HELP}`);
    days = d.value;
    i++;
  }
  const range = words[i];
  if (range !== undefined && /^\d/.test(range)) {
    const m = /^([^-]+)-([^-]+)$/.exec(range);
    if (!m) return err(where, `${JSON.stringify(range)} is not a time range; expected hh:mm-hh:mm in ${TEXT_HELP}`);
    const s = parseClock(m[1], where, false);
    if (!s.ok) return err(where, `${JSON.stringify(text)}: start ${s.error.slice(where.length + 2)}`);
    const e = parseClock(m[2], where, true);
    if (!e.ok) return err(where, `${JSON.stringify(text)}: end ${e.error.slice(where.length + 2)}`);
    start = s.value;
    end = e.value;
    i++;
  }
  if (i < words.length) {
    const p = parsePolicy(words[i], where);
    if (!p.ok) return err(where, `${JSON.stringify(text)}: ${JSON.stringify(words[i])} is not understood; expected ${TEXT_HELP}`);
    policy = p.value;
    i++;
  }
  if (i < words.length) return err(where, `${JSON.stringify(text)}: unexpected ${JSON.stringify(words[i])}; expected ${TEXT_HELP}`);
  return { ok: true, value: makeWindow(days, start, end, policy) };
}

function parseOne(v: unknown, where: string): Parsed<TimeWindow> {
  if (typeof v === 'string') return parseTextWindow(v, where);
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return parseJsonWindow(v as Record<string, unknown>, where);
  return err(where, `expected a window object {day, time_start, time_end, policy} or text ${TEXT_HELP}, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * Read a `time_of_day` value: JSON array/object, UCI list (array of strings) or option
 * (one string). `where` names the place for errors (`actions.kids.time_of_day`). Absent
 * (undefined/null) or an empty list gives a schedule that is always active. Never throws.
 */
export function parseTimeOfDay(value: unknown, where: string): TimeOfDayResult {
  if (value === undefined || value === null) return { ok: true, schedule: { windows: [] } };
  const items = Array.isArray(value) ? value : [value];
  const windows: TimeWindow[] = [];
  for (let i = 0; i < items.length; i++) {
    const w = parseOne(items[i], Array.isArray(value) ? `${where}[${i}]` : where);
    if (!w.ok) return { ok: false, error: w.error };
    windows.push(w.value);
  }
  return { ok: true, schedule: { windows } };
}

/** The schedule in the text form, one window per entry (for logs and `flowsieve check`). */
export function formatSchedule(s: TimeOfDaySchedule): string[] {
  return s.windows.map((w) => {
    const end = w.start + w.length;
    const endText = end === DAY_S ? '24:00' : clock(end % DAY_S);
    return `${formatDays(w.days)} ${clock(w.start)}-${endText} ${w.policy}`;
  });
}

function clock(sec: number): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = sec % 60;
  return `${p(Math.floor(sec / 3600))}:${p(Math.floor((sec % 3600) / 60))}${s ? ':' + p(s) : ''}`;
}

function formatDays(mask: number): string {
  if (mask === ALL_DAYS) return '*';
  // Monday-first order reads naturally (mon-fri, sat,sun).
  const order = [1, 2, 3, 4, 5, 6, 0];
  const parts: string[] = [];
  for (let i = 0; i < 7; ) {
    if (!(mask & (1 << order[i]!))) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < 7 && mask & (1 << order[j + 1]!)) j++;
    const a = DAY_NAMES[order[i]!]!;
    const b = DAY_NAMES[order[j]!]!;
    parts.push(j - i >= 2 ? `${a}-${b}` : j > i ? `${a},${b}` : a);
    i = j + 1;
  }
  return parts.join(',');
}

// ------------------------------------------------------------------ evaluation

/** Local wall time as ms since 1970-01-01T00:00 local: the instant plus the zone's offset. */
function localMs(utcMs: number, zone: TimeZone): number {
  return utcMs + zone.offsetAt(utcMs) * 1000;
}

function inWindow(w: TimeWindow, local: number): boolean {
  const day = Math.floor(local / DAY_MS);
  const sod = (local - day * DAY_MS) / 1000; // seconds into the local day (may be fractional)
  // Started today, or started yesterday and still running past midnight.
  if (w.days & (1 << weekdayOfDay(day)) && sod >= w.start && sod < w.start + w.length) return true;
  return (w.days & (1 << weekdayOfDay(day - 1))) !== 0 && sod + DAY_S >= w.start && sod + DAY_S < w.start + w.length;
}

/** The rule on a local wall time (ms since the local epoch). */
export function isActiveLocal(s: TimeOfDaySchedule, local: number): boolean {
  let hasInclusive = false;
  let included = false;
  for (const w of s.windows) {
    if (w.policy === 'exclusive') {
      if (inWindow(w, local)) return false;
    } else {
      hasInclusive = true;
      if (!included && inWindow(w, local)) included = true;
    }
  }
  return included || !hasInclusive;
}

/** Whether the schedule lets the action apply at a UTC instant, in the given zone. */
export function isActive(s: TimeOfDaySchedule, utcMs: number, zone: TimeZone): boolean {
  return isActiveLocal(s, localMs(utcMs, zone));
}

/** Seconds-of-day where some window may flip (starts, ends, midnight for day changes). */
function boundaries(s: TimeOfDaySchedule): number[] {
  const set = new Set<number>([0]);
  for (const w of s.windows) {
    set.add(w.start);
    set.add((w.start + w.length) % DAY_S);
  }
  return [...set].sort((a, b) => a - b);
}

/** First boundary strictly after a local time, as local ms. */
function nextBoundary(bounds: readonly number[], local: number): number {
  const day = Math.floor(local / DAY_MS);
  const sodMs = local - day * DAY_MS;
  for (const b of bounds) if (b * 1000 > sodMs) return day * DAY_MS + b * 1000;
  return (day + 1) * DAY_MS + bounds[0]! * 1000;
}

/** True when the schedule gives the same answer at every moment of the week. */
function isConstant(s: TimeOfDaySchedule, bounds: readonly number[]): boolean {
  const first = isActiveLocal(s, 0);
  for (let d = 0; d < 7; d++) {
    for (const b of bounds) if (isActiveLocal(s, d * DAY_MS + b * 1000) !== first) return false;
  }
  return true;
}

/**
 * First offset change of the zone in (from, limit], or null. Uses the zone's own
 * `nextTransition` when it has one, else bisects with `offsetAt` (which finds one change
 * per step; zones with two changes inside one step are not real).
 */
function transitionBetween(zone: TimeZone, from: number, limit: number, offset: number): number | null {
  if (zone.nextTransition) {
    const t = zone.nextTransition(from);
    return t !== null && t <= limit ? t : null;
  }
  if (zone.offsetAt(limit) === offset) return null;
  let lo = from;
  let hi = limit;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offsetAt(mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** How far ahead nextChange looks; a weekly schedule flips well within this. */
const HORIZON_MS = 400 * DAY_MS;

/**
 * The first instant after `utcMs` at which `isActive` gives a different answer, or null
 * when it never will (a schedule that is always or never active). The daemon sets one
 * timer for this instead of polling. Exact to the millisecond, across DST changes.
 */
export function nextChange(s: TimeOfDaySchedule, utcMs: number, zone: TimeZone): number | null {
  if (!Number.isFinite(utcMs)) return null;
  const bounds = boundaries(s);
  if (isConstant(s, bounds)) return null;
  const state = isActive(s, utcMs, zone);
  let t = utcMs;
  // Between a boundary of local time and a change of offset nothing can flip, so step
  // from one to the next and test each.
  for (let steps = 0; steps < 100_000 && t - utcMs < HORIZON_MS; steps++) {
    const offset = zone.offsetAt(t);
    const candidate = nextBoundary(bounds, t + offset * 1000) - offset * 1000;
    const tr = transitionBetween(zone, t, candidate, offset);
    const next = tr !== null && tr < candidate ? tr : candidate;
    if (isActive(s, next, zone) !== state) return next;
    t = next;
  }
  return null;
}
