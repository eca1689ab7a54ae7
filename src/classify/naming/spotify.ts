/** Spotify LAN discovery (nDPI 'Spotify'): "SpotUdp" broadcasts between UDP 57621 ports. */
import { dissector } from '../dissector.js';

const DISCOVERY_PORT = 57621;
const MAGIC = 'SpotUdp';

export const spotifyDissector = dissector<null>({
  name: 'spotify',
  ipProtocols: [17],
  firstLook: { ports: [DISCOVERY_PORT] },
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (pkt.srcPort !== DISCOVERY_PORT || pkt.dstPort !== DISCOVERY_PORT) return 'no';
    const p = pkt.payload;
    if (p.length < MAGIC.length) return 'no';
    for (let i = 0; i < MAGIC.length; i++) if (p[i] !== MAGIC.charCodeAt(i)) return 'no';
    out.protocol = 'Spotify';
    return 'done';
  },
});
