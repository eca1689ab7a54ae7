/**
 * TZif files and POSIX TZ strings (src/policy/tzif.ts), checked against the zoneinfo files on
 * this machine (package tzdata) and against offsets computed independently by Node's Intl
 * (ICU's own copy of the tz database).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { daysFromCivil } from '../src/policy/civil-time.js';
import { parsePosixTz, parsePosixTzSpec } from '../src/policy/posix-tz.js';
import { parseTzif } from '../src/policy/tzif.js';
import { type TimeZone, fixedOffsetZone, looksLikePosixTz, zoneinfoPath } from '../src/policy/zone.js';

const ZONEINFO = '/usr/share/zoneinfo';
const HAVE_ZONEINFO = existsSync(join(ZONEINFO, 'Europe/Berlin'));
if (!HAVE_ZONEINFO) throw new Error(`${ZONEINFO}/Europe/Berlin missing: install tzdata (apt-get install -y tzdata)`);

/** Version of the system's tz data (the `# version …` line heading tzdata.zi), if known. */
const SYSTEM_TZ_VERSION = (() => {
  try {
    return /# version (\S+)/.exec(readFileSync(join(ZONEINFO, 'tzdata.zi'), 'utf8').slice(0, 100))?.[1] ?? null;
  } catch {
    return null;
  }
})();

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Asia/Tehran',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'UTC',
  'Africa/Casablanca',
  'Pacific/Apia',
];

// ---------------------------------------------------------------- helpers

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset (seconds east) that ICU gives for a zone at an instant. */
function intlOffset(zone: string, ms: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (name === 'GMT') return 0;
  const m = /^GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(name);
  if (!m) throw new Error(`unexpected Intl offset ${name} for ${zone}`);
  const v = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

function loadZone(name: string, root = ZONEINFO): TimeZone {
  const r = parseTzif(new Uint8Array(readFileSync(join(root, name))), name);
  if (!r.ok) throw new Error(r.error);
  return r.zone;
}

/** Every offset change of a zone in [from, to), walking nextTransition. */
function transitions(zone: TimeZone, from: number, to: number): number[] {
  const out: number[] = [];
  let t = from;
  for (;;) {
    const n = zone.nextTransition!(t);
    if (n === null || n >= to) return out;
    assert.ok(n > t, `${zone.name}: nextTransition(${t}) = ${n} did not move forward`);
    out.push(n);
    t = n;
  }
}

const Y = (y: number, mo = 1, d = 1, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi);
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Offset changes as tzcode's own zdump (libc-bin) reports them from the same file:
 * [UTC ms, new offset] pairs, or null when zdump is not installed.
 */
function zdumpChanges(name: string, fromYear: number, toYear: number): [number, number][] | null {
  const r = spawnSync('zdump', ['-v', '-c', `${fromYear},${toYear}`, name], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const points: [number, number][] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\S+\s+\w{3} (\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (-?\d+) UT = .* gmtoff=(-?\d+)$/.exec(line);
    if (!m) continue;
    points.push([Date.UTC(Number(m[6]), MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])), Number(m[7])]);
  }
  const changes: [number, number][] = [];
  for (let i = 1; i < points.length; i++) if (points[i]![1] !== points[i - 1]![1]) changes.push(points[i]!);
  return changes;
}

// ---------------------------------------------------------------- real zones vs Intl

