/**
 * SMB over TCP 445 (direct) and 139 (NetBIOS session service), nDPI 'SMBv1' / 'SMBv23'
 * (nDPI shows them under master 'NetBIOS'). Each message sits in a NetBIOS session
 * message (RFC 1002: type 0x00, then a 24-bit length) and starts with a protocol id:
 *   0xFF 'SMB'  SMB1 (MS-CIFS): 32-byte header, command at 4, flags at 9 (0x80 reply)
 *   0xFE 'SMB'  SMB2/3 (MS-SMB2): 64-byte header, StructureSize 64 at 4
 *   0xFD 'SMB'  SMB3 transform (encrypted) header, 52 bytes
 *   0xFC 'SMB'  SMB3.1.1 compression transform header, 16 bytes
 * A client that speaks SMB2 may still open with an SMB1 NEGOTIATE listing "SMB 2.???"
 * dialects; that request alone does not settle the version, the server's reply does.
 * An SMB1 NEGOTIATE listing only SMB1 dialects is SMBv1 at once.
 * Meta `smb`: { version: 1 | 2, command, dialects? }.
 */
import { latin1, u24be } from '../../util/bytes.js';
import { dissector, type MetaSection } from '../dissector.js';

const SMB_PORTS = [445, 139];
const SESSION_MESSAGE = 0x00;
const SMB1_HEADER = 32;
const SMB2_HEADER = 64;
const TRANSFORM_HEADER = 52;
const COMPRESSION_HEADER = 16;
const SMB1_NEGOTIATE = 0x72;
const SMB1_FLAGS_REPLY = 0x80;
const DIALECT_MARK = 0x02;
const MAX_UNCLAIMED_PACKETS = 4;

export interface SmbMessage {
  readonly version: 1 | 2;
  readonly command: number;
  readonly reply: boolean;
  /** SMB1 NEGOTIATE request dialect strings, else null. */
  readonly dialects: readonly string[] | null;
}

/** SMB1 NEGOTIATE request body: WordCount 0, ByteCount, then 0x02-prefixed NUL-ended dialects. */
function negotiateDialects(b: Uint8Array, body: number): string[] | null {
  if (b[body] !== 0 || body + 3 > b.length) return null;
  const count = b[body + 1]! | (b[body + 2]! << 8);
  const end = Math.min(b.length, body + 3 + count);
  const out: string[] = [];
  let i = body + 3;
  while (i < end) {
    if (b[i] !== DIALECT_MARK) return null;
    const z = b.indexOf(0, i + 1);
    if (z < 0 || z >= end) break; // cut short by the segment: keep what is whole
    out.push(latin1(b, i + 1, z));
    i = z + 1;
  }
  return out.length > 0 ? out : null;
}

/** The SMB message at the start of a TCP payload (session message header included). */
export function parseSmb(b: Uint8Array): SmbMessage | null {
  if (b.length < 4 + COMPRESSION_HEADER || b[0] !== SESSION_MESSAGE) return null;
  const length = u24be(b, 1);
  if (b[5] !== 0x53 || b[6] !== 0x4d || b[7] !== 0x42) return null;
  const id = b[4]!;
  if (id === 0xff) {
    if (length < SMB1_HEADER + 3 || b.length < 4 + SMB1_HEADER) return null;
    const command = b[8]!;
    const reply = (b[13]! & SMB1_FLAGS_REPLY) !== 0;
    const dialects = command === SMB1_NEGOTIATE && !reply ? negotiateDialects(b, 4 + SMB1_HEADER) : null;
    if (command === SMB1_NEGOTIATE && !reply && dialects === null) return null;
    return { version: 1, command, reply, dialects };
  }
  if (id === 0xfe) {
    if (length < SMB2_HEADER || b.length < 4 + 16) return null;
    if (b[8] !== SMB2_HEADER || b[9] !== 0) return null; // StructureSize, little-endian
    const command = b[16]! | (b[17]! << 8);
    if (command > 0x12) return null;
    return { version: 2, command, reply: (b[20]! & 0x01) !== 0, dialects: null };
  }
  if (id === 0xfd) return length >= TRANSFORM_HEADER ? { version: 2, command: -1, reply: false, dialects: null } : null;
  if (id === 0xfc) return length >= COMPRESSION_HEADER ? { version: 2, command: -1, reply: false, dialects: null } : null;
  return null;
}

interface SmbState {
  payloads: number;
  /** An SMB1 NEGOTIATE offered SMB2 dialects: the reply decides. */
  pendingDialects: readonly string[] | null;
}

export const smbDissector = dissector<SmbState>({
  name: 'smb',
  ipProtocols: [6],
  firstLook: { ports: SMB_PORTS },
  create: () => ({ payloads: 0, pendingDialects: null }),
  feed(s, pkt, _flow, out) {
    if (!SMB_PORTS.includes(pkt.srcPort) && !SMB_PORTS.includes(pkt.dstPort)) return 'no';
    s.payloads++;
    const m = parseSmb(pkt.payload);
    if (!m) {
      // Port 139 starts with a NetBIOS session request; other messages may precede SMB.
      return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
    }
    if (m.dialects && m.dialects.some((d) => d.startsWith('SMB 2.'))) {
      s.pendingDialects = m.dialects;
      return 'more';
    }
    out.protocol = m.version === 1 ? 'SMBv1' : 'SMBv23';
    const meta: MetaSection = { version: m.version, command: m.command };
    const dialects = m.dialects ?? s.pendingDialects;
    if (dialects) meta['dialects'] = [...dialects];
    out.meta['smb'] = meta;
    return 'done';
  },
});
