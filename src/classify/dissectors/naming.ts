/**
 * HTTP, DNS, mDNS/LLMNR, NetBIOS, SSDP, DHCP, NTP and LAN-discovery dissectors, in
 * tie-break order. All but HTTP are gated by their well-known ports, so they drop out of
 * other flows on the first packet.
 */
import type { Dissector } from '../dissector.js';
import { dhcpDissector } from '../naming/dhcp.js';
import { dhcpv6Dissector } from '../naming/dhcpv6.js';
import { dnsDissector } from '../naming/dns.js';
import { dropboxDissector } from '../naming/dropbox.js';
import { httpDissector } from '../naming/http.js';
import { llmnrDissector } from '../naming/llmnr.js';
import { mdnsDissector } from '../naming/mdns.js';
import { natPmpDissector } from '../naming/nat-pmp.js';
import { netbiosDissector } from '../naming/netbios.js';
import { ntpDissector } from '../naming/ntp.js';
import { spotifyDissector } from '../naming/spotify.js';
import { ssdpDissector } from '../naming/ssdp.js';

export const namingDissectors: readonly Dissector<unknown>[] = [
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
];
