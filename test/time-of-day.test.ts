/**
 * Time-of-day windows (src/policy/time-of-day.ts) over the windows the configuration checked
 * (config/time-window.ts; its syntax and errors are in config.test.ts): evaluation across
 * midnight, DST and zones, and nextChange checked against a brute-force minute-by-minute
 * scan. Real zones come from /usr/share/zoneinfo (tzdata).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { build as esbuild } from 'esbuild';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';
import {
  type TimeOfDaySchedule,
  formatSchedule,
  isActive,
  nextChange,
  scheduleOf,
} from '../src/policy/time-of-day.js';
import { loadConfig, netifyJsonToUci, parseTimeWindow } from '../src/config/index.js';
import { parsePosixTz } from '../src/policy/posix-tz.js';
import { parseTzif } from '../src/policy/tzif.js';
import { type TimeZone, UTC_ZONE, fixedOffsetZone } from '../src/policy/zone.js';

// ---------------------------------------------------------------- helpers

const zones = new Map<string, TimeZone>();
function zone(name: string): TimeZone {
  let z = zones.get(name);
  if (!z) {
    const r = parseTzif(new Uint8Array(readFileSync(`/usr/share/zoneinfo/${name}`)), name);
    if (!r.ok) throw new Error(r.error);
    z = r.zone;
    zones.set(name, z);
  }
  return z;
}

/** The same zone seen only through offsetAt (exercises nextChange's bisection path). */
function withoutTransitions(z: TimeZone): TimeZone {
  return { name: z.name + ' (offsetAt only)', offsetAt: (t) => z.offsetAt(t) };
}

/** The schedule of `time_of_day` entries in the UCI text form. */
function sched(value: string | readonly string[]): TimeOfDaySchedule {
  const entries = typeof value === 'string' ? [value] : value;
  return scheduleOf(
    entries.map((text) => {
      const r = parseTimeWindow(text);
      if (!r.ok) throw new Error(`${text}: ${r.error}`);
      return r.window;
    }),
  );
}

const U = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number | null): string => (ms === null ? 'null' : new Date(ms).toISOString());

/** Expect isActive at each UTC instant. */
function expectAt(s: TimeOfDaySchedule, z: TimeZone, rows: [number, boolean][]): void {
  for (const [t, want] of rows) assert.is(isActive(s, t, z), want, `${z.name} ${iso(t)} ${formatSchedule(s).join('; ')}`);
}

/** First minute-aligned instant after t where the answer flips (windows and zones here change on minutes). */
function bruteNextChange(s: TimeOfDaySchedule, t: number, z: TimeZone, limitMs: number): number | null {
  const state = isActive(s, t, z);
  for (let m = Math.floor(t / MIN) * MIN + MIN; m <= t + limitMs; m += MIN) if (isActive(s, m, z) !== state) return m;
  return null;
}

// 2024-01-01 was a Monday.
const MON = U(2024, 1, 1);

// ---------------------------------------------------------------- parsing

test('the seed example, imported from Netify JSON, is the same schedule as its UCI text form', () => {
  const json = JSON.stringify({
    actions: {
      kids: {
        criteria: '*',
        targets: ['t'],
        time_of_day: [
          { day: ['mon', 'tue', 'wed', 'thu', 'fri'], time_start: '9:00', time_end: '17:00', policy: 'inclusive' },
          { time_start: '0:00', time_end: '12:00', policy: 'exclusive' },
        ],
      },
    },
    targets: { t: { target_type: 'log' } },
  });
  const imported = netifyJsonToUci(json, 'netify.json');
  if (!imported.ok) return assert.unreachable(imported.errors.map((e) => e.message).join('; '));
  const loaded = loadConfig(imported.uciText, 'flowsieve');
  if (!loaded.ok) return assert.unreachable(loaded.errors.map((e) => e.message).join('; '));
  const a = scheduleOf(loaded.config.actions[0]!.timeOfDay);
  assert.equal(formatSchedule(a), ['mon-fri 09:00-17:00 inclusive', '* 00:00-12:00 exclusive']);
  assert.equal(sched(['mon-fri 09:00-17:00 inclusive', '00:00-12:00 exclusive']), a);
  assert.equal(sched(['mon,tue,wed,thu,fri 9:00-17:00', '* 0:00-12:00 exclusive']), a);
});