for (const name of ZONES) {
  test(`${name}: offsets agree with Intl every 6 h 1970–2040 and at every transition; transitions agree with zdump`, () => {
    const zone = loadZone(name);
    assert.is(zone.name, name);
    const from = Y(1970);
    const to = Y(2040);
    const trs = transitions(zone, from, to);
    // zdump reads the same file with tzcode: the transition lists must be identical.
    const zd = zdumpChanges(name, 1970, 2040);
    if (zd) assert.equal(trs.map((t) => [t, zone.offsetAt(t)]), zd, `${name}: transitions differ from zdump`);
    /** Where ICU's (older or newer) tz data differs from this machine's, zdump must side with us. */
    const zdumpOffset = (t: number): number | null => {
      if (!zd) return null;
      let o: number | null = null;
      for (const [at, off] of zd) if (at <= t) o = off;
      return o;
    };
    let mismatches = 0;
    let dataDifferences = 0;
    const examples: string[] = [];
    /** Compares one instant; returns ICU's offset. */
    const check = (t: number, what: string): number => {
      const mine = zone.offsetAt(t);
      const theirs = intlOffset(name, t);
      if (mine === theirs) return theirs;
      if (zdumpOffset(t) === mine) {
        dataDifferences++;
        return theirs;
      }
      mismatches++;
      if (examples.length < 5) examples.push(`${what} ${iso(t)} mine ${mine} intl ${theirs}`);
      return theirs;
    };
    // Each transition sits exactly where ICU puts it: the old offset 1 ms before, the new one at it.
    for (const tr of trs) {
      check(tr - 1, 'before transition');
      check(tr, 'at transition');
      assert.is.not(zone.offsetAt(tr - 1), zone.offsetAt(tr), `${name}: ${iso(tr)} changes nothing`);
    }
    // Every 6 hours: the same offset, and no transition missed — every change ICU shows
    // between two samples has one of ours (or zdump agrees there is none).
    let prev = intlOffset(name, from);
    let k = 0;
    for (let t = from; t < to; t += 6 * HOUR) {
      const cur = check(t, 'sample');
      if (cur !== prev) {
        while (k < trs.length && trs[k]! <= t - 6 * HOUR) k++;
        const ours = k < trs.length && trs[k]! <= t;
        const zdumpHasNone = zd !== null && !zd.some(([at]) => at > t - 6 * HOUR && at <= t);
        assert.ok(ours || zdumpHasNone, `${name}: Intl changes offset between ${iso(t - 6 * HOUR)} and ${iso(t)}, we have no transition there`);
      }
      prev = cur;
    }
    assert.is(mismatches, 0, `${name}: ${examples.join('; ')}`);
    // ICU's copy of the tz data may be older or newer than the system's; only then may they differ.
    if (SYSTEM_TZ_VERSION === process.versions.tz) assert.is(dataDifferences, 0, `${name}: same tz version yet data differ`);
  });
}

test('zones with DST have the expected yearly transitions; fixed zones have none after their last change', () => {
  const count = (name: string, y: number): number => transitions(loadZone(name), Y(y), Y(y + 1)).length;
  assert.is(count('Europe/Berlin', 2030), 2);
  assert.is(count('America/New_York', 2030), 2);
  assert.is(count('Australia/Sydney', 2030), 2);
  assert.is(count('Pacific/Chatham', 2030), 2);
  assert.is(count('Asia/Kolkata', 2030), 0);
  assert.is(count('Asia/Tehran', 2030), 0);
  assert.is(count('America/Sao_Paulo', 2030), 0);
  assert.is(loadZone('UTC').nextTransition!(Y(2000)), null);
  assert.is(loadZone('Asia/Kolkata').nextTransition!(Y(2000)), null);
  assert.is(loadZone('Pacific/Apia').nextTransition!(Y(2022)), null);
});

test('known instants: Berlin spring forward 2024, Sydney (southern hemisphere), Chatham +12:45/+13:45, Tehran +3:30', () => {
  const berlin = loadZone('Europe/Berlin');
  assert.is(berlin.offsetAt(Y(2024, 3, 31, 0, 59) + 59_999), 3600);
  assert.is(berlin.offsetAt(Y(2024, 3, 31, 1)), 7200);
  assert.is(berlin.nextTransition!(Y(2024, 3, 1)), Y(2024, 3, 31, 1));
  const sydney = loadZone('Australia/Sydney');
  assert.is(sydney.offsetAt(Y(2030, 1, 15)), 11 * 3600);
  assert.is(sydney.offsetAt(Y(2030, 7, 15)), 10 * 3600);
  const chatham = loadZone('Pacific/Chatham');
  assert.is(chatham.offsetAt(Y(2030, 7, 1)), 12 * 3600 + 45 * 60);
  assert.is(chatham.offsetAt(Y(2030, 1, 1)), 13 * 3600 + 45 * 60);
  assert.is(loadZone('Asia/Tehran').offsetAt(Y(2030, 7, 1)), 3 * 3600 + 30 * 60);
  assert.is(loadZone('Asia/Kolkata').offsetAt(Y(2030, 7, 1)), 5 * 3600 + 30 * 60);
});

