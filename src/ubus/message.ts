/**
 * ubus messages (ubusmsg.h): an 8-byte header — u8 version (0), u8 type, BE u16 seq,
 * BE u32 peer — then one blob attribute (id 0) holding the message attributes. The
 * builders below put attributes in the order libubus does, so frames match its bytes.
 */
import { utf8, encodeUtf8 } from '../util/bytes.js';
import { BLOB_HEADER, BlobError, BlobWriter, padLen, parseBlobAttrs, readBlobHeader, readU16, readU32 } from './blob.js';
import { type BlobmsgAttr, decodeAttrs, decodeBlobmsg, writeAttr } from './blobmsg.js';

export const MSG = {
  hello: 0,
  status: 1,
  data: 2,
  ping: 3,
  lookup: 4,
  invoke: 5,
  addObject: 6,
  removeObject: 7,
  subscribe: 8,
  unsubscribe: 9,
  notify: 10,
  monitor: 11,
} as const;
export type MsgType = (typeof MSG)[keyof typeof MSG];

export const ATTR = {
  status: 1,
  objpath: 2,
  objid: 3,
  method: 4,
  objtype: 5,
  signature: 6,
  data: 7,
  target: 8,
  active: 9,
  noReply: 10,
  subscribers: 11,
  user: 12,
  group: 13,
} as const;

/** ubus status codes (enum ubus_msg_status) and libubus's texts for them. */
export const STATUS = {
  ok: 0,
  invalidCommand: 1,
  invalidArgument: 2,
  methodNotFound: 3,
  notFound: 4,
  noData: 5,
  permissionDenied: 6,
  timeout: 7,
  notSupported: 8,
  unknownError: 9,
  connectionFailed: 10,
  noMemory: 11,
  parseError: 12,
  systemError: 13,
} as const;

const STATUS_TEXT = [
  'Success',
  'Invalid command',
  'Invalid argument',
  'Method not found',
  'Not found',
  'No response',
  'Permission denied',
  'Request timed out',
  'Operation not supported',
  'Unknown error',
  'Connection failed',
  'Out of memory',
  'Parsing message data failed',
  'System error',
];

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? `Unknown error: ${code}`;
}

/** The system object that takes `send` and `register` for events. */
export const EVENT_OBJECT_ID = 1;
export const HEADER_LEN = 8;
/** ubusd's UBUS_MAX_MSGLEN (CMake default): larger frames are refused by both sides. */
export const MAX_MSGLEN = 1048576;

/** A method's argument types as ADD_OBJECT signs them: name → blobmsg type number. */
export type MethodSignature = readonly (readonly [string, number])[];
export type ObjectSignature = readonly { readonly method: string; readonly args: MethodSignature }[];

/** The attributes a message may carry, as decoded. Absent = not sent (or not of its type). */
export interface MsgAttrs {
  status?: number;
  objpath?: string;
  objid?: number;
  method?: string;
  objtype?: number;
  signature?: ObjectSignature;
  data?: BlobmsgAttr[];
  /** DATA was there but is not valid blobmsg: why. The frame itself was sound. */
  dataError?: string;
  target?: number;
  active?: boolean;
  noReply?: boolean;
  subscribers?: number[];
  user?: string;
  group?: string;
}

export interface UbusMessage {
  readonly type: number;
  readonly seq: number;
  readonly peer: number;
  readonly attrs: MsgAttrs;
}

/** One attribute to put, in order. */
export type AttrEntry =
  | { readonly id: number; readonly u32: number }
  | { readonly id: number; readonly u8: number }
  | { readonly id: number; readonly str: string }
  | { readonly id: number; readonly data: readonly BlobmsgAttr[] }
  | { readonly id: number; readonly signature: ObjectSignature }
  | { readonly id: number; readonly ids: readonly number[] };

