/**
 * HTTP/1.x over TCP (nDPI 'HTTP'; 'HTTP_Proxy' for absolute-URI requests, 'HTTP_Connect'
 * for CONNECT). The request head may come in several segments: the client's bytes are
 * gathered (up to 8 KiB) until the Host header, the end of the head, or the server's first
 * reply, and the flow is claimed then, with its host name. A flow seen from its response
 * only (asymmetric capture) is claimed on the status line. After the claim the dissector
 * keeps reading until it has the response's status code and content type.
 */
import type { ProtocolName } from '../../names.js';
import type { Direction } from '../../flow/types.js';
import type { Detection, Dissector, L4Packet, MetaSection } from '../dissector.js';
import { dissector } from '../dissector.js';
import { TcpPrefix } from '../tcp-stream.js';
import { normalizeHostText } from './hostname.js';
import {
  headerValue,
  METHOD_INITIALS,
  parseRequestLine,
  parseStatusLine,
  readHead,
  requestStart,
  statusStart,
  type HttpHead,
  type RequestLine,
} from './http-message.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Bytes of each direction's head kept (a request head larger than this is rare). */
const HEAD_CAP = 8192;
/** Packets read after the claim while waiting for the rest of the metadata. */
const MAX_PACKETS_AFTER_CLAIM = 10;

interface Side {
  /** The side's bytes in sequence order, up to HEAD_CAP. */
  readonly prefix: TcpPrefix;
  /** The head is whole, or the cap was reached: nothing more to gather. */
  closed: boolean;
  /** The prefix read as a head, kept until the prefix grows (it is replaced, never modified). */
  head: HttpHead | null;
  headOf: Uint8Array | null;
  /** The head last written to the meta section: the same head would write the same again. */
  described: HttpHead | null;
}

export interface HttpState {
  /** Direction the requests travel in; null until the first payload says. */
  clientDir: Direction | null;
  sides: [Side, Side];
  claimed: boolean;
  afterClaim: number;
}

function newSide(): Side {
  return { prefix: new TcpPrefix(HEAD_CAP), closed: false, head: null, headOf: null, described: null };
}

/** The side's bytes read as a message head; read again only when bytes were added. */
function headOf(side: Side): HttpHead {
  var bytes = side.prefix.bytes;
  if (side.head === null || side.headOf !== bytes) {
    side.head = readHead(bytes);
    side.headOf = bytes;
  }
  return side.head;
}

/** Add a segment to a side's bytes (placed by sequence number); false when nothing was added. */
function gather(side: Side, pkt: L4Packet): boolean {
  if (side.closed) return false;
  var grew = side.prefix.push(pkt.tcpSeq, pkt.payload);
  if (side.prefix.full) side.closed = true;
  return grew;
}

/** Host header → host name: lower case, port dropped, IPv6 brackets removed. */
export function hostFromHeader(value: string): string {
  let host = value.trim();
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    host = close > 0 ? host.slice(1, close) : host.slice(1);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  return normalizeHostText(host);
}