test('the 64-bit block is used: times before 1901 (LMT) and far after 2038 (footer rule)', () => {
  // New York kept local mean time (-4:56:02) until 1883-11-18 17:00 UTC; 32-bit data ends at 1901.
  const ny = loadZone('America/New_York');
  assert.is(ny.offsetAt(Y(1880)), -(4 * 3600 + 56 * 60 + 2));
  assert.is(ny.offsetAt(Y(1880)), intlOffset('America/New_York', Y(1880)));
  assert.is(ny.offsetAt(Y(1884)), -5 * 3600);
  const berlin = loadZone('Europe/Berlin');
  assert.is(berlin.offsetAt(Y(2100, 7, 1)), 7200);
  assert.is(berlin.offsetAt(Y(2100, 1, 1)), 3600);
  // 2100-03-28 is the last Sunday of March 2100.
  assert.is(berlin.nextTransition!(Y(2100, 3, 1)), Y(2100, 3, 28, 1));
  assert.is(berlin.offsetAt(Y(2500, 7, 1)), 7200);
});

test('a version 1 file (the 32-bit block alone) gives the same offsets 1970–2037', () => {
  const bytes = new Uint8Array(readFileSync(join(ZONEINFO, 'America/New_York')));
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const c = (k: number): number => dv.getUint32(20 + 4 * k);
  const [isut, isstd, leap, time, type, chars] = [c(0), c(1), c(2), c(3), c(4), c(5)];
  const v1 = bytes.slice(0, 44 + time * 5 + type * 6 + chars + leap * 8 + isstd + isut);
  v1[4] = 0;
  const r = parseTzif(v1, 'v1/New_York');
  assert.ok(r.ok, !r.ok ? r.error : '');
  if (!r.ok) return;
  const full = loadZone('America/New_York');
  for (let t = Y(1970); t < Y(2037); t += 24 * HOUR) assert.is(r.zone.offsetAt(t), full.offsetAt(t), iso(t));
  assert.is(r.zone.offsetAt(Y(2030, 7, 1)), -4 * 3600);
});

test('every TZif file on this machine parses; footers parse on their own', () => {
  let files = 0;
  const versions = new Map<number, number>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const b = new Uint8Array(readFileSync(p));
        if (b.length < 4 || String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!) !== 'TZif') continue;
        const r = parseTzif(b, p);
        assert.ok(r.ok, !r.ok ? r.error : '');
        files++;
        const v = b[4] === 0 ? 1 : b[4]! - 0x30;
        versions.set(v, (versions.get(v) ?? 0) + 1);
        const text = new TextDecoder().decode(b);
        const footer = text.slice(text.lastIndexOf('\n', text.length - 2) + 1, -1);
        if (v >= 2 && footer !== '') assert.ok(parsePosixTz(footer).ok, `${p}: footer ${footer}`);
      }
    }
  };
  walk(ZONEINFO);
  assert.ok(files > 300, `only ${files} TZif files`);
  assert.ok((versions.get(2) ?? 0) > 0 && (versions.get(3) ?? 0) > 0, `versions seen: ${[...versions]}`);
});

test('zones using version 3 footers (rule hours < 0 and > 24) agree with Intl after their tables end', () => {
  for (const name of ['America/Nuuk', 'Asia/Jerusalem', 'America/Santiago', 'Pacific/Easter', 'Asia/Gaza']) {
    const zone = loadZone(name);
    for (let t = Y(2030); t < Y(2040); t += 6 * HOUR) assert.is(zone.offsetAt(t), intlOffset(name, t), `${name} ${iso(t)}`);
  }
});

