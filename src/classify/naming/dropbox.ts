/**
 * Dropbox LAN Sync (nDPI 'Dropbox'), UDP port 17500: the discovery broadcasts, JSON from
 * and to 17500 that carry a "host_int" field, and the unicast commands a client sends to
 * a peer's 17500 from a port of its own, which name their message bus ("Bus17Cmd").
 */
import { indexOfAscii } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const LAN_SYNC_PORT = 17500;

export const dropboxDissector = dissector<null>({
  name: 'dropbox',
  ipProtocols: [17],
  firstLook: { ports: [LAN_SYNC_PORT] },
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (pkt.dstPort !== LAN_SYNC_PORT) return 'no';
    const p = pkt.payload;
    const discovery = pkt.srcPort === LAN_SYNC_PORT && p[0] === 0x7b /* '{' */ && indexOfAscii(p, '"host_int"') >= 0;
    const command = pkt.srcPort !== LAN_SYNC_PORT && indexOfAscii(p, 'bus17cmd') >= 0;
    if (!discovery && !command) return 'no';
    out.protocol = 'Dropbox';
    return 'done';
  },
});
