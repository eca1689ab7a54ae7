/**
 * Discord voice on UDP, nDPI 'Discord'. A voice connection starts with IP discovery
 * (Discord developer documentation, "Voice Connections"): 74-byte datagrams of
 *   type (2: 1 request, 2 response) | length (2: 70) | SSRC (4) |
 *   address (64: NUL-padded text, empty in the request) | port (2)
 * The request is held until the response with the same SSRC names the client's public
 * address; a response alone is enough when its address is a well-formed IP text.
 * Voice servers and clients also exchange 8-byte pings that open with the magic
 * 0x1337CAFE (followed by a 32-bit counter), which nDPI takes as Discord too.
 * Meta `discord`: { ssrc, client_ip? } or { ping: true }.
 */
import { latin1, u16be, u32be } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const PROTOCOL = 'Discord';
const APPLICATION = 'discord';
const DISCOVERY_LENGTH = 74;
const BODY_LENGTH = 70;
const ADDRESS_OFFSET = 8;
const ADDRESS_LENGTH = 64;
const MAX_UNCLAIMED_PACKETS = 4;
const PING_LENGTH = 8;
const PING_MAGIC = 0x1337cafe;

export interface DiscoveryMessage {
  readonly type: 1 | 2;
  readonly ssrc: number;
  /** Address text (response), '' in a request. */
  readonly address: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

export function parseDiscovery(b: Uint8Array): DiscoveryMessage | null {
  if (b.length !== DISCOVERY_LENGTH || u16be(b, 2) !== BODY_LENGTH) return null;
  const type = u16be(b, 0);
  if (type !== 1 && type !== 2) return null;
  let end = ADDRESS_OFFSET;
  while (end < ADDRESS_OFFSET + ADDRESS_LENGTH && b[end] !== 0) end++;
  // After the text, only NUL padding up to the port.
  for (let i = end; i < ADDRESS_OFFSET + ADDRESS_LENGTH; i++) if (b[i] !== 0) return null;
  const address = latin1(b, ADDRESS_OFFSET, end);
  if (type === 2 && !IPV4.test(address) && !(address.includes(':') && IPV6.test(address))) return null;
  if (type === 1 && address !== '' && !IPV4.test(address)) return null;
  return { type, ssrc: u32be(b, 4), address };
}

interface DiscordState {
  payloads: number;
  requestSsrc: number;
}

export const discordDissector = dissector<DiscordState>({
  name: 'discord',
  ipProtocols: [17],
  create: () => ({ payloads: 0, requestSsrc: -1 }),
  feed(s, pkt, _flow, out) {
    s.payloads++;
    if (pkt.payload.length === PING_LENGTH && u32be(pkt.payload, 0) === PING_MAGIC) {
      out.protocol = PROTOCOL;
      out.application = APPLICATION;
      out.meta['discord'] = { ping: true };
      return 'done';
    }
    const m = parseDiscovery(pkt.payload);
    if (!m) return 'no';
    if (m.type === 1) {
      s.requestSsrc = m.ssrc;
      return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
    }
    if (s.requestSsrc !== -1 && s.requestSsrc !== m.ssrc) return 'no';
    out.protocol = PROTOCOL;
    out.application = APPLICATION;
    out.meta['discord'] = { ssrc: m.ssrc, client_ip: m.address };
    return 'done';
  },
});
