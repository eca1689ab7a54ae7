/**
 * Telnet (RFC 854), nDPI 'Telnet'. Both ends usually open by negotiating options (RFC 855):
 * IAC (255) followed by WILL/WONT/DO/DONT (251–254) and an option code, or a
 * subnegotiation IAC SB option … IAC SE. The flow is claimed when a side's first segment
 * starts with a negotiation and holds only well-formed commands up to its first data
 * byte, with at least two of them (one three-byte command alone is too little to go on),
 * or when both sides open with one.
 * Meta `telnet`: { options: the option codes negotiated first, in order (at most 8) }.
 */
import { dissector } from '../dissector.js';

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const DONT = 254;
const MAX_OPTIONS = 8;
const MAX_UNCLAIMED_PACKETS = 4;

/** Option codes of the commands a segment starts with; null unless it starts with one. */
export function leadingNegotiation(b: Uint8Array): number[] | null {
  const options: number[] = [];
  let o = 0;
  while (o < b.length && b[o] === IAC) {
    if (o + 2 >= b.length) return null;
    const cmd = b[o + 1]!;
    if (cmd >= WILL && cmd <= DONT) {
      options.push(b[o + 2]!);
      o += 3;
    } else if (cmd === SB) {
      // Subnegotiation: IAC SB option parameters IAC SE (IAC inside is doubled).
      let end = o + 3;
      while (end + 1 < b.length && !(b[end] === IAC && b[end + 1] === SE)) end += b[end] === IAC && b[end + 1] === IAC ? 2 : 1;
      if (end + 1 >= b.length) return null;
      options.push(b[o + 2]!);
      o = end + 2;
    } else {
      return null;
    }
  }
  return options.length > 0 ? options : null;
}

interface TelnetState {
  payloads: number;
  opened: [boolean, boolean];
}

export const telnetDissector = dissector<TelnetState>({
  name: 'telnet',
  ipProtocols: [6],
  // leadingNegotiation() needs an IAC first, and the first payload must have one.
  firstLook: { firstBytes: [IAC] },
  create: () => ({ payloads: 0, opened: [false, false] }),
  feed(s, pkt, _flow, out) {
    s.payloads++;
    const options = leadingNegotiation(pkt.payload);
    if (!options) return s.opened[0] || s.opened[1] ? (s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more') : 'no';
    s.opened[pkt.dir] = true;
    if (options.length < 2 && !(s.opened[0] && s.opened[1])) return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
    out.protocol = 'Telnet';
    out.meta['telnet'] = { options: options.slice(0, MAX_OPTIONS) };
    return 'done';
  },
});
