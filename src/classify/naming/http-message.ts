/**
 * The head of an HTTP/1.x message (RFC 9112 §2–5): start line and header fields, read from
 * however many bytes have arrived so far. Shared by HTTP and SSDP (HTTP over UDP).
 * Pure; only whole lines are read, so a head cut across packets is read again later.
 */
import { latin1 } from '../../util/bytes.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface HttpHead {
  /** Whole lines read (without CR LF); the first is the start line. */
  readonly lines: readonly string[];
  /** The empty line that ends the head was seen. */
  readonly complete: boolean;
}

export interface RequestLine {
  readonly method: string;
  readonly target: string;
  readonly version: string;
}

export interface StatusLine {
  readonly version: string;
  readonly status: number;
}

/** Split the bytes read so far into whole lines, stopping at the blank line. */
export function readHead(b: Uint8Array, lineCap?: number): HttpHead {
  var maxLines = lineCap ?? 128; // no default value: under txiki.js it costs every call
  // The lines' bounds first, found by indexOf (native, where a JS loop costs ~70 ns a byte
  // under QuickJS); then the head decoded once and cut up, rather than a view and a
  // decoding call per line.
  var bounds: number[] = [];
  var count = 0;
  var complete = false;
  var start = 0;
  for (var i = b.indexOf(0x0a); i >= 0 && count < maxLines; i = b.indexOf(0x0a, start)) {
    var end = i > start && b[i - 1] === 0x0d ? i - 1 : i;
    if (end === start) {
      complete = true;
      break;
    }
    bounds[2 * count] = start;
    bounds[2 * count + 1] = end;
    count++;
    start = i + 1;
  }
  var lines: string[] = [];
  if (count > 0) {
    // One character per byte: the text's offsets are the bytes'.
    var text = latin1(b, 0, bounds[2 * count - 1]!);
    for (var k = 0; k < count; k++) lines[k] = text.slice(bounds[2 * k]!, bounds[2 * k + 1]!);
  }
  return { lines, complete };
}

/**
 * Request methods nDPI recognises (RFC 9110 §9, WebDAV RFC 4918, MS RPC over HTTP).
 * A payload must start with one of them followed by a space to be taken for HTTP.
 */
export const HTTP_METHODS: readonly string[] = [
  'GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'TRACE',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'MOVE', 'COPY', 'LOCK', 'UNLOCK', 'REPORT',
  'RPC_CONNECT', 'RPC_IN_DATA', 'RPC_OUT_DATA',
];

export const METHOD_INITIALS: readonly number[] = [...new Set(HTTP_METHODS.map((m) => m.charCodeAt(0)))];

/**
 * Whether the first bytes could still be a request line: a known method, a space, then
 * target bytes so far. 'yes' once the line is whole and valid; 'maybe' while it is not
 * whole yet; 'no' otherwise.
 */
export function requestStart(b: Uint8Array): 'yes' | 'maybe' | 'no' {
  // Cheap first look: every method starts with one of these letters.
  if (b[0] === undefined || !METHOD_INITIALS.includes(b[0])) return 'no';
  const sp = b.subarray(0, 14).indexOf(0x20);
  const methodEnd = sp < 0 ? (b[12] === undefined ? b.length : 13) : sp;
  const method = latin1(b, 0, methodEnd);
  const known = HTTP_METHODS.some((m) => (sp < 0 ? m.startsWith(method) : m === method));
  if (!known) return 'no';
  if (sp < 0) return 'maybe';
  const nl = b.indexOf(0x0a);
  if (nl < 0) {
    for (let i = sp + 1; i < b.length; i++) if (!isLineByte(b[i]!)) return 'no';
    return 'maybe';
  }
  const head = readHead(b.subarray(0, nl + 1));
  return head.lines[0] !== undefined && parseRequestLine(head.lines[0]) ? 'yes' : 'no';
}

/** Printable ASCII, space, or bytes ≥ 0x80 (unescaped UTF-8 in targets is common). */
function isLineByte(c: number): boolean {
  return (c >= 0x20 && c !== 0x7f) || c === 0x0d;
}

/** `METHOD target HTTP/1.x`, with a target free of spaces and control bytes. */
export function parseRequestLine(line: string): RequestLine | null {
  const m = /^([A-Z_]+) +([^\s\x00-\x1f\x7f]+) +(HTTP\/1\.[01])$/.exec(line);
  if (!m || !HTTP_METHODS.includes(m[1]!)) return null;
  return { method: m[1]!, target: m[2]!, version: m[3]! };
}

/** `HTTP/1.x NNN reason`. */
export function parseStatusLine(line: string): StatusLine | null {
  const m = /^(HTTP\/1\.[01]) ([1-5][0-9][0-9])(?: .*)?$/.exec(line);
  return m ? { version: m[1]!, status: Number(m[2]) } : null;
}

/**
 * Whether the first bytes open a status line ("HTTP/1.x "): 'yes', 'maybe' while fewer
 * bytes than that have arrived and they agree so far, 'no' otherwise.
 */
export function statusStart(b: Uint8Array): 'yes' | 'maybe' | 'no' {
  // The length read once and the prefix's bytes from a table: under txiki.js a typed
  // array's length, a Math call and a charCodeAt are each a native call.
  const size = b.length;
  const n = size < STATUS_PREFIX.length ? size : STATUS_PREFIX.length;
  for (let i = 0; i < n; i++) if (b[i] !== STATUS_PREFIX[i]) return 'no';
  if (size > 7 && b[7] !== 0x30 && b[7] !== 0x31) return 'no';
  if (size > 8 && b[8] !== 0x20) return 'no';
  return size >= 9 ? 'yes' : 'maybe';
}

/** "HTTP/1." as bytes. */
const STATUS_PREFIX: readonly number[] = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];

/** Value of the first header field called `name` (case-insensitive), trimmed; null if absent. */
export function headerValue(head: HttpHead, name: string): string | null {
  var want = name.toLowerCase();
  for (var i = 1; i < head.lines.length; i++) {
    var line = head.lines[i]!;
    var colon = line.indexOf(':');
    if (colon > 0 && namesField(line, colon, want)) return line.slice(colon + 1).trim();
  }
  return null;
}

/**
 * `line.slice(0, colon).trim().toLowerCase() === want`, compared in place: this runs on
 * every line of a head for each field looked up, and the strings cost more than the
 * comparison under an interpreter. Exact for Latin-1 text, which is what `readHead` makes.
 */
function namesField(line: string, colon: number, want: string): boolean {
  var n = want.length;
  // Trimming only shortens: a name shorter than wanted never matches, and one as long
  // matches only untrimmed, compared natively (a charCodeAt per character is a native
  // call apiece under txiki.js; toLowerCase changes just A–Z and À–Þ but × in Latin-1).
  if (colon < n) return false;
  if (colon === n) return line.slice(0, n).toLowerCase() === want;
  var s = 0;
  var e = colon;
  while (s < e && isTrimmed(line.charCodeAt(s))) s++;
  while (e > s && isTrimmed(line.charCodeAt(e - 1))) e--;
  if (e - s !== want.length) return false;
  for (var k = 0; k < want.length; k++) {
    var c = line.charCodeAt(s + k);
    // Latin-1's upper-case letters: A–Z and À–Þ except ×.
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0xde && c !== 0xd7)) c += 0x20;
    if (c !== want.charCodeAt(k)) return false;
  }
  return true;
}

/** What `String.prototype.trim` removes, within Latin-1: tab to CR, space, no-break space. */
function isTrimmed(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
}
