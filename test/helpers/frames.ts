/** Raw frames built byte by byte, for decoder specifications. */

export function bytes(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) out.push(...p);
  return new Uint8Array(out);
}

const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

export function ip4(a: string): number[] {
  return a.split('.').map(Number);
}

export function ip6(a: string): number[] {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}

export function tcp(sport: number, dport: number, flags: number, payload: number[] = [], seq = 1000): number[] {
  return [...be16(sport), ...be16(dport), ...be32(seq), ...be32(0), 0x50, flags, ...be16(65535), 0, 0, 0, 0, ...payload];
}

export function udp(sport: number, dport: number, payload: number[] = []): number[] {
  return [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
}

export interface Ipv4Opts {
  proto: number;
  id?: number;
  fragOffset?: number; // bytes, multiple of 8
  more?: boolean;
  options?: number[]; // multiple of 4 bytes
  totalOverride?: number;
}

export function ipv4(src: string, dst: string, o: Ipv4Opts, body: number[]): number[] {
  const opts = o.options ?? [];
  const ihl = 5 + opts.length / 4;
  const total = o.totalOverride ?? ihl * 4 + body.length;
  const ff = ((o.more ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8)) & 0xffff;
  return [0x40 | ihl, 0, ...be16(total), ...be16(o.id ?? 1), ...be16(ff), 64, o.proto, 0, 0, ...ip4(src), ...ip4(dst), ...opts, ...body];
}

/** IPv6 with a chain of extension headers given as [type, bytes] (bytes exclude next-header). */
export function ipv6(src: string, dst: string, proto: number, body: number[], ext: { type: number; data: number[] }[] = []): number[] {
  let chain: number[] = [];
  let next = proto;
  for (let i = ext.length - 1; i >= 0; i--) {
    const e = ext[i]!;
    chain = [next, ...e.data, ...chain];
    next = e.type;
  }
  const payload = [...chain, ...body];
  return [0x60, 0, 0, 0, ...be16(payload.length), next, 64, ...ip6(src), ...ip6(dst), ...payload];
}

export function eth(type: number, body: number[], vlans: number[] = []): number[] {
  const tags = vlans.flatMap((v, i) => [...(i === 0 && vlans.length > 1 ? be16(0x88a8) : be16(0x8100)), ...be16(v)]);
  // With tags, each tag's TPID precedes it; the final EtherType follows the last tag.
  const mac = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
  if (vlans.length === 0) return [...mac, ...be16(type), ...body];
  return [...mac, ...tags, ...be16(type), ...body];
}

export { be16, be32 };

/** A PPP Protocol field: two octets, or one when compressed (RFC 1661 §6.5: 0x0021 → 0x21). */
export function pppProtocol(proto: number, compressed = false): number[] {
  return compressed ? [proto & 0xff] : be16(proto);
}

/** A PPPoE header (RFC 2516 §4; code 0 is session data) before a PPP Protocol field and payload. */
export function pppoeSession(protocolField: number[], body: number[], code = 0, session = 1): number[] {
  return [0x11, code, ...be16(session), ...be16(protocolField.length + body.length), ...protocolField, ...body];
}

/** The IPv6 Fragment header (RFC 8200 §4.5), as an `ipv6()` extension header. */
export function fragmentHeader(offset: number, more: boolean, id: number): { type: number; data: number[] } {
  return { type: 44, data: [0, ...be16(offset | (more ? 1 : 0)), ...be32(id)] };
}

/**
 * An IPv4 datagram cut into fragments of `size` data bytes (a multiple of 8, the last one
 * shorter): `body` is all that follows the IP header (transport header and payload).
 */
export function ipv4Fragments(src: string, dst: string, proto: number, id: number, body: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let off = 0; off < body.length; off += size) {
    const more = off + size < body.length;
    out.push(ipv4(src, dst, { proto, id, fragOffset: off, more }, body.slice(off, off + size)));
  }
  return out;
}

/** The same for IPv6: each fragment after a Fragment header whose Next Header is `proto`. */
export function ipv6Fragments(src: string, dst: string, proto: number, id: number, body: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let off = 0; off < body.length; off += size) {
    const more = off + size < body.length;
    out.push(ipv6(src, dst, proto, body.slice(off, off + size), [fragmentHeader(off, more, id)]));
  }
  return out;
}