test('days: names, full names, ranges (wrapping), "*", case; no days means every day', () => {
  const days = (v: string): string => formatSchedule(sched(`${v} 01:00-02:00`))[0]!.split(' ')[0]!;
  assert.is(days('sat,sun'), 'sat,sun');
  assert.is(days('Monday,WED,fri'), 'mon,wed,fri');
  assert.is(days('fri-mon'), 'mon,fri-sun');
  assert.is(days('mon-fri'), 'mon-fri');
  assert.is(days('mon,tue'), 'mon,tue');
  assert.is(days('*'), '*');
  assert.is(days('sun,mon,tue,wed,thu,fri,sat'), '*');
  assert.is(formatSchedule(sched('01:00-02:00'))[0], '* 01:00-02:00 inclusive');
});

test('defaults: no times = the whole day, no policy = inclusive; absent or empty value = always active', () => {
  assert.equal(formatSchedule(sched('sat,sun')), ['sat,sun 00:00-24:00 inclusive']);
  assert.equal(formatSchedule(sched('exclusive')), ['* 00:00-24:00 exclusive']);
  const none = sched([]);
  assert.is(none.windows.length, 0);
  assert.ok(isActive(none, MON, UTC_ZONE));
  assert.is(nextChange(none, MON, UTC_ZONE), null);
});

test('times: h:mm, hh:mm, hh:mm:ss and 24:00 as an end; formatted back the same', () => {
  for (const [text, want] of [
    ['9:05-17:00', '* 09:05-17:00 inclusive'],
    ['09:00:30-17:00:45', '* 09:00:30-17:00:45 inclusive'],
    ['18:00-24:00', '* 18:00-24:00 inclusive'],
    ['18:00-24:00:00', '* 18:00-24:00 inclusive'],
    ['22:00-06:00', '* 22:00-06:00 inclusive'],
    ['08:00-08:00', '* 08:00-08:00 inclusive'],
    ['00:00-00:00', '* 00:00-24:00 inclusive'],
  ] as const) {
    const s = sched(text);
    assert.equal(formatSchedule(s), [want], text);
    assert.equal(sched(formatSchedule(s)), sched([text]), `round trip of ${text}`);
  }
});

// ---------------------------------------------------------------- evaluation in UTC

test('a daytime window: start inclusive, end exclusive, only on listed days', () => {
  const s = sched('mon-fri 09:00-17:00');
  expectAt(s, UTC_ZONE, [
    [MON + 9 * HOUR - 1, false],
    [MON + 9 * HOUR, true],
    [MON + 17 * HOUR - 1, true],
    [MON + 17 * HOUR, false],
    [MON + 4 * DAY + 12 * HOUR, true], // Friday
    [MON + 5 * DAY + 12 * HOUR, false], // Saturday
    [MON + 6 * DAY + 12 * HOUR, false], // Sunday
  ]);
});

test('a window across midnight belongs to the day it starts on', () => {
  const s = sched('fri 22:00-06:00');
  const FRI = MON + 4 * DAY;
  expectAt(s, UTC_ZONE, [
    [FRI + 1 * HOUR, false], // Friday 01:00: Thursday is not listed
    [FRI + 22 * HOUR - 1, false],
    [FRI + 22 * HOUR, true],
    [FRI + DAY, true], // Saturday 00:00
    [FRI + DAY + 6 * HOUR - 1, true],
    [FRI + DAY + 6 * HOUR, false],
    [FRI + DAY + 22 * HOUR, false], // Saturday 22:00: Saturday is not listed
    [FRI - DAY + 23 * HOUR, false], // Thursday 23:00
  ]);
  assert.is(nextChange(s, FRI, UTC_ZONE), FRI + 22 * HOUR);
  assert.is(nextChange(s, FRI + 22 * HOUR, UTC_ZONE), FRI + DAY + 6 * HOUR);
  assert.is(nextChange(s, FRI + DAY + 6 * HOUR, UTC_ZONE), FRI + 7 * DAY + 22 * HOUR);
  // Sunday night into Monday wraps around the week.
  const sun = sched('sun 23:00-01:00');
  expectAt(sun, UTC_ZONE, [
    [MON - HOUR, true],
    [MON, true],
    [MON + HOUR - 1, true],
    [MON + HOUR, false],
  ]);
});