/** The URL as nDPI reports it: host + target, or the target alone when it is absolute. */
function urlOf(req: RequestLine, host: string | null): string {
  if (req.method === 'CONNECT' || /^https?:\/\//i.test(req.target)) return req.target;
  return (host ?? '') + req.target;
}

function protocolOf(req: RequestLine): ProtocolName {
  if (req.method === 'CONNECT') return 'HTTP_Connect';
  return /^http:\/\//i.test(req.target) ? 'HTTP_Proxy' : 'HTTP';
}

/** Host named by an absolute-form or authority-form target, when there is no Host header. */
function hostFromTarget(req: RequestLine): string | null {
  if (req.method === 'CONNECT') return hostFromHeader(req.target);
  const m = /^https?:\/\/([^/?#]+)/i.exec(req.target);
  return m ? hostFromHeader(m[1]!.replace(/^.*@/, '')) : null;
}

function describeRequest(head: HttpHead, req: RequestLine, meta: MetaSection, out: Detection): void {
  var hostHeader = headerValue(head, 'host');
  var host = hostHeader !== null ? hostFromHeader(hostHeader) : hostFromTarget(req);
  if (host && !out.hostname) out.hostname = host;
  meta['method'] = req.method;
  meta['url'] = urlOf(req, hostHeader?.trim() ?? null);
  if (hostHeader !== null) meta['host'] = hostHeader;
  var ua = headerValue(head, 'user-agent');
  if (ua !== null) {
    meta['user_agent'] = ua;
    var app = appForUserAgent(ua);
    if (app && !out.application) out.application = app;
  }
}

/**
 * Clients that name their application in the User-Agent even when the host is a bare
 * address or a CDN (Windows Update downloads come from caches by IP).
 */
const USER_AGENT_APPS: readonly [RegExp, string][] = [
  [/^Microsoft-Delivery-Optimization\//, 'windows-update'],
  [/^Windows-Update-Agent/, 'windows-update'],
];

export function appForUserAgent(ua: string): string | null {
  for (const [re, app] of USER_AGENT_APPS) if (re.test(ua)) return app;
  return null;
}

function describeResponse(head: HttpHead, meta: MetaSection): void {
  var status = head.lines[0] !== undefined ? parseStatusLine(head.lines[0]) : null;
  if (!status) return;
  meta['status_code'] = status.status;
  var type = headerValue(head, 'content-type');
  if (type !== null) meta['content_type'] = type.split(';')[0]!.trim();
  var server = headerValue(head, 'server');
  if (server !== null) meta['server'] = server;
}

export const httpDissector: Dissector<unknown> = dissector<HttpState>({
  name: 'http',
  ipProtocols: [6],
  // The first payload opens a request (a method) or a status line ("HTTP/1.").
  firstLook: { firstBytes: [...METHOD_INITIALS, 0x48] },
  create() {
    return { clientDir: null, sides: [newSide(), newSide()], claimed: false, afterClaim: 0 };
  },
  feed(state, pkt, _flow, out) {
    if (state.clientDir === null) {
      // The first payload decides the roles: a request from the client, or (seen from
      // the middle or one side only) a response from the server.
      if (requestStart(pkt.payload) !== 'no') state.clientDir = pkt.dir;
      else if (statusStart(pkt.payload) === 'yes') state.clientDir = pkt.dir === 0 ? 1 : 0;
      else return 'no';
    }
    var clientSide = state.sides[state.clientDir];
    var serverSide = state.sides[state.clientDir === 0 ? 1 : 0];
    gather(pkt.dir === state.clientDir ? clientSide : serverSide, pkt);

    var reqHead = headOf(clientSide);
    var respHead = headOf(serverSide);
    if (reqHead.complete) clientSide.closed = true;
    if (respHead.complete) serverSide.closed = true;
    var req = reqHead.lines[0] !== undefined ? parseRequestLine(reqHead.lines[0]) : null;
    var resp = respHead.lines[0] !== undefined ? parseStatusLine(respHead.lines[0]) : null;

    if (!state.claimed) {
      // A request line that parsed is one requestStart says 'yes' to: asked only without one.
      if (req === null && clientSide.prefix.bytes.length > 0 && requestStart(clientSide.prefix.bytes) === 'no') return 'no';
      if (statusStart(serverSide.prefix.bytes) === 'no') return 'no';
      var hostKnown = headerValue(reqHead, 'host') !== null;
      var requestReady = req !== null && (hostKnown || reqHead.complete || clientSide.closed || serverSide.prefix.bytes.length > 0);
      var responseReady = resp !== null && clientSide.prefix.bytes.length === 0;
      if (!requestReady && !responseReady) {
        // Still gathering the request head; give up if it outgrew the cap without a line.
        return clientSide.closed && req === null ? 'no' : 'more';
      }
      out.protocol = req ? protocolOf(req) : 'HTTP';
      state.claimed = true;
    } else {
      state.afterClaim++;
    }

    var meta: MetaSection = out.meta['http'] ?? {};
    if (req && clientSide.described !== reqHead) {
      describeRequest(reqHead, req, meta, out);
      clientSide.described = reqHead;
    }
    if (resp && serverSide.described !== respHead) {
      describeResponse(respHead, meta);
      serverSide.described = respHead;
    }
    out.meta['http'] = meta;

    // Done once both heads are read; a flow seen from its response alone waits a little
    // for a request that may still show up (a capture that began mid-exchange).
    var finished = req !== null && clientSide.closed && serverSide.closed;
    if (finished || state.afterClaim >= MAX_PACKETS_AFTER_CLAIM) return 'done';
    return 'more';
  },
});