test('right/ zones (leap seconds in the time scale) put transitions at the same UTC instants', () => {
  const right = join(ZONEINFO, 'right');
  if (!existsSync(join(right, 'Europe/Berlin'))) return;
  const r = loadZone('Europe/Berlin', right);
  const plain = loadZone('Europe/Berlin');
  // right/ files carry no footer (a POSIX rule cannot count leap seconds), so their table,
  // which ends in 2037 or earlier, is all there is: compare up to its last entry.
  const a = transitions(r, Y(1980), Y(2040));
  assert.ok(a.length > 50);
  const end = a[a.length - 1]! + 1;
  assert.equal(a, transitions(plain, Y(1980), end));
  for (let t = Y(1980); t < end; t += 24 * HOUR) assert.is(r.offsetAt(t), plain.offsetAt(t));
  assert.is(r.offsetAt(Y(2060, 7, 1)), r.offsetAt(end));
});

// ---------------------------------------------------------------- damaged files

test('every truncation of a real file is an error, never a throw', () => {
  for (const name of ['Europe/Berlin', 'Pacific/Apia', 'UTC']) {
    const b = new Uint8Array(readFileSync(join(ZONEINFO, name)));
    for (let n = 0; n < b.length; n++) {
      const r = parseTzif(b.subarray(0, n), name);
      assert.is(r.ok, false, `${name} cut to ${n} of ${b.length} bytes parsed`);
      if (!r.ok) assert.ok(r.error.startsWith(`zoneinfo ${name}: `), r.error);
    }
    assert.ok(parseTzif(b, name).ok);
  }
});

test('corrupted bytes never throw; a result that parses still answers with sane offsets', () => {
  const orig = new Uint8Array(readFileSync(join(ZONEINFO, 'America/New_York')));
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    const b = orig.slice();
    for (let k = 0, m = 1 + rand(4); k < m; k++) b[rand(b.length)] = rand(256);
    const r = parseTzif(b, 'fuzz');
    if (!r.ok) {
      errors++;
      continue;
    }
    for (const t of [Y(1900), Y(1970), Y(2024, 7), Y(2100)]) {
      const o = r.zone.offsetAt(t);
      assert.ok(Number.isInteger(o) && o > -26 * 3600 && o < 26 * 3600, `offset ${o}`);
      const n = r.zone.nextTransition!(t);
      assert.ok(n === null || n > t);
    }
  }
  assert.ok(errors > 100, `only ${errors} of 3000 corruptions were noticed`);
});

test('malformed headers: each names the problem', () => {
  const b = new Uint8Array(readFileSync(join(ZONEINFO, 'Europe/Berlin')));
  const bad = (mutate: (x: Uint8Array) => void, re: RegExp): void => {
    const x = b.slice();
    mutate(x);
    const r = parseTzif(x, 'Europe/Berlin');
    assert.is(r.ok, false);
    if (!r.ok) assert.match(r.error, re);
  };
  bad((x) => (x[0] = 0x58), /not a TZif file/);
  bad((x) => (x[4] = 0x39), /unsupported TZif version/);
  // First header's typecnt changed: the 32-bit block shrinks, so the second header is lost.
  bad((x) => (x[20 + 4 * 4 + 3] = 0), /no "TZif" magic at byte/);
  // Second header's typecnt set to 0.
  const dv = new DataView(b.buffer, b.byteOffset);
  const c = (k: number): number => dv.getUint32(20 + 4 * k);
  const v1End = 44 + c(3) * 5 + c(4) * 6 + c(5) + c(2) * 8 + c(1) + c(0);
  bad((x) => x.set([0, 0, 0, 0], v1End + 36), /typecnt is 0|truncated|footer/);
  bad((x) => x.set([0, 0, 0, 0], v1End + 36 + 4), /charcnt is 0|truncated|footer/);
  bad((x) => (x[v1End + 4] = 0x33), /second header says version 3/);
  // A transition naming a type that does not exist (the 64-bit block's index table).
  const t2 = dv.getUint32(v1End + 32);
  bad((x) => (x[v1End + 44 + t2 * 8] = 200), /names time type 200/);
  bad((x) => (x[x.length - 1] = 0x41), /footer/);
  const r = parseTzif('TZif' as unknown as Uint8Array, 'x');
  assert.is(r.ok, false);
});

// ---------------------------------------------------------------- POSIX TZ strings

