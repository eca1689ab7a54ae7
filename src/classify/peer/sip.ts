/**
 * SIP (RFC 3261) over UDP and TCP, nDPI 'SIP'. A message is a start line — a request
 * "METHOD sip:/sips:/tel:URI SIP/2.0" or a status line "SIP/2.0 NNN reason" — then header
 * lines. Claimed on one message whose start line parses and whose headers include the
 * mandatory Via and Call-ID (or CSeq), in full or compact form (v:, i:).
 * Meta `sip`: { method | status, user_agent?, from?, to?, call_id? }.
 */
import { latin1 } from '../../util/bytes.js';
import { dissector, type MetaSection } from '../dissector.js';

const PROTOCOL = 'SIP';
/** RFC 3261 methods plus the extensions in the IANA registry. */
const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE'];
const REQUEST_LINE = /^([A-Z]+) ((?:sips?|tel|urn):[^ \r\n]+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6][0-9][0-9]) [^\r\n]*$/;
/** Enough for the start line and the headers that identify the message. */
const MAX_SCAN = 2048;
const MAX_HEADER_FIELD = 200;

export interface SipMessage {
  readonly method: string | null;
  readonly status: number | null;
  readonly headers: ReadonlyMap<string, string>;
}

/** Compact header forms (RFC 3261 §7.3.3) mapped to their full names. */
const COMPACT: { readonly [c: string]: string } = { v: 'via', i: 'call-id', f: 'from', t: 'to', m: 'contact', l: 'content-length', c: 'content-type' };

export function parseSip(b: Uint8Array): SipMessage | null {
  if (b.length < 16) return null;
  const first = b[0]!;
  if (first < 0x41 || first > 0x5a) return null; // an upper-case letter: method or "SIP"
  const text = latin1(b, 0, Math.min(b.length, MAX_SCAN));
  const lines = text.split('\r\n');
  if (lines.length < 3) return null;
  const start = lines[0]!;
  let method: string | null = null;
  let status: number | null = null;
  const req = REQUEST_LINE.exec(start);
  if (req) {
    if (!METHODS.includes(req[1]!)) return null;
    method = req[1]!;
  } else {
    const st = STATUS_LINE.exec(start);
    if (!st) return null;
    status = Number(st[1]);
  }
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // A folded continuation line, or the scan cut the message: stop at junk.
      if (line.startsWith(' ') || line.startsWith('\t') || i === lines.length - 1) continue;
      return null;
    }
    const rawName = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9!%'*+.^_`|~-]+$/.test(rawName)) return null;
    const name = COMPACT[rawName] ?? rawName;
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim().slice(0, MAX_HEADER_FIELD));
  }
  if (!headers.has('via') || (!headers.has('call-id') && !headers.has('cseq'))) return null;
  return { method, status, headers };
}

export const sipDissector = dissector<null>({
  name: 'sip',
  ipProtocols: [6, 17],
  // A keep-alive (CR, LF) or what parseSip() wants first: a method or "SIP" (upper case).
  firstLook: { firstBytes: [0x0d, 0x0a, ...Array.from({ length: 26 }, (_, i) => 0x41 + i)] },
  create: () => null,
  feed(_s, pkt, _flow, out) {
    // RFC 5626 keep-alives (CRLF pairs) may come before the first message.
    if (pkt.payload.length <= 4 && pkt.payload.every((c) => c === 0x0d || c === 0x0a)) return 'more';
    const m = parseSip(pkt.payload);
    if (!m) return 'no';
    out.protocol = PROTOCOL;
    const meta: MetaSection = {};
    if (m.method) meta['method'] = m.method;
    if (m.status !== null) meta['status'] = m.status;
    for (const [field, header] of [
      ['user_agent', 'user-agent'],
      ['from', 'from'],
      ['to', 'to'],
      ['call_id', 'call-id'],
    ] as const) {
      const v = m.headers.get(header);
      if (v) meta[field] = v;
    }
    out.meta['sip'] = meta;
    return 'done';
  },
});
