/**
 * DHCP over BOOTP (RFC 2131/2132) on UDP 67/68, nDPI 'DHCP'. A BOOTP header with the magic
 * cookie and a DHCP message-type option is conclusive. The host name is option 12; the
 * vendor class (option 60) and the parameter request list (option 55, nDPI's "DHCP
 * fingerprint") go to the `dhcp` meta section.
 */
import { macText } from '../../net/format.js';
import { latin1 } from '../../util/bytes.js';
import { dissector, type Detection, type MetaSection } from '../dissector.js';
import { normalizeHostBytes } from './hostname.js';

const DHCP_PORTS = [67, 68];
/** Fixed BOOTP fields before the options (RFC 2131 §2), then the 4-byte magic cookie. */
const OPTIONS_OFFSET = 240;
const MAGIC = [0x63, 0x82, 0x53, 0x63];

const OPT_PAD = 0;
const OPT_END = 255;
const OPT_HOST_NAME = 12;
const OPT_REQUESTED_IP = 50;
const OPT_MESSAGE_TYPE = 53;
const OPT_PARAMETER_LIST = 55;
const OPT_VENDOR_CLASS = 60;

/** Packets after the claim in which a missing host name may still show up. */
const HOSTNAME_FOLLOW_UPS = 3;

export interface DhcpMessage {
  readonly op: number;
  /** DHCP message type (1 DISCOVER … 8 INFORM, up to 18 in later RFCs). */
  readonly messageType: number;
  readonly clientMac: string | null;
  /** Options by code, first occurrence; values as raw bytes. */
  readonly options: ReadonlyMap<number, Uint8Array>;
}

/** Parse a BOOTP/DHCP message; null unless it is one (magic cookie and message type present). */
export function parseDhcp(p: Uint8Array): DhcpMessage | null {
  if (p.length < OPTIONS_OFFSET + 3) return null;
  const op = p[0]!;
  const htype = p[1]!;
  const hlen = p[2]!;
  if ((op !== 1 && op !== 2) || hlen > 16) return null;
  for (let i = 0; i < 4; i++) if (p[236 + i] !== MAGIC[i]) return null;
  const options = new Map<number, Uint8Array>();
  for (let i = OPTIONS_OFFSET; i < p.length; ) {
    const code = p[i]!;
    if (code === OPT_END) break;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (i + 1 >= p.length) break;
    const len = p[i + 1]!;
    if (i + 2 + len > p.length) break; // truncated option: keep what came before
    if (!options.has(code)) options.set(code, p.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  const type = options.get(OPT_MESSAGE_TYPE);
  if (!type || type.length !== 1 || type[0]! < 1 || type[0]! > 18) return null;
  const clientMac = htype === 1 && hlen === 6 ? macText(p, 28) : null;
  return { op, messageType: type[0]!, clientMac, options };
}

function describe(msg: DhcpMessage, out: Detection): void {
  const meta: MetaSection = out.meta['dhcp'] ?? {};
  meta['message_type'] ??= msg.messageType;
  if (msg.clientMac) meta['client_mac'] ??= msg.clientMac;
  const host = msg.options.get(OPT_HOST_NAME);
  if (host && host.length > 0 && !out.hostname) {
    const name = normalizeHostBytes(host);
    if (name) {
      out.hostname = name;
      meta['hostname'] = name;
    }
  }
  const vendor = msg.options.get(OPT_VENDOR_CLASS);
  if (vendor) meta['class_ident'] ??= latin1(vendor);
  const params = msg.options.get(OPT_PARAMETER_LIST);
  if (params) meta['fingerprint'] ??= Array.from(params).join(',');
  const requested = msg.options.get(OPT_REQUESTED_IP);
  if (requested && requested.length === 4) meta['requested_ip'] ??= Array.from(requested).join('.');
  out.meta['dhcp'] = meta;
}

export const dhcpDissector = dissector<{ followUps: number }>({
  name: 'dhcp',
  ipProtocols: [17],
  firstLook: { ports: DHCP_PORTS },
  create: () => ({ followUps: -1 }),
  feed(state, pkt, _flow, out) {
    if (!DHCP_PORTS.includes(pkt.srcPort) || !DHCP_PORTS.includes(pkt.dstPort)) return 'no';
    const msg = parseDhcp(pkt.payload);
    if (state.followUps < 0) {
      if (!msg) return 'no';
      out.protocol = 'DHCP';
    }
    state.followUps++;
    if (msg) describe(msg, out);
    return out.hostname || state.followUps >= HOSTNAME_FOLLOW_UPS ? 'done' : 'more';
  },
});