/** A POSIX rule against a real zone over years where the zone follows that rule. */
function agreesWithIntl(tz: string, zone: string, fromYear: number, toYear: number): void {
  const p = parsePosixTz(tz);
  assert.ok(p.ok, !p.ok ? p.error : '');
  if (!p.ok) return;
  for (let t = Y(fromYear); t < Y(toYear); t += 3 * HOUR) assert.is(p.zone.offsetAt(t), intlOffset(zone, t), `${tz} vs ${zone} at ${iso(t)}`);
  for (const tr of transitions(p.zone, Y(fromYear), Y(toYear))) {
    assert.is(p.zone.offsetAt(tr - 1), intlOffset(zone, tr - 1), `${tz} before ${iso(tr)}`);
    assert.is(p.zone.offsetAt(tr), intlOffset(zone, tr), `${tz} at ${iso(tr)}`);
  }
}

test('POSIX rules match the zones they describe (both hemispheres, half hours, 45 minutes)', () => {
  agreesWithIntl('CET-1CEST,M3.5.0,M10.5.0/3', 'Europe/Berlin', 1997, 2040);
  agreesWithIntl('EST5EDT,M3.2.0,M11.1.0', 'America/New_York', 2008, 2040);
  agreesWithIntl('AEST-10AEDT,M10.1.0,M4.1.0/3', 'Australia/Sydney', 2009, 2040);
  agreesWithIntl('NZST-12NZDT,M9.5.0,M4.1.0/3', 'Pacific/Auckland', 2008, 2040);
  agreesWithIntl('<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45', 'Pacific/Chatham', 2008, 2040);
  agreesWithIntl('<+0330>-3:30', 'Asia/Tehran', 2023, 2040);
  agreesWithIntl('IST-5:30', 'Asia/Kolkata', 1990, 2040);
  agreesWithIntl('<-03>3', 'America/Sao_Paulo', 2020, 2040);
  agreesWithIntl('<-02>2<-01>,M3.5.0/-1,M10.5.0/0', 'America/Nuuk', 2024, 2040);
  agreesWithIntl('IST-2IDT,M3.4.4/26,M10.5.0', 'Asia/Jerusalem', 2013, 2040);
  agreesWithIntl('<-04>4<-03>,M9.1.6/24,M4.1.6/24', 'America/Santiago', 2023, 2040);
});

test('POSIX: offsets, defaults and the date forms', () => {
  const off = (tz: string, ms: number): number => {
    const p = parsePosixTz(tz);
    if (!p.ok) throw new Error(p.error);
    return p.zone.offsetAt(ms);
  };
  assert.is(off('<+0330>-3:30', 0), 12600);
  assert.is(off('<-0330>3:30', 0), -12600);
  assert.is(off('UTC0', 0), 0);
  assert.is(off('UTC', 0), 0); // OpenWrt's default system.timezone
  assert.is(off('EST+5', 0), -18000);
  assert.is(off('XXX-1:02:03', 0), 3723);
  // DST offset defaults to one hour ahead; the rule defaults to the US one.
  assert.is(off('EST5EDT', Y(2030, 7, 1)), -14400);
  assert.is(off('EST5EDT', Y(2030, 3, 10, 6, 59)), -18000);
  assert.is(off('EST5EDT', Y(2030, 3, 10, 7)), -14400);
  const spec = parsePosixTzSpec('EST5EDT');
  assert.ok(spec.ok && spec.spec.dst?.defaultRule === true);
  // Explicit DST offset.
  assert.is(off('LHST-10:30LHDT-11,M10.1.0,M4.1.0', Y(2030, 1, 1)), 11 * 3600);
  assert.is(off('LHST-10:30LHDT-11,M10.1.0,M4.1.0', Y(2030, 7, 1)), 10 * 3600 + 1800);
  // Jn never counts 29 February; n does. J60 is 1 March in every year; day 59 is 29 Feb in 2028.
  const j = parsePosixTz('AAA0BBB,J60/0,J300/0');
  const n = parsePosixTz('AAA0BBB,59/0,300/0');
  assert.ok(j.ok && n.ok);
  if (j.ok && n.ok) {
    assert.is(j.zone.nextTransition!(Y(2028, 1, 1)), Y(2028, 3, 1));
    assert.is(n.zone.nextTransition!(Y(2028, 1, 1)), Y(2028, 2, 29));
    assert.is(j.zone.nextTransition!(Y(2027, 1, 1)), Y(2027, 3, 1));
    assert.is(n.zone.nextTransition!(Y(2027, 1, 1)), Y(2027, 3, 1));
  }
  // Week 5 means the last such weekday even in months with four of them.
  const last = parsePosixTz('AAA0BBB,M2.5.0/0,M10.5.0/0');
  assert.ok(last.ok);
  if (last.ok) assert.is(last.zone.nextTransition!(Y(2030, 1, 1)), Y(2030, 2, 24));
});

