/**
 * SSH, nDPI 'SSH'. Both ends open with an identification line (RFC 4253 §4.2):
 * "SSH-protoversion-softwareversion[ SP comments]" CR LF, at most 255 bytes, printable
 * US-ASCII. protoversion is 2.0, 1.99 (server compatible with 1.x and 2.0) or 1.x.
 * A server may send other text lines before its identification, so those are skipped.
 * The flow is claimed on the first identification; the dissector stays for the other
 * side's. As in nDPI (ssh.c keeps the first banner seen as "client_signature" and shows
 * it as the host name), the host name is the first identification line on the wire,
 * whichever side sent it; the meta section keeps the true roles.
 * Meta `ssh`: { client, server } banners (without CR LF).
 */
import { latin1 } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const PROTOCOL = 'SSH';
const MAX_LINE = 255;
/** Payload packets, after the claim, in which the other side's banner is awaited. */
const MAX_PACKETS_FOR_PEER = 8;

/**
 * RFC 4253 forbids '-' in softwareversion, but real servers use it ("SSH-1.99-Cisco-1.25"),
 * so any printable non-space character is allowed there.
 */
const PROTO_VERSION = /^SSH-(2\.0|1\.99|1\.[0-9]{1,2})-([\x21-\x7e]+)( [\x20-\x7e]*)?$/;

/** The identification string at the start of `b` (or after pre-banner lines), else null. */
export function parseSshBanner(b: Uint8Array, allowPreamble: boolean): string | null {
  let start = 0;
  // Pre-banner lines (server only): each ends in LF; a few, all printable.
  for (let lines = 0; lines < 8; lines++) {
    if (b.length - start < 8) return null;
    if (b[start] === 0x53 && b[start + 1] === 0x53 && b[start + 2] === 0x48 && b[start + 3] === 0x2d) break;
    if (!allowPreamble) return null;
    let end = start;
    while (end < b.length && end - start <= MAX_LINE && b[end] !== 0x0a) {
      const c = b[end]!;
      if ((c < 0x20 || c > 0x7e) && c !== 0x0d && c !== 0x09) return null;
      end++;
    }
    if (end >= b.length || b[end] !== 0x0a) return null;
    start = end + 1;
  }
  let end = start;
  while (end < b.length && end - start < MAX_LINE && b[end] !== 0x0a) end++;
  // Without the line end the banner might still be cut short; require it (RFC: CR LF, old
  // servers send a bare LF).
  if (end >= b.length || b[end] !== 0x0a) return null;
  let lineEnd = end;
  if (lineEnd > start && b[lineEnd - 1] === 0x0d) lineEnd--;
  const line = latin1(b, start, lineEnd);
  return PROTO_VERSION.test(line) ? line : null;
}

interface SshState {
  claimed: boolean;
  payloads: number;
  banners: [string | null, string | null];
}

export const sshDissector = dissector<SshState>({
  name: 'ssh',
  ipProtocols: [6],
  create: () => ({ claimed: false, payloads: 0, banners: [null, null] }),
  feed(s, pkt, _flow, out) {
    s.payloads++;
    const d = pkt.dir;
    if (s.banners[d] === null) {
      // Only the responder (server) may precede its identification with other lines.
      const banner = parseSshBanner(pkt.payload, d === 1);
      if (banner !== null) {
        s.banners[d] = banner;
        if (!s.claimed) {
          s.claimed = true;
          out.protocol = PROTOCOL;
          out.hostname = banner;
        }
        out.meta['ssh'] = {
          ...(s.banners[0] !== null ? { client: s.banners[0] } : {}),
          ...(s.banners[1] !== null ? { server: s.banners[1] } : {}),
        };
      }
    }
    if (s.claimed) return (s.banners[0] !== null && s.banners[1] !== null) || s.payloads >= MAX_PACKETS_FOR_PEER ? 'done' : 'more';
    // Each side's first bytes are its identification: anything else is not SSH.
    return 'no';
  },
});