test('start equal to end is a full 24 hours from the start', () => {
  const s = sched('sat 08:00-08:00');
  const SAT = MON + 5 * DAY;
  expectAt(s, UTC_ZONE, [
    [SAT + 8 * HOUR - 1, false],
    [SAT + 8 * HOUR, true],
    [SAT + DAY + 8 * HOUR - 1, true],
    [SAT + DAY + 8 * HOUR, false],
  ]);
});

test('inclusive windows add up, exclusive windows cut out (the seed example: weekdays 12:00–17:00)', () => {
  const seed = sched(['mon-fri 9:00-17:00 inclusive', '0:00-12:00 exclusive']);
  expectAt(seed, UTC_ZONE, [
    [MON + 10 * HOUR, false],
    [MON + 12 * HOUR - 1, false],
    [MON + 12 * HOUR, true],
    [MON + 17 * HOUR - 1, true],
    [MON + 17 * HOUR, false],
    [MON + 5 * DAY + 13 * HOUR, false],
  ]);
  // Two inclusive windows: either one.
  const two = sched(['mon-fri 07:00-08:00', 'sat,sun 10:00-12:00']);
  expectAt(two, UTC_ZONE, [
    [MON + 7 * HOUR, true],
    [MON + 10 * HOUR, false],
    [MON + 5 * DAY + 7 * HOUR, false],
    [MON + 5 * DAY + 11 * HOUR, true],
  ]);
  // Only exclusive windows: active everywhere else.
  const night = sched('22:00-06:00 exclusive');
  expectAt(night, UTC_ZONE, [
    [MON + 5 * HOUR, false],
    [MON + 6 * HOUR, true],
    [MON + 21 * HOUR, true],
    [MON + 22 * HOUR, false],
  ]);
  // Exclusive boundaries: the excluded window is half open too.
  assert.is(nextChange(night, MON + 12 * HOUR, UTC_ZONE), MON + 22 * HOUR);
  assert.is(nextChange(night, MON + 22 * HOUR, UTC_ZONE), MON + DAY + 6 * HOUR);
});

test('nextChange is null for schedules that never flip', () => {
  for (const v of ['00:00-24:00', '00:00-00:00', '* 00:00-00:00 exclusive', ['mon-fri', 'sat,sun'], ['12:00-12:00', 'exclusive']]) {
    const s = sched(v);
    const z = zone('Europe/Berlin');
    assert.is(nextChange(s, U(2024, 3, 30), z), null, JSON.stringify(v));
  }
  assert.ok(isActive(sched(['mon-fri', 'sat,sun']), MON, UTC_ZONE));
  assert.not.ok(isActive(sched(['12:00-12:00', 'exclusive']), MON, UTC_ZONE));
});

// ---------------------------------------------------------------- zones and DST

