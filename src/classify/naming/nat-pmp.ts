/**
 * NAT Port Mapping Protocol (RFC 6886) on UDP 5351, nDPI 'NAT-PMP'. Version 0 only; each
 * opcode has a fixed length, and responses a small result code. (Version 2 on this port is
 * PCP, which nDPI does not name.)
 */
import { u16be } from '../../util/bytes.js';
import { dissector } from '../dissector.js';
import { usesPort } from './endpoints.js';

const NATPMP_PORT = 5351;
/** Message length by opcode: address request/response, UDP and TCP mapping request/response. */
const LENGTH_BY_OPCODE = new Map([
  [0x00, 2],
  [0x01, 12],
  [0x02, 12],
  [0x80, 12],
  [0x81, 16],
  [0x82, 16],
]);
/** RFC 6886 §3.5 result codes 0–5. */
const MAX_RESULT_CODE = 5;

export function parseNatPmp(p: Uint8Array): { opcode: number; resultCode: number | null } | null {
  if (p.length < 2 || p[0] !== 0) return null;
  const opcode = p[1]!;
  if (LENGTH_BY_OPCODE.get(opcode) !== p.length) return null;
  if (opcode & 0x80) {
    const result = u16be(p, 2);
    return result <= MAX_RESULT_CODE ? { opcode, resultCode: result } : null;
  }
  // Mapping requests carry a reserved zero field.
  if (opcode !== 0 && u16be(p, 2) !== 0) return null;
  return { opcode, resultCode: null };
}

export const natPmpDissector = dissector<null>({
  name: 'nat-pmp',
  ipProtocols: [17],
  firstLook: { ports: [NATPMP_PORT] },
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (!usesPort(pkt, NATPMP_PORT)) return 'no';
    const m = parseNatPmp(pkt.payload);
    // PCP or anything else on the port: the next packet may still be NAT-PMP.
    if (!m) return 'more';
    out.protocol = 'NAT-PMP';
    out.meta['natpmp'] = m.resultCode === null ? { opcode: m.opcode } : { opcode: m.opcode, result_code: m.resultCode };
    return 'done';
  },
});
