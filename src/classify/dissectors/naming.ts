/** HTTP, DNS, mDNS/LLMNR, NetBIOS, SSDP, DHCP, NTP dissectors, in tie-break order. */
import type { Dissector } from '../dissector.js';

export const namingDissectors: readonly Dissector<unknown>[] = [];