test('local time in different zones (whole-hour, half-hour, 45-minute, southern hemisphere)', () => {
  const s = sched('mon-fri 09:00-17:00');
  // Berlin: 09:00 is 08:00 UTC in winter, 07:00 UTC in summer.
  expectAt(s, zone('Europe/Berlin'), [
    [U(2024, 1, 8, 7, 59), false],
    [U(2024, 1, 8, 8, 0), true],
    [U(2024, 7, 8, 7, 0), true],
    [U(2024, 7, 8, 15, 0), false],
  ]);
  expectAt(s, zone('America/New_York'), [
    [U(2024, 1, 8, 14, 0), true],
    [U(2024, 1, 8, 13, 59), false],
    [U(2024, 7, 8, 13, 0), true],
  ]);
  // Kolkata +5:30: Monday 09:00 is 03:30 UTC.
  expectAt(s, zone('Asia/Kolkata'), [
    [U(2024, 1, 8, 3, 29), false],
    [U(2024, 1, 8, 3, 30), true],
  ]);
  // Chatham +13:45 in January: Monday 09:00 local is Sunday 19:15 UTC.
  expectAt(s, zone('Pacific/Chatham'), [
    [U(2024, 1, 7, 19, 14), false],
    [U(2024, 1, 7, 19, 15), true],
  ]);
  // Sydney: summer (+11) in January, winter (+10) in July.
  expectAt(s, zone('Australia/Sydney'), [
    [U(2024, 1, 7, 22, 0), true],
    [U(2024, 7, 7, 22, 0), false],
    [U(2024, 7, 7, 23, 0), true],
  ]);
  // A POSIX TZ string (OpenWrt /etc/TZ) gives the same answers as the zoneinfo file.
  const posix = parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3');
  assert.ok(posix.ok);
  if (posix.ok) {
    for (let t = U(2024, 1, 1); t < U(2025, 1, 1); t += 37 * MIN) assert.is(isActive(s, t, posix.zone), isActive(s, t, zone('Europe/Berlin')), iso(t));
  }
});

test('spring forward: a window inside the skipped hour never happens that day; one spanning it is shortened', () => {
  const berlin = zone('Europe/Berlin');
  // 2024-03-31 (Sunday): 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
  const gap = sched('sun 02:30-03:00');
  for (let t = U(2024, 3, 30, 23); t < U(2024, 3, 31, 4); t += MIN) assert.not.ok(isActive(gap, t, berlin), iso(t));
  // From the Saturday before, the next start is the following Sunday 02:30 CEST = 00:30 UTC.
  assert.is(iso(nextChange(gap, U(2024, 3, 30), berlin)), iso(U(2024, 4, 7, 0, 30)));
  assert.is(iso(nextChange(gap, U(2024, 3, 30), withoutTransitions(berlin))), iso(U(2024, 4, 7, 0, 30)));
  // Earlier Sundays in March do have it (02:30 CET = 01:30 UTC).
  assert.ok(isActive(gap, U(2024, 3, 24, 1, 30), berlin));

  const span = sched('sun 02:00-04:00');
  expectAt(span, berlin, [
    [U(2024, 3, 31, 0, 59, 59), false], // 01:59:59 CET
    [U(2024, 3, 31, 1, 0), true], // 03:00 CEST
    [U(2024, 3, 31, 1, 59, 59), true],
    [U(2024, 3, 31, 2, 0), false], // 04:00 CEST
  ]);
  assert.is(iso(nextChange(span, U(2024, 3, 31), berlin)), iso(U(2024, 3, 31, 1, 0)));
  assert.is(iso(nextChange(span, U(2024, 3, 31), withoutTransitions(berlin))), iso(U(2024, 3, 31, 1, 0)));
  assert.is(iso(nextChange(span, U(2024, 3, 31, 1), berlin)), iso(U(2024, 3, 31, 2, 0)));

  // New York the same day shape: 2024-03-10 02:00 EST → 03:00 EDT at 07:00 UTC.
  const ny = zone('America/New_York');
  const nyGap = sched('02:15-02:45');
  assert.not.ok(isActive(nyGap, U(2024, 3, 10, 7, 20), ny));
  assert.is(iso(nextChange(nyGap, U(2024, 3, 10, 0), ny)), iso(U(2024, 3, 11, 6, 15))); // next day 02:15 EDT
});

