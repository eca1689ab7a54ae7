/**
 * Syntax of one `time_of_day` entry as UCI writes it: `[days] [start-end] [inclusive|exclusive]`,
 * e.g. `mon-fri 09:00-17:00`, `sat,sun 10:00-12:30:30 exclusive`, `22:00-06:00`. This is the
 * text form src/policy/time-of-day.ts evaluates; here we only check it and keep it as data
 * (the configuration layer does not evaluate time).
 *
 *   days    `*`, a day (`mon` … `sun`, or the full name), a range `mon-fri` (may wrap:
 *           `fri-mon`), or several joined by commas; absent = every day
 *   times   `h:mm`, `hh:mm` or `hh:mm:ss`; the end may be `24:00`; absent = the whole day
 *   policy  `inclusive` (active inside the window, the default) or `exclusive` (outside)
 */

export type DayName = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export type TimePolicyName = 'inclusive' | 'exclusive';

export interface TimeWindowSpec {
  /** Days the window may start on, Sunday first; all seven when the entry names none. */
  readonly days: readonly DayName[];
  /** Seconds after local midnight. */
  readonly start: number;
  /** Seconds after local midnight; 86400 for `24:00`; not after `start` = runs past midnight. */
  readonly end: number;
  readonly policy: TimePolicyName;
  /** The entry as written. */
  readonly text: string;
}

/** On failure, `error` says what is wrong; TIME_WINDOW_HELP says what is expected. */
export type TimeWindowResult = { readonly ok: true; readonly window: TimeWindowSpec } | { readonly ok: false; readonly error: string };

/** Day names in weekday order (index 0 = Sunday, as a weekday number). */
export const DAYS: readonly DayName[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FULL = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const TIME_WINDOW_HELP = "'[days] [hh:mm-hh:mm] [inclusive|exclusive]', e.g. 'mon-fri 09:00-17:00'";

function dayIndex(word: string): number {
  const w = word.toLowerCase();
  const i = DAYS.indexOf(w as DayName);
  return i >= 0 ? i : FULL.indexOf(w);
}

/** Day list → bit mask (bit 0 = Sunday), or an error. */
function parseDays(text: string): number | string {
  let mask = 0;
  for (const raw of text.split(',')) {
    const t = raw.trim();
    if (t === '*') {
      mask = 0x7f;
      continue;
    }
    const dash = t.indexOf('-');
    if (dash < 0) {
      const d = dayIndex(t);
      if (d < 0) return `${JSON.stringify(t)} is not a day (mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or *)`;
      mask |= 1 << d;
      continue;
    }
    const a = dayIndex(t.slice(0, dash));
    const b = dayIndex(t.slice(dash + 1));
    if (a < 0 || b < 0) return `${JSON.stringify(t)} is not a day range (such as mon-fri)`;
    for (let d = a; ; d = (d + 1) % 7) {
      mask |= 1 << d;
      if (d === b) break;
    }
  }
  return mask;
}

/** `h:mm`, `hh:mm`, `hh:mm:ss` → seconds; `24:00` only as an end. */
export function parseClock(text: string, isEnd: boolean): number | string {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return `${JSON.stringify(text)} is not a time (hh:mm or hh:mm:ss)`;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h === 24 && mi === 0 && s === 0) return isEnd ? 86_400 : '24:00 can only end a window';
  if (h > 23 || mi > 59 || s > 59) return `${JSON.stringify(text)} is out of range (00:00 to 23:59:59)`;
  return h * 3600 + mi * 60 + s;
}

export function parseTimeWindow(text: string): TimeWindowResult {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  const fail = (why: string): TimeWindowResult => ({ ok: false, error: why });
  if (words.length === 0) return fail('empty entry');
  let i = 0;
  let mask = 0x7f;
  let start = 0;
  let end = 86_400;
  let policy: TimePolicyName = 'inclusive';
  const isPolicy = (w: string): boolean => /^(inclusive|exclusive)$/i.test(w);
  if (!/^\d/.test(words[0]!) && !isPolicy(words[0]!)) {
    const d = parseDays(words[0]!);
    if (typeof d === 'string') return fail(d);
    mask = d;
    i++;
  }
  const range = words[i];
  if (range !== undefined && /^\d/.test(range)) {
    const m = /^([^-]+)-([^-]+)$/.exec(range);
    if (!m) return fail(`${JSON.stringify(range)} is not a time range (hh:mm-hh:mm)`);
    const s = parseClock(m[1]!, false);
    if (typeof s === 'string') return fail(`start ${s}`);
    const e = parseClock(m[2]!, true);
    if (typeof e === 'string') return fail(`end ${e}`);
    start = s;
    end = e;
    i++;
  }
  if (i < words.length && isPolicy(words[i]!)) {
    policy = words[i]!.toLowerCase() as TimePolicyName;
    i++;
  }
  if (i < words.length) return fail(`unexpected ${JSON.stringify(words[i])}`);
  const days = DAYS.filter((_, d) => mask & (1 << d));
  return { ok: true, window: { days, start, end, policy, text: text.trim() } };
}
