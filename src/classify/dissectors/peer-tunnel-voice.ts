/**
 * BitTorrent, SSH, Telnet, STUN/TURN, Tailscale, WireGuard, OpenVPN, Teredo, RTP/RTCP,
 * SIP, SMB, WhatsApp, Zoom, Cisco Skinny and Discord dissectors, in tie-break order: the
 * ones with the most specific signatures first, RTP (a loose header, decided on
 * continuity) last, so that STUN/Zoom/Discord claim their flows before RTP would.
 */
import type { Dissector } from '../dissector.js';
import { bittorrentDissector } from '../peer/bittorrent.js';
import { discordDissector } from '../peer/discord.js';
import { openvpnDissector } from '../peer/openvpn.js';
import { rtpDissector } from '../peer/rtp.js';
import { sipDissector } from '../peer/sip.js';
import { skinnyDissector } from '../peer/skinny.js';
import { smbDissector } from '../peer/smb.js';
import { sshDissector } from '../peer/ssh.js';
import { stunDissector } from '../peer/stun.js';
import { tailscaleDissector } from '../peer/tailscale.js';
import { telnetDissector } from '../peer/telnet.js';
import { teredoDissector } from '../peer/teredo.js';
import { whatsappDissector } from '../peer/whatsapp.js';
import { wireguardDissector } from '../peer/wireguard.js';
import { zoomDissector } from '../peer/zoom.js';

export const peerTunnelVoiceDissectors: readonly Dissector<unknown>[] = [
  bittorrentDissector,
  stunDissector,
  sshDissector,
  telnetDissector,
  whatsappDissector,
  smbDissector,
  skinnyDissector,
  tailscaleDissector,
  wireguardDissector,
  openvpnDissector,
  teredoDissector,
  zoomDissector,
  discordDissector,
  sipDissector,
  rtpDissector,
];