function writeEntry(w: BlobWriter, e: AttrEntry): void {
  const m = w.begin();
  if ('u32' in e) w.u32(e.u32 >>> 0);
  else if ('u8' in e) w.u8(e.u8);
  else if ('str' in e) {
    w.bytes(encodeUtf8(e.str));
    w.u8(0);
  } else if ('data' in e) for (const a of e.data) writeAttr(w, a);
  else if ('signature' in e) {
    // One blobmsg table per method, its fields the argument types as int32 (ubus_push_method_data).
    for (const s of e.signature) {
      writeAttr(w, { name: s.method, value: { type: 'table', items: s.args.map(([name, t]) => ({ name, value: { type: 'int32', value: t } })) } });
    }
  } else for (const id of e.ids) w.attr(0, new Uint8Array([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]));
  w.end(m, e.id, false);
}

/** A whole frame: header, then the message blob holding `entries` in order. */
export function encodeMessage(type: number, seq: number, peer: number, entries: readonly AttrEntry[]): Uint8Array {
  const w = new BlobWriter();
  w.u8(0);
  w.u8(type);
  w.u16(seq & 0xffff);
  w.u32(peer >>> 0);
  const m = w.begin();
  for (const e of entries) writeEntry(w, e);
  w.end(m, 0, false);
  return w.finish();
}

// ------------------------------------------------------------------ decoding

function u32Of(p: Uint8Array): number | undefined {
  return p.length === 4 ? readU32(p, 0) : undefined;
}

function strOf(p: Uint8Array): string | undefined {
  return p.length >= 1 && p[p.length - 1] === 0 ? utf8(p, 0, p.length - 1) : undefined;
}

function decodeSignature(p: Uint8Array, base: number): ObjectSignature {
  return decodeAttrs(p, true, base).map((m) => {
    if (m.value.type !== 'table') throw new BlobError(`signature of method ${m.name} is not a table`, base);
    const args = m.value.items.map((a): readonly [string, number] => {
      if (a.value.type !== 'int32') throw new BlobError(`argument ${a.name} of method ${m.name} has no int32 type`, base);
      return [a.name, a.value.value];
    });
    return { method: m.name, args };
  });
}

/**
 * The attributes of a message blob (`b` = its payload). Attributes of the wrong size for
 * their type are left out, as blob_parse_untrusted does; DATA that is not valid blobmsg
 * is reported in `dataError`; a broken blob structure or SIGNATURE throws BlobError.
 */