test('POSIX: DST all year (RFC 8536 extension) never changes', () => {
  const p = parsePosixTz('EST5EDT,0/0,J365/25');
  assert.ok(p.ok);
  if (!p.ok) return;
  for (let t = Y(2020); t < Y(2030); t += 7 * HOUR) assert.is(p.zone.offsetAt(t), -14400, iso(t));
  assert.is(p.zone.nextTransition!(Y(2025)), null);
});

test('POSIX: malformed strings give errors naming the column and the expected form', () => {
  const cases: [unknown, RegExp][] = [
    ['', /empty/],
    ['CET', /standard-time offset/],
    ['CE-1', /3 or more letters/],
    ['<+03-3', /never closed/],
    ['<+3>-3', /3 or more/],
    ['CET-25', /out of range/],
    ['CET-1CEST,M13.1.0,M10.5.0', /month 1–12/],
    ['CET-1CEST,M3.6.0,M10.5.0', /week 1–5/],
    ['CET-1CEST,M3.5.7,M10.5.0', /day 0–6/],
    ['CET-1CEST,M3.5.0', /DST end/],
    ['CET-1CEST,M3.5.0,M10.5.0/168', /out of range/],
    ['CET-1CEST,J0,J300', /1–365/],
    ['CET-1CEST,366,300', /0–365/],
    ['CET-1CEST,M3.5.0,M10.5.0 junk', /unexpected/],
    ['CET-1:60', /out of range/],
    [':Europe/Berlin', /zoneinfo file/],
    [42, /must be a string/],
  ];
  for (const [input, re] of cases) {
    const r = parsePosixTz(input);
    assert.is(r.ok, false, String(input));
    if (!r.ok) assert.match(r.error, re, `${String(input)} → ${r.error}`);
  }
  const r = parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/168');
  if (!r.ok) assert.match(r.error, /column 26/);
});

// ---------------------------------------------------------------- small helpers

test('zoneinfoPath accepts zone names and refuses paths that leave the directory', () => {
  assert.equal(zoneinfoPath('America/Toronto'), { ok: true, path: '/usr/share/zoneinfo/America/Toronto' });
  assert.equal(zoneinfoPath('UTC', '/tmp/zi/'), { ok: true, path: '/tmp/zi/UTC' });
  assert.equal(zoneinfoPath('Etc/GMT+5'), { ok: true, path: '/usr/share/zoneinfo/Etc/GMT+5' });
  for (const bad of ['../etc/passwd', '/etc/passwd', 'America//Toronto', 'America/./Toronto', 'a b', '', 5]) {
    assert.is(zoneinfoPath(bad).ok, false, String(bad));
  }
  assert.ok(looksLikePosixTz('CET-1CEST,M3.5.0,M10.5.0/3'));
  assert.ok(looksLikePosixTz('<+0330>-3:30'));
  assert.not.ok(looksLikePosixTz('Europe/Berlin'));
  assert.not.ok(looksLikePosixTz('UTC'));
});

test('fixed-offset zones and day arithmetic', () => {
  const z = fixedOffsetZone(19800);
  assert.is(z.name, 'UTC+05:30');
  assert.is(z.offsetAt(123), 19800);
  assert.is(z.nextTransition!(0), null);
  assert.is(fixedOffsetZone(-12600).name, 'UTC-03:30');
  for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [1600, 3, 1], [2100, 12, 31], [1899, 12, 31]] as const) {
    assert.is(daysFromCivil(y, m, d) * 86_400_000, Date.UTC(y, m - 1, d));
  }
});

test.run();
