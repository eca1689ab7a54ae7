/**
 * IP fragment reassembly for replay: IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5), with
 * the hole list of RFC 815. A datagram's fragments are those with the same source,
 * destination, protocol (IPv4 only) and identification, within one VLAN. What is held is
 * bounded: datagrams in progress, bytes per datagram, bytes altogether, and time.
 *
 * Overlaps: the bytes held first win, later copies of them are dropped (whole duplicates
 * included), and so does the first length a last fragment gave. That reads a datagram
 * the way an RFC 815 receiver fills its holes. Linux instead discards a datagram with
 * overlapping fragments, IPv4 as IPv6 (RFC 5722 §4; exact duplicates are ignored): an
 * overlap is damage or an evasion attempt, and such a host never delivers it.
 *
 * A datagram given up (timed out, evicted, or pending at the end) is still handed back,
 * with the bytes it holds from offset 0 on, so its frames count in its flow and its first
 * fragment can be classified as before reassembly; without its first fragment it holds
 * none (`data` empty).
 */
import type { DecodedPacket, FragmentInfo, ReassembledDatagram } from '../decode/packet.js';
import { fragmentKeyOf } from './key.js';

export interface ReassemblyOptions {
  /** Datagrams in progress at once; one more gives up the oldest. */
  readonly maxDatagrams: number;
  /** Largest datagram (bytes after the IP header): a fragment reaching past it spoils its datagram. */
  readonly maxDatagramBytes: number;
  /** Bytes held for all datagrams together; the oldest are given up to make room. */
  readonly maxBufferedBytes: number;
  /** A datagram still incomplete this long (capture time) after the first of its fragments came is given up. */
  readonly timeoutMs: number;
}

/** Linux's defaults where it has one: ipfrag_high_thresh 4 MiB, ipfrag_time 30 s. */
export const DEFAULT_REASSEMBLY_OPTIONS: ReassemblyOptions = {
  maxDatagrams: 1024,
  maxDatagramBytes: 65535,
  maxBufferedBytes: 4 << 20,
  timeoutMs: 30_000,
};

export interface ReassemblyCounters {
  /** Datagrams put back together. */
  reassembled: number;
  /** Given up: not complete in time, to make room, or still pending at the end. */
  timedOut: number;
  evicted: number;
  flushed: number;
  /** Fragments with bytes (or a length) that contradict or repeat what was held. */
  overlaps: number;
  /** Datagrams spoiled by a fragment beyond the size or memory bounds. */
  oversized: number;
}

const EMPTY = new Uint8Array(0);

/** One datagram in progress; handed out (as ReassembledDatagram) when done with. */
class PendingDatagram implements ReassembledDatagram {
  readonly ipVersion: 4 | 6;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly vlanId: number;
  srcMac: string | null;
  dstMac: string | null;
  tunnelDepth: number;
  /** From the fragment at offset 0; -1 before it came. */
  protocol = -1;
  data: Uint8Array = EMPTY;
  complete = false;
  frames = 0;
  wireLength = 0;
  timestamp: number;
  /** The datagram's bytes, where held; grown as fragments reach further. */
  buf: Uint8Array = EMPTY;
  /** RFC 815's holes as [first, end) pairs in order; the last is open-ended until the last fragment. */
  holes: number[] = [0, Infinity];
  /** The datagram's length once a last fragment (more = false) gave it; -1 before. */
  total = -1;
  /** End of the furthest bytes held: a last fragment ending before them is contradicted. */
  reach = 0;
  /** Past a bound: frames still count, data is no longer kept. */
  spoiled = false;

  constructor(
    pkt: DecodedPacket,
    frag: FragmentInfo,
    readonly startedAt: number,
  ) {
    this.ipVersion = pkt.ipVersion;
    this.srcIp = pkt.srcIp;
    this.dstIp = pkt.dstIp;
    this.vlanId = pkt.vlanId;
    this.srcMac = pkt.srcMac;
    this.dstMac = pkt.dstMac;
    this.tunnelDepth = frag.tunnelDepth;
    this.timestamp = pkt.timestamp;
  }
}

export class Reassembler {
  /** In arrival order of their first fragment: the front is the oldest. */
  private readonly pending = new Map<string, PendingDatagram>();
  private readonly opts: ReassemblyOptions;
  private bytes = 0;
  private clock = -Infinity;
  /** Capture time at which the oldest pending datagram times out; Infinity when none is. */
  deadline = Infinity;
  readonly counters: ReassemblyCounters = { reassembled: 0, timedOut: 0, evicted: 0, flushed: 0, overlaps: 0, oversized: 0 };

  /** `giveUp` receives every datagram given up, complete never. */
  constructor(
    private readonly giveUp: (dg: ReassembledDatagram) => void,
    opts: Partial<ReassemblyOptions> = {},
  ) {
    this.opts = { ...DEFAULT_REASSEMBLY_OPTIONS, ...opts };
  }

  /** Datagrams in progress. */
  get size(): number {
    return this.pending.size;
  }

