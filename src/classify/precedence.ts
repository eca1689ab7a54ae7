/**
 * Every dissector the engine runs, by claim precedence: when two claim the same packet,
 * the earlier one wins. The reasons for the order, family by family:
 *  - TLS, QUIC, DTLS first: their handshakes are the most specific signatures there are.
 *  - Naming (HTTP, DNS, mDNS/LLMNR, SSDP, DHCP, NetBIOS, NTP, LAN discovery): all but HTTP
 *    are gated by their well-known ports, so they drop out of other flows on the first packet.
 *  - Mail and file-transfer control (SMTP, IMAP, POP3, FTP): they claim text sessions only
 *    on a server greeting plus a matching client command, which no two of them share (SMTP
 *    first only because it is the most common), and TLS drops out on their plaintext
 *    greeting; they come before the peer family, whose looser signatures should not win a
 *    text session.
 *  - Peer, tunnel and voice: the most specific signatures first, RTP (a loose header,
 *    decided on continuity) last, so that STUN/Zoom/Discord claim their flows before RTP.
 */
import type { Dissector } from './dissector.js';
import { ftpDissector } from './mail/ftp.js';
import { imapDissector } from './mail/imap.js';
import { pop3Dissector } from './mail/pop3.js';
import { smtpDissector } from './mail/smtp.js';
import { dhcpDissector } from './naming/dhcp.js';
import { dhcpv6Dissector } from './naming/dhcpv6.js';
import { dnsDissector } from './naming/dns.js';
import { dropboxDissector } from './naming/dropbox.js';
import { httpDissector } from './naming/http.js';
import { llmnrDissector } from './naming/llmnr.js';
import { mdnsDissector } from './naming/mdns.js';
import { natPmpDissector } from './naming/nat-pmp.js';
import { netbiosDissector } from './naming/netbios.js';
import { ntpDissector } from './naming/ntp.js';
import { spotifyDissector } from './naming/spotify.js';
import { ssdpDissector } from './naming/ssdp.js';
import { bittorrentDissector } from './peer/bittorrent.js';
import { discordDissector } from './peer/discord.js';
import { openvpnDissector } from './peer/openvpn.js';
import { rtpDissector } from './peer/rtp.js';
import { sipDissector } from './peer/sip.js';
import { skinnyDissector } from './peer/skinny.js';
import { smbDissector } from './peer/smb.js';
import { sshDissector } from './peer/ssh.js';
import { stunDissector } from './peer/stun.js';
import { tailscaleDissector } from './peer/tailscale.js';
import { telnetDissector } from './peer/telnet.js';
import { teredoDissector } from './peer/teredo.js';
import { whatsappDissector } from './peer/whatsapp.js';
import { wireguardDissector } from './peer/wireguard.js';
import { zoomDissector } from './peer/zoom.js';
import { quicDissector } from './quic/dissector.js';
import { tlsDissector } from './tls/dissector.js';
import { dtlsDissector } from './tls/dtls.js';

export const DISSECTORS_BY_PRECEDENCE: readonly Dissector<unknown>[] = [
  // secure transport
  tlsDissector,
  quicDissector,
  dtlsDissector,
  // naming
  dnsDissector,
  mdnsDissector,
  llmnrDissector,
  httpDissector,
  ssdpDissector,
  dhcpDissector,
  dhcpv6Dissector,
  netbiosDissector,
  ntpDissector,
  natPmpDissector,
  dropboxDissector,
  spotifyDissector,
  // mail and file-transfer control
  smtpDissector,
  imapDissector,
  pop3Dissector,
  ftpDissector,
  // peer, tunnel and voice
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
