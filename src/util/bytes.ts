/**
 * Byte helpers that work the same under Node and QuickJS-ng (where TextDecoder may be
 * missing). Bounds are always checked: readers return null/-1 instead of throwing.
 */
// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/**
 * Bytes as ISO-8859-1 text (every byte one char). Safe for ASCII protocol fields.
 * Under txiki.js a typed array's `length`, a view and each Math call are a native call
 * apiece: the bounds are clamped by hand, the length read only when `end` is not given
 * or lies past the bytes (a read past the end gives undefined), and a view made only
 * for part of the bytes.
 */
export function latin1(b: Uint8Array, start?: number, end?: number): string {
  // No default values for the bounds: under txiki.js they cost every call more than this.
  var s = start !== undefined && start > 0 ? start : 0;
  var e = end === undefined || (end > 0 && b[end - 1] === undefined) ? b.length : end;
  // A loop beats apply() only for a few characters under QuickJS (at 32 it took 5× as
  // long: a new string per character); under V8 the two are close.
  if (e - s <= 4) {
    var out = '';
    for (var i = s; i < e; i++) out += String.fromCharCode(b[i]!);
    return out;
  }
  // apply() takes the typed array as is.
  if (e - s <= 4096) {
    return String.fromCharCode.apply(null, (s === 0 && (end === undefined || e === b.length) ? b : b.subarray(s, e)) as unknown as number[]);
  }
  var out = '';
  // Chunked to stay clear of argument-count limits.
  for (var i = s; i < e; i += 4096) {
    out += String.fromCharCode.apply(null, b.subarray(i, e - i > 4096 ? i + 4096 : e) as unknown as number[]);
  }
  return out;
}

/** Decode UTF-8; invalid sequences become U+FFFD. */
export function utf8(b: Uint8Array, start = 0, end = b.length): string {
  const s = Math.max(0, start);
  const e = Math.min(b.length, end);
  let out = '';
  let i = s;
  while (i < e) {
    const c = b[i]!;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
    else { out += '\ufffd'; i++; continue; }
    if (i + need >= e) { out += "\ufffd"; i++; continue; }
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) { ok = false; break; }
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (!ok || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { out += '\ufffd'; i++; continue; }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/**
 * The engine's UTF-8 encoder where there is one (txiki.js, Node): every line flowsieve
 * writes goes through here, and a loop in JavaScript costs about a third of a µs per
 * character under QuickJS, more than classifying the flow the line describes.
 */
const nativeEncoder: { encode(s: string): Uint8Array } | null =
  typeof (globalThis as { TextEncoder?: unknown }).TextEncoder === 'function'
    ? new (globalThis as unknown as { TextEncoder: new () => { encode(s: string): Uint8Array } }).TextEncoder()
    : null;

/** Text to UTF-8 bytes; a lone surrogate becomes U+FFFD, as TextEncoder has it. */
export function encodeUtf8(s: string): Uint8Array {
  if (nativeEncoder !== null) return nativeEncoder.encode(s);
  return encodeUtf8Js(s);
}

/** encodeUtf8 without the engine's encoder (exported for the test that they agree). */
export function encodeUtf8Js(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else cp = 0xfffd;
    }
    if (cp < 0x80) out[n++] = cp;
    else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 63);
    } else if (cp < 0x10000) {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 63);
      out[n++] = 0x80 | (cp & 63);
    } else {
      out[n++] = 0xf0 | (cp >> 18);
      out[n++] = 0x80 | ((cp >> 12) & 63);
      out[n++] = 0x80 | ((cp >> 6) & 63);
      out[n++] = 0x80 | (cp & 63);
    }
  }
  return out.slice(0, n);
}

// The readers test their last byte for undefined (past the end) rather than compare with
// `b.length`: under txiki.js that is a native getter call, several times the reads' cost.
// (Offsets are never negative.)

export function u16be(b: Uint8Array, o: number): number {
  const last = b[o + 1];
  return last === undefined ? -1 : (b[o]! << 8) | last;
}

export function u24be(b: Uint8Array, o: number): number {
  const last = b[o + 2];
  return last === undefined ? -1 : (b[o]! << 16) | (b[o + 1]! << 8) | last;
}

export function u32be(b: Uint8Array, o: number): number {
  const last = b[o + 3];
  return last === undefined ? -1 : ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | last);
}

/** Two lower-case hex digits per byte value: one lookup per byte, not a number formatted and padded. */
export const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, '0'));

export function hex(b: Uint8Array, start?: number, end?: number): string {
  // No default values (see latin1).
  var size = b.length;
  var e = end === undefined || end > size ? size : end;
  var out = '';
  for (var i = start !== undefined && start > 0 ? start : 0; i < e; i++) out += HEX_BYTE[b[i]!]!;
  return out;
}

/** Case-insensitive ASCII search for `needle` (lower-case) in `b`; -1 when absent. */
export function indexOfAscii(b: Uint8Array, needle: string, from = 0): number {
  const n = needle.length;
  outer: for (let i = Math.max(0, from); i + n <= b.length; i++) {
    for (let k = 0; k < n; k++) {
      let c = b[i + k]!;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== needle.charCodeAt(k)) continue outer;
    }
    return i;
  }
  return -1;
}
