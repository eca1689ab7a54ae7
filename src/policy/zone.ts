/**
 * Time zones for time-of-day policy windows, without the host's time-zone support:
 * QuickJS-ng has no Intl, and an OpenWrt router often has no zoneinfo files at all, only a
 * POSIX TZ string (in /etc/TZ or UCI `system.@system[0].timezone`). A zone comes from a
 * POSIX TZ string (posix-tz.ts) or a compiled zoneinfo file (tzif.ts); this module says what
 * a zone is and how a configured zone is named.
 *
 * Parsers return `{ ok: false, error }` on bad input and never throw. Reading files is the
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
