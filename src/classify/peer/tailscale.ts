/**
 * Tailscale's discovery messages ("disco", tailscale/disco/disco.go), nDPI 'Tailscale'.
 * Tailscale nodes send them on the same UDP socket as their WireGuard traffic to find
 * and test paths between peers: the magic "TS💬" (54 53 F0 9F 92 AC), the sender's
 * 32-byte disco public key, a 24-byte nonce, then a NaCl box (16-byte tag and at least
 * a type and version byte). The 48-bit magic is proof on any port (41641 is only the
 * default).
 * Meta `tailscale`: { disco: true }.
 */
import { dissector } from '../dissector.js';

const MAGIC = [0x54, 0x53, 0xf0, 0x9f, 0x92, 0xac];
const KEY_LENGTH = 32;
const NONCE_LENGTH = 24;
const BOX_OVERHEAD = 16;
/** Magic, key, nonce, box tag, then the sealed message's type and version bytes. */
const MIN_LENGTH = MAGIC.length + KEY_LENGTH + NONCE_LENGTH + BOX_OVERHEAD + 2;

/** A disco message: the magic up front and room for key, nonce and a sealed message. */
export function isDiscoMessage(b: Uint8Array): boolean {
  if (b.length < MIN_LENGTH) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[i] !== MAGIC[i]) return false;
  return true;
}

export const tailscaleDissector = dissector<null>({
  name: 'tailscale',
  ipProtocols: [17],
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (!isDiscoMessage(pkt.payload)) return 'no';
    out.protocol = 'Tailscale';
    out.application = 'tailscale';
    out.meta['tailscale'] = { disco: true };
    return 'done';
  },
});
