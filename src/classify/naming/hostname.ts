/**
 * Host names as nDPI records them, so ours compare equal to its `Hostname/SNI`: ASCII
 * lower-cased, tabs made spaces, other unprintable bytes made '?', trailing spaces cut.
 */
import { latin1 } from '../../util/bytes.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/**
 * Any character but printable ASCII (NUL, controls, bytes ≥ 0x7f). Tested natively on the
 * decoded text: under txiki.js a JS loop over the bytes costs more than twice as much.
 */
const UNPRINTABLE = /[^ -~]/;

/** Normalise raw name bytes (HTTP Host, DHCP option 12, NetBIOS name, …). */
export function normalizeHostBytes(b: Uint8Array, start?: number, end?: number): string {
  // Bounds clamped without Math calls, the length read only when `end` is not given or
  // lies past the bytes (a read past the end gives undefined): native calls under txiki.js.
  var from = start !== undefined && start > 0 ? start : 0;
  var last = end === undefined || (end > 0 && b[end - 1] === undefined) ? b.length : end;
  // Printable ASCII, the usual case: see normalizeHostText. (Anything else, a NUL too,
  // takes the loop below, which ends the name at a NUL as C strings do.)
  var text = latin1(b, from, last);
  var known = normalized.get(text);
  if (known !== undefined) return known;
  var name: string;
  if (!UNPRINTABLE.test(text)) name = lowerTrimmed(text);
  else {
    name = '';
    for (var i = from; i < last; i++) {
      var c = b[i]!;
      if (c === 0) break; // C strings end at NUL, and so did nDPI's copy
      if (c === 0x09) c = 0x20;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      name += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
    }
    name = name.replace(/ +$/, '');
  }
  if (normalized.size >= NORMALIZED_MAX) normalized.clear();
  normalized.set(text, name);
  return name;
}

/**
 * Names normalised lately, by their bytes as text (one character per byte): flows repeat
 * their hosts, and under txiki.js the lookup costs a fraction of the test and lower-casing.
 * Bounded: emptied when full.
 */
const normalized = new Map<string, string>();
const NORMALIZED_MAX = 512;

/** Same rules for a name already held as text (one char per byte). */
export function normalizeHostText(s: string): string {
  // Printable ASCII, the usual case: lower-casing is all there is to do, and done natively
  // (a string built a character at a time costs a new string per character under QuickJS).
  if (!UNPRINTABLE.test(s)) return lowerTrimmed(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0) break;
    if (c === 0x09) c = 0x20;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return out.replace(/ +$/, '');
}

/** Printable ASCII text lower-cased (natively: only A–Z change), trailing spaces cut. */
function lowerTrimmed(s: string): string {
  const lower = s.toLowerCase();
  return lower.endsWith(' ') ? lower.replace(/ +$/, '') : lower;
}
