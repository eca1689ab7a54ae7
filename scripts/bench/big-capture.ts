/**
 * The big capture `npm run bench:dpi` replays: every Ethernet capture of the corpus, N
 * copies, one classic pcap. Each copy gets fresh addresses (the last byte of every unicast
 * IPv4/IPv6 address XOR the copy number, the IPv4 header checksum fixed), so its flows are
 * new flows rather than more packets of the first copy's; prefixes stay, so address lists
 * still name the same services. Captures follow one another on one clock, each shifted to
 * start a second after the previous one ended, so idle flows expire as they would live.
 */
import { readCapture } from '../../src/capture/reader.js';

const LINKTYPE_ETHERNET = 1;
const GAP_MS = 1000;

export interface BigCapture {
  /** The pcap file, as chunks to write one after another. */
  readonly chunks: Uint8Array[];
  readonly frames: number;
  readonly bytes: number;
}

/** One pcap of `copies` × the Ethernet frames of `captures` (in the given order). */
export function makeBigCapture(captures: readonly Uint8Array[], copies: number): BigCapture {
  if (!Number.isInteger(copies) || copies < 1 || copies > 255) throw new Error('copies: 1..255');
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true);
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  hv.setUint32(16, 262144, true);
  hv.setUint32(20, LINKTYPE_ETHERNET, true);
  const chunks: Uint8Array[] = [header];
  let frames = 0;
  let bytes = header.length;
  let clock = 1_700_000_000_000;
  for (let copy = 0; copy < copies; copy++) {
    for (const cap of captures) {
      const c = readCapture(cap);
      if (!c.ok) continue;
      const list = [...c.frames].filter((f) => f.linkType === LINKTYPE_ETHERNET);
      if (list.length === 0) continue;
      const first = Math.min(...list.map((f) => f.timestamp));
      let last = clock;
      const out = new Uint8Array(list.reduce((n, f) => n + 16 + f.data.length, 0));
      const dv = new DataView(out.buffer);
      let off = 0;
      for (const f of list) {
        const ts = clock + (f.timestamp - first);
        if (ts > last) last = ts;
        const us = Math.round(ts * 1000);
        dv.setUint32(off, Math.floor(us / 1e6), true);
        dv.setUint32(off + 4, us % 1e6, true);
        dv.setUint32(off + 8, f.data.length, true);
        dv.setUint32(off + 12, f.wireLength, true);
        out.set(f.data, off + 16);
        if (copy > 0) freshAddresses(out.subarray(off + 16, off + 16 + f.data.length), copy);
        off += 16 + f.data.length;
        frames++;
      }
      chunks.push(out);
      bytes += out.length;
      clock = last + GAP_MS;
    }
  }
  return { chunks, frames, bytes };
}

/** Rewrite the outer IP addresses of an Ethernet frame in place (VLAN tags skipped). */
function freshAddresses(f: Uint8Array, copy: number): void {
  let off = 12;
  let type = f.length >= 14 ? (f[12]! << 8) | f[13]! : 0;
  while ((type === 0x8100 || type === 0x88a8) && f.length >= off + 6) {
    off += 4;
    type = (f[off]! << 8) | f[off + 1]!;
  }
  off += 2;
  if (type === 0x0800 && f.length >= off + 20) {
    const ihl = (f[off]! & 0x0f) * 4;
    if (ihl < 20 || f.length < off + ihl) return;
    for (const a of [off + 12, off + 16]) if (f[a]! < 224 && f[a]! !== 0 && f[a + 3]! !== 255) f[a + 3] = f[a + 3]! ^ copy;
    f[off + 10] = f[off + 11] = 0;
    let sum = 0;
    for (let i = 0; i < ihl; i += 2) sum += (f[off + i]! << 8) | f[off + i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const ck = ~sum & 0xffff;
    f[off + 10] = ck >>> 8;
    f[off + 11] = ck & 0xff;
  } else if (type === 0x86dd && f.length >= off + 40) {
    for (const a of [off + 8, off + 24]) {
      if (f[a] === 0xff) continue;
      let zero = true;
      for (let i = 0; i < 16; i++) if (f[a + i] !== 0) zero = false;
      if (!zero) f[a + 15] = f[a + 15]! ^ copy;
    }
  }
}