test('fall back: a window in the repeated hour is active both times', () => {
  const berlin = zone('Europe/Berlin');
  // 2024-10-27 (Sunday): 03:00 CEST goes back to 02:00 CET at 01:00 UTC.
  const w = sched('sun 02:30-02:45');
  expectAt(w, berlin, [
    [U(2024, 10, 27, 0, 29), false],
    [U(2024, 10, 27, 0, 30), true], // 02:30 CEST
    [U(2024, 10, 27, 0, 45), false],
    [U(2024, 10, 27, 1, 30), true], // 02:30 CET
    [U(2024, 10, 27, 1, 45), false],
  ]);
  const starts: string[] = [];
  let t: number | null = U(2024, 10, 27);
  for (let i = 0; i < 4 && t !== null; i++) starts.push(iso((t = nextChange(w, t, berlin))));
  assert.equal(starts, [iso(U(2024, 10, 27, 0, 30)), iso(U(2024, 10, 27, 0, 45)), iso(U(2024, 10, 27, 1, 30)), iso(U(2024, 10, 27, 1, 45))]);
  // A window spanning the repeated hour stays on through it: 02:00–03:00 both times = 2 real hours.
  const hour = sched('sun 02:00-03:00');
  assert.is(iso(nextChange(hour, U(2024, 10, 26, 23), berlin)), iso(U(2024, 10, 27, 0, 0)));
  assert.is(iso(nextChange(hour, U(2024, 10, 27, 0, 0), berlin)), iso(U(2024, 10, 27, 2, 0)));
  assert.is(iso(nextChange(hour, U(2024, 10, 27, 0, 0), withoutTransitions(berlin))), iso(U(2024, 10, 27, 2, 0)));
});

test('southern hemisphere: Sydney springs forward in October', () => {
  const syd = zone('Australia/Sydney');
  // 2024-10-06 (Sunday) 02:00 AEST → 03:00 AEDT at 2024-10-05 16:00 UTC.
  const w = sched('sun 02:00-03:00');
  for (let t = U(2024, 10, 5, 14); t < U(2024, 10, 5, 18); t += MIN) assert.not.ok(isActive(w, t, syd), iso(t));
  assert.is(iso(nextChange(w, U(2024, 10, 5, 14), syd)), iso(U(2024, 10, 12, 15, 0))); // next Sunday 02:00 AEDT
  // 2024-04-07: 03:00 AEDT → 02:00 AEST at 2024-04-06 16:00 UTC; 02:00–03:00 happens twice.
  expectAt(w, syd, [
    [U(2024, 4, 6, 14, 59), false],
    [U(2024, 4, 6, 15, 0), true],
    [U(2024, 4, 6, 16, 30), true],
    [U(2024, 4, 6, 17, 0), false],
  ]);
});

test('a zone that skipped a whole day (Apia, 2011-12-30) and a midnight window', () => {
  const apia = zone('Pacific/Apia');
  // 2011-12-29 23:59:59 -10 was followed by 2011-12-31 00:00:00 +14: Friday the 30th never happened.
  const fri = sched('fri');
  const from = U(2011, 12, 29, 12);
  const n = nextChange(fri, from, apia);
  assert.is(iso(n), iso(U(2012, 1, 5, 10, 0))); // Friday 2012-01-06 00:00 +14
  assert.is(bruteNextChange(fri, from, apia, 10 * DAY), n);
});

