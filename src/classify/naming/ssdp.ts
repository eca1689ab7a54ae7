/**
 * Simple Service Discovery Protocol (UPnP), HTTP over UDP on 1900 (nDPI 'SSDP'). Searches
 * and announcements are recognised by their request lines. A search reply is unicast from
 * whatever port the device chose to the searcher's port (UPnP Device Architecture 2.0
 * §1.3.3), so it is told by its headers: ST and USN, and EXT or LOCATION, which every reply
 * carries; on port 1900 ST and USN suffice.
 * The host name is the Host header as sent ("239.255.255.250:1900"), as nDPI keeps it.
 */
import { dissector, type MetaSection } from '../dissector.js';
import { usesPort } from './endpoints.js';
import { normalizeHostText } from './hostname.js';
import { headerValue, parseStatusLine, readHead } from './http-message.js';

const SSDP_PORT = 1900;
const REQUEST_LINES = ['M-SEARCH * HTTP/1.1', 'NOTIFY * HTTP/1.1'];

export const ssdpDissector = dissector<null>({
  name: 'ssdp',
  ipProtocols: [17],
  // A request line (REQUEST_LINES) or a status line ("HTTP/1.1 200 OK").
  firstLook: { firstBytes: [...REQUEST_LINES.map((l) => l.charCodeAt(0)), 0x48] },
  create: () => null,
  feed(_state, pkt, _flow, out) {
    const head = readHead(pkt.payload, 64);
    const first = head.lines[0];
    if (first === undefined) return 'no';
    let kind: string;
    if (REQUEST_LINES.includes(first)) {
      kind = first.slice(0, first.indexOf(' '));
    } else {
      const status = parseStatusLine(first);
      const searchHeaders = headerValue(head, 'st') !== null && headerValue(head, 'usn') !== null;
      const replyHeaders = headerValue(head, 'ext') !== null || headerValue(head, 'location') !== null;
      if (!status || !searchHeaders || !(replyHeaders || usesPort(pkt, SSDP_PORT))) return 'no';
      kind = 'RESPONSE';
    }
    out.protocol = 'SSDP';
    const host = headerValue(head, 'host');
    if (host) out.hostname = normalizeHostText(host);
    const meta: MetaSection = { method: kind };
    for (const [field, header] of [['st', 'st'], ['nt', 'nt'], ['user_agent', 'user-agent'], ['server', 'server']] as const) {
      const v = headerValue(head, header);
      if (v !== null) meta[field] = v;
    }
    out.meta['ssdp'] = meta;
    return 'done';
  },
});
