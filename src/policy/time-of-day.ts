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
 * The windows come checked from the configuration (config/time-window.ts reads the text form
 * `[days] [start-end] [inclusive|exclusive]`; a Netify JSON window is converted to it on
 * import), so nothing here parses or fails.
 */
import { DAYS as DAY_NAMES, type TimePolicyName, type TimeWindowSpec } from '../config/time-window.js';
import { weekdayOfDay } from './civil-time.js';
import type { TimeZone } from './zone.js';

export type TimePolicy = TimePolicyName;

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

const DAY_S = 86_400;
const DAY_MS = 86_400_000;
const ALL_DAYS = 0x7f;

/**
 * The schedule of an action's `time_of_day` windows as the configuration checked them
 * (config/time-window.ts parses the text, once). No windows: always active.
 */
export function scheduleOf(specs: readonly TimeWindowSpec[]): TimeOfDaySchedule {
  return {
    windows: specs.map((w) => {
      let days = 0;
      for (const d of w.days) days |= 1 << DAY_NAMES.indexOf(d);
      // end <= start: the window runs past midnight (equal: a full day from start).
      const length = w.end > w.start ? w.end - w.start : w.end + DAY_S - w.start;
      return { days, start: w.start, length, policy: w.policy };
    }),
  };
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