test('nextChange agrees with a minute-by-minute scan (random schedules, zones, instants)', () => {
  let seed = 987654321;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const dayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const zoneNames = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham', 'Africa/Casablanca', 'UTC'];
  // Instants near DST changes and elsewhere.
  const anchors = [U(2024, 3, 30), U(2024, 10, 26), U(2024, 3, 9), U(2024, 11, 2), U(2024, 4, 5), U(2024, 10, 4), U(2024, 6, 1), U(2025, 2, 22)];
  let cases = 0;
  for (let i = 0; i < 120; i++) {
    const windows: string[] = [];
    for (let k = 0, m = 1 + rand(3); k < m; k++) {
      const days = dayNames.filter(() => rand(3) === 0);
      const hm = (): string => `${String(rand(24)).padStart(2, '0')}:${String(rand(4) * 15).padStart(2, '0')}`;
      windows.push(`${days.length ? days.join(',') : '*'} ${hm()}-${hm()} ${rand(4) === 0 ? 'exclusive' : 'inclusive'}`);
    }
    const s = sched(windows);
    const baseZone = zone(zoneNames[rand(zoneNames.length)]!);
    const z = rand(2) === 0 ? baseZone : withoutTransitions(baseZone);
    const t = anchors[rand(anchors.length)]! + rand(2 * DAY) + rand(1000);
    const got = nextChange(s, t, z);
    const want = bruteNextChange(s, t, z, 16 * DAY);
    if (want !== null) assert.is(iso(got), iso(want), `${windows.join(' | ')} in ${z.name} from ${iso(t)}`);
    else assert.ok(got === null || got - t > 16 * DAY, `${windows.join(' | ')}: got ${iso(got)}`);
    if (got !== null) {
      assert.is.not(isActive(s, got, z), isActive(s, t, z));
      assert.is(isActive(s, got - 1, z), isActive(s, t, z));
    }
    cases++;
  }
  assert.is(cases, 120);
});

test('fractional and odd instants, and fixed-offset zones', () => {
  const s = sched('09:00:30-09:00:31');
  const z = fixedOffsetZone(-3 * 3600 - 30 * 60); // Newfoundland standard time
  const start = U(2024, 1, 1, 12, 30, 30);
  assert.is(nextChange(s, start - 0.5, z), start);
  assert.ok(isActive(s, start + 999.9, z));
  assert.not.ok(isActive(s, start + 1000, z));
  assert.is(nextChange(s, start, z), start + 1000);
  assert.is(nextChange(s, Number.NaN, z), null);
});

// ---------------------------------------------------------------- QuickJS-ng

test('tzif and time-of-day run inside QuickJS-ng with the same answers', async () => {
  const out = await esbuild({
    stdin: {
      contents:
        "export * from './src/policy/tzif.ts'; export * from './src/policy/posix-tz.ts'; export * from './src/policy/time-of-day.ts';" +
        " export { parseTimeWindow } from './src/config/time-window.ts';",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
  });
  const code = out.outputFiles[0]!.text;
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const runtime = qjs.newRuntime();
  const ctx = runtime.newContext();
  try {
    const mod = ctx.unwrapResult(ctx.evalCode(code, 'tod.js', { type: 'module' }));
    ctx.setProp(ctx.global, '__tod', mod);
    mod.dispose();
    const berlin = Array.from(readFileSync('/usr/share/zoneinfo/Europe/Berlin'));
    const instants = [U(2024, 3, 30, 12), U(2024, 3, 31, 0, 30), U(2024, 10, 27, 0, 40), U(2030, 7, 1)];
    const script = `
      const z = __tod.parseTzif(new Uint8Array(${JSON.stringify(berlin)}), 'Europe/Berlin');
      const p = __tod.parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3');
      const s = { schedule: __tod.scheduleOf(['sun 02:00-04:00', 'mon-fri 09:00-17:00'].map((t) => __tod.parseTimeWindow(t).window)) };
      JSON.stringify(${JSON.stringify(instants)}.map((t) => [z.zone.offsetAt(t), p.zone.offsetAt(t),
        __tod.isActive(s.schedule, t, z.zone), __tod.nextChange(s.schedule, t, z.zone)]));
    `;
    const got = JSON.parse(ctx.getString(ctx.unwrapResult(ctx.evalCode(script))));
    const z = zone('Europe/Berlin');
    const s = sched(['sun 02:00-04:00', 'mon-fri 09:00-17:00']);
    const want = instants.map((t) => [z.offsetAt(t), z.offsetAt(t), isActive(s, t, z), nextChange(s, t, z)]);
    assert.equal(got, want);
  } finally {
    ctx.dispose();
    runtime.dispose();
  }
});

test.run();
