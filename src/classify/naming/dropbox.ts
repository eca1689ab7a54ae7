/**
 * Dropbox LAN Sync discovery (nDPI 'Dropbox'): JSON broadcasts from and to UDP 17500 that
 * carry a "host_int" field.
 */
import { indexOfAscii } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const LAN_SYNC_PORT = 17500;

export const dropboxDissector = dissector<null>({
  name: 'dropbox',
  ipProtocols: [17],
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (pkt.srcPort !== LAN_SYNC_PORT || pkt.dstPort !== LAN_SYNC_PORT) return 'no';
    const p = pkt.payload;
    if (p[0] !== 0x7b /* '{' */ || indexOfAscii(p, '"host_int"') < 0) return 'no';
    out.protocol = 'Dropbox';
    return 'done';
  },
});