export function decodeAttrsOfMessage(b: Uint8Array, base: number): MsgAttrs {
  const out: MsgAttrs = {};
  for (const a of parseBlobAttrs(b)) {
    const p = a.payload;
    const at = base + a.offset + BLOB_HEADER;
    switch (a.id) {
      case ATTR.status: out.status = u32Of(p); break;
      case ATTR.objpath: out.objpath = strOf(p); break;
      case ATTR.objid: out.objid = u32Of(p); break;
      case ATTR.method: out.method = strOf(p); break;
      case ATTR.objtype: out.objtype = u32Of(p); break;
      case ATTR.signature: out.signature = decodeSignature(p, at); break;
      case ATTR.data:
        // Another client's bad payload must not cost us the connection: the request
        // gets an error status, while a broken frame structure still throws.
        try {
          out.data = decodeBlobmsg(p, at);
        } catch (e) {
          if (!(e instanceof BlobError)) throw e;
          out.dataError = e.message;
        }
        break;
      case ATTR.target: out.target = u32Of(p); break;
      case ATTR.active: out.active = p.length === 1 ? p[0] !== 0 : undefined; break;
      case ATTR.noReply: out.noReply = p.length === 1 ? p[0] !== 0 : undefined; break;
      case ATTR.subscribers:
        out.subscribers = parseBlobAttrs(p).flatMap((s) => (s.payload.length === 4 ? [readU32(s.payload, 0)] : []));
        break;
      case ATTR.user: out.user = strOf(p); break;
      case ATTR.group: out.group = strOf(p); break;
      default: break; // newer attributes: ignored, as ubusd's policy table does
    }
  }
  for (const k of Object.keys(out) as (keyof MsgAttrs)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** Header fields and attributes in the order they came: encodeMessage gives the same bytes back. */
export interface MessageEntries {
  readonly type: number;
  readonly seq: number;
  readonly peer: number;
  readonly entries: AttrEntry[];
}

const U32_ATTRS: ReadonlySet<number> = new Set([ATTR.status, ATTR.objid, ATTR.objtype, ATTR.target]);
const STRING_ATTRS: ReadonlySet<number> = new Set([ATTR.objpath, ATTR.method, ATTR.user, ATTR.group]);

/** Decode a whole frame keeping attribute order and exact types (for tools and tests). */
export function decodeEntries(frame: Uint8Array): MessageEntries {
  frameLength(frame, 0);
  const base = HEADER_LEN + BLOB_HEADER;
  const entries = parseBlobAttrs(frame.subarray(base)).map((a): AttrEntry => {
    const p = a.payload;
    const at = base + a.offset + BLOB_HEADER;
    if (U32_ATTRS.has(a.id) && p.length === 4) return { id: a.id, u32: readU32(p, 0) };
    if (STRING_ATTRS.has(a.id) && strOf(p) !== undefined) return { id: a.id, str: strOf(p)! };
    if ((a.id === ATTR.active || a.id === ATTR.noReply) && p.length === 1) return { id: a.id, u8: p[0]! };
    if (a.id === ATTR.data) return { id: a.id, data: decodeBlobmsg(p, at) };
    if (a.id === ATTR.signature) return { id: a.id, signature: decodeSignature(p, at) };
    if (a.id === ATTR.subscribers) return { id: a.id, ids: parseBlobAttrs(p).map((s) => readU32(s.payload, 0)) };
    throw new BlobError(`attribute ${a.id} of ${p.length} bytes has no known shape`, base + a.offset);
  });
  return { type: frame[1]!, seq: readU16(frame, 2), peer: readU32(frame, 4), entries };
}

/**
 * Header checks as ubus_validate_hdr and ubusd's reader make them. Returns the frame's
 * total length once the first 12 bytes are there, or throws BlobError when the frame can
 * never be valid (the stream is then out of step and must be closed).
 */
export function frameLength(b: Uint8Array, at: number): number {
  if (b[at] !== 0) throw new BlobError(`ubus message version ${b[at]} (only 0 exists)`, at);
  const h = readBlobHeader(b, at + HEADER_LEN);
  if (h.rawLen < BLOB_HEADER) throw new BlobError(`message blob length ${h.rawLen} is shorter than its header`, at + HEADER_LEN);
  if (padLen(h.rawLen) > MAX_MSGLEN) throw new BlobError(`message of ${h.rawLen} bytes exceeds ubus's ${MAX_MSGLEN}-byte limit`, at + HEADER_LEN);
  return HEADER_LEN + h.rawLen;
}

/** Decode one complete frame (`b` holds exactly the frame). */
export function decodeMessage(b: Uint8Array): UbusMessage {
  const len = frameLength(b, 0);
  if (len !== b.length) throw new BlobError(`frame of ${b.length} bytes, header says ${len}`, 0);
  return { type: b[1]!, seq: readU16(b, 2), peer: readU32(b, 4), attrs: decodeAttrsOfMessage(b.subarray(HEADER_LEN + BLOB_HEADER), HEADER_LEN + BLOB_HEADER) };
}

// ------------------------------------------------------------------ the messages a client sends

const put = {
  u32: (id: number, u32: number): AttrEntry => ({ id, u32 }),
  str: (id: number, str: string): AttrEntry => ({ id, str }),
  data: (data: readonly BlobmsgAttr[]): AttrEntry => ({ id: ATTR.data, data }),
};

/** LOOKUP of one path, a `prefix*`, or every object (ubus_lookup). */
export function lookupMsg(seq: number, path?: string): Uint8Array {
  return encodeMessage(MSG.lookup, seq, 0, path === undefined ? [] : [put.str(ATTR.objpath, path)]);
}

/** INVOKE of `method` on object `objid` (ubus_invoke_async_fd); the peer is the object. */
export function invokeMsg(seq: number, objid: number, method: string, data: readonly BlobmsgAttr[]): Uint8Array {
  return encodeMessage(MSG.invoke, seq, objid, [put.u32(ATTR.objid, objid), put.str(ATTR.method, method), put.data(data)]);
}

/** ADD_OBJECT (ubus_add_object): a named object with its methods, or a nameless one (event listener). */
export function addObjectMsg(seq: number, path?: string, signature?: ObjectSignature): Uint8Array {
  const entries: AttrEntry[] = [];
  if (path !== undefined && signature) entries.push(put.str(ATTR.objpath, path), { id: ATTR.signature, signature });
  return encodeMessage(MSG.addObject, seq, 0, entries);
}

export function removeObjectMsg(seq: number, objid: number): Uint8Array {
  return encodeMessage(MSG.removeObject, seq, 0, [put.u32(ATTR.objid, objid)]);
}

/** DATA answer to an INVOKE (ubus_send_reply): same seq, peer = the caller. */
export function replyDataMsg(seq: number, peer: number, objid: number, data: readonly BlobmsgAttr[]): Uint8Array {
  return encodeMessage(MSG.data, seq, peer, [put.u32(ATTR.objid, objid), put.data(data)]);
}

/** STATUS that ends an INVOKE (ubus_complete_deferred_request). */
export function replyStatusMsg(seq: number, peer: number, objid: number, status: number): Uint8Array {
  return encodeMessage(MSG.status, seq, peer, [put.u32(ATTR.status, status), put.u32(ATTR.objid, objid)]);
}

/** An event (ubus_send_event): INVOKE on the event object, method `send`, data {id, data}. */
export function sendEventMsg(seq: number, id: string, data: readonly BlobmsgAttr[]): Uint8Array {
  return invokeMsg(seq, EVENT_OBJECT_ID, 'send', [
    { name: 'id', value: { type: 'string', value: id } },
    { name: 'data', value: { type: 'table', items: data } },
  ]);
}

/** Listen for events matching `pattern` on listener object `objid` (ubus_register_event_handler). */
export function registerEventMsg(seq: number, objid: number, pattern: string): Uint8Array {
  return invokeMsg(seq, EVENT_OBJECT_ID, 'register', [
    { name: 'object', value: { type: 'int32', value: objid } },
    { name: 'pattern', value: { type: 'string', value: pattern } },
  ]);
}

/** NOTIFY to the subscribers of our object (ubus_notify); `noReply` when not waiting for them. */
export function notifyMsg(seq: number, objid: number, type: string, data: readonly BlobmsgAttr[], noReply: boolean): Uint8Array {
  const entries = [put.u32(ATTR.objid, objid), put.str(ATTR.method, type), put.data(data)];
  if (noReply) entries.push({ id: ATTR.noReply, u8: 1 });
  return encodeMessage(MSG.notify, seq, objid, entries);
}

/** SUBSCRIBE our subscriber object `objid` to `target` (ubus_subscribe). */
export function subscribeMsg(seq: number, objid: number, target: number): Uint8Array {
  return encodeMessage(MSG.subscribe, seq, 0, [put.u32(ATTR.objid, objid), put.u32(ATTR.target, target)]);
}

export function unsubscribeMsg(seq: number, objid: number, target: number): Uint8Array {
  return encodeMessage(MSG.unsubscribe, seq, 0, [put.u32(ATTR.objid, objid), put.u32(ATTR.target, target)]);
}

export function pingMsg(seq: number): Uint8Array {
  return encodeMessage(MSG.ping, seq, 0, []);
}
