/** BitTorrent, SSH, STUN/TURN, WireGuard, OpenVPN, RTP/RTCP, SIP, SMB dissectors, in tie-break order. */
import type { Dissector } from '../dissector.js';

export const peerTunnelVoiceDissectors: readonly Dissector<unknown>[] = [];