  /** Bytes held for them. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /**
   * Take one fragment (a packet whose `fragment` is set); the datagram when it completed
   * one, else null. Datagrams given up to make room go to `giveUp` first.
   */
  add(pkt: DecodedPacket): ReassembledDatagram | null {
    const frag = pkt.fragment;
    if (frag === null) return null;
    if (pkt.timestamp > this.clock) this.clock = pkt.timestamp;
    const key = fragmentKeyOf(pkt, frag);
    let dg = this.pending.get(key);
    if (dg === undefined) {
      if (this.pending.size >= this.opts.maxDatagrams) this.release(this.pending.keys().next().value!, 'evicted');
      dg = new PendingDatagram(pkt, frag, this.clock);
      this.pending.set(key, dg);
      this.updateDeadline();
    }
    dg.frames++;
    dg.wireLength += pkt.wireLength;
    if (pkt.timestamp > dg.timestamp) dg.timestamp = pkt.timestamp;
    if (frag.offset === 0 && dg.protocol < 0) {
      dg.protocol = frag.protocol;
      // The first fragment's link layer is the one the unfragmented packet would have shown.
      dg.srcMac = pkt.srcMac;
      dg.dstMac = pkt.dstMac;
      dg.tunnelDepth = frag.tunnelDepth;
    }
    if (!dg.spoiled) this.insert(dg, frag);
    if (dg.total < 0 || dg.holes.length > 0) return null;
    this.pending.delete(key);
    this.bytes -= dg.buf.length;
    this.updateDeadline();
    dg.data = dg.buf.subarray(0, dg.total);
    dg.complete = true;
    this.counters.reassembled++;
    return dg;
  }

  /** Give up every datagram whose time ran out by `now` (capture time). */
  expire(now: number): void {
    if (now > this.clock) this.clock = now;
    const limit = this.clock - this.opts.timeoutMs;
    for (const [key, dg] of this.pending) {
      if (dg.startedAt > limit) break;
      this.release(key, 'timedOut');
    }
  }

  /** Give up every pending datagram, oldest first (end of capture). */
  flush(): void {
    for (const key of [...this.pending.keys()]) this.release(key, 'flushed');
  }

  /** RFC 815 §3: fill the holes the fragment covers; bytes already held stay. */
  private insert(dg: PendingDatagram, frag: FragmentInfo): void {
    const first = frag.offset;
    // All fragments but the last carry a multiple of 8 bytes (RFC 791 §3.2, RFC 8200
    // §4.5); like Linux, a longer one is cut back to it.
    let end = first + (frag.more ? frag.data.length & ~7 : frag.data.length);
    if (end > this.opts.maxDatagramBytes) return this.spoil(dg);
    let contradicts = false;
    if (!frag.more) {
      if (dg.total < 0 && end >= dg.reach) {
        dg.total = end;
        this.truncateHoles(dg, end);
      } else contradicts = dg.total !== end;
    }
    if (dg.total >= 0 && end > dg.total) {
      end = dg.total;
      contradicts = true;
    }
    if (end <= first) {
      if (contradicts) this.counters.overlaps++;
      return;
    }
    if (end > dg.buf.length && !this.grow(dg, end)) return this.spoil(dg);
    const holes = dg.holes;
    const kept: number[] = [];
    let filled = 0;
    for (let i = 0; i < holes.length; i += 2) {
      const hs = holes[i]!;
      const he = holes[i + 1]!;
      if (end <= hs || first >= he) {
        kept.push(hs, he);
        continue;
      }
      const a = Math.max(first, hs);
      const b = Math.min(end, he);
      dg.buf.set(frag.data.subarray(a - first, b - first), a);
      filled += b - a;
      if (hs < first) kept.push(hs, first);
      if (end < he) kept.push(end, he);
    }
    if (contradicts || filled < end - first) this.counters.overlaps++;
    dg.holes = kept;
    if (end > dg.reach) dg.reach = end;
  }

  /** A last fragment gave the length: no hole lies beyond it. */
  private truncateHoles(dg: PendingDatagram, total: number): void {
    const kept: number[] = [];
    for (let i = 0; i < dg.holes.length; i += 2) {
      const hs = dg.holes[i]!;
      if (hs < total) kept.push(hs, Math.min(dg.holes[i + 1]!, total));
    }
    dg.holes = kept;
  }

  /** Room for `end` bytes (doubling, within the bounds), giving up older datagrams for it. */
  private grow(dg: PendingDatagram, end: number): boolean {
    const size = Math.min(Math.max(end, dg.buf.length * 2, 2048), this.opts.maxDatagramBytes);
    const more = size - dg.buf.length;
    while (this.bytes + more > this.opts.maxBufferedBytes) {
      const oldest = this.pending.keys().next().value!;
      if (this.pending.get(oldest) === dg) return false;
      this.release(oldest, 'evicted');
    }
    const buf = new Uint8Array(size);
    buf.set(dg.buf);
    dg.buf = buf;
    this.bytes += more;
    return true;
  }

  private spoil(dg: PendingDatagram): void {
    if (!dg.spoiled) this.counters.oversized++;
    dg.spoiled = true;
  }

  private release(key: string, why: 'timedOut' | 'evicted' | 'flushed'): void {
    const dg = this.pending.get(key)!;
    this.pending.delete(key);
    this.bytes -= dg.buf.length;
    this.counters[why]++;
    // The bytes held from offset 0 on: up to the first hole.
    const held = dg.holes.length > 0 ? dg.holes[0]! : dg.total;
    dg.data = held > 0 && dg.protocol >= 0 ? dg.buf.subarray(0, held) : EMPTY;
    this.updateDeadline();
    this.giveUp(dg);
  }

  private updateDeadline(): void {
    let oldest: PendingDatagram | undefined;
    for (const dg of this.pending.values()) {
      oldest = dg;
      break;
    }
    this.deadline = oldest === undefined ? Infinity : oldest.startedAt + this.opts.timeoutMs;
  }
}
