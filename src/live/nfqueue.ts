/**
 * NFQUEUE as a PacketQueue, over native/nfq (libnetfilter_queue + libmnl). One netlink
 * socket binds the whole queue range. Each batch is one drain (all waiting packets,
 * read with recvmmsg in C into a record array) and one verdict send.
 *
 * The receive loop (drain-loop.ts) differs per runtime: on txiki.js the socket is made in
 * JS and its event loop says when it is readable; under Node the wait happens in C on a
 * koffi worker thread (Node cannot watch a netlink fd).
 */
import type { PacketMeta } from '../flow/packet-meta.js';
import { errnoText, NFQ_ABI, type NativeLibrary } from '../runtime/native-abi.js';
import type { Runtime } from '../runtime/types.js';
import { DrainLoop } from './drain-loop.js';
import type { PacketBatch, PacketQueue, QueueCounters, QueuedPacket, Verdict } from './packet-queue.js';

/** NFQA_CFG_F_* */
export const QUEUE_FLAGS = { failOpen: 1, conntrack: 2, gso: 4 } as const;

export interface NfQueueOptions {
  readonly first: number;
  readonly last: number;
  /** Bytes of each packet copied to the daemon. */
  readonly copyRange: number;
  /** Packets waiting in the kernel at most, per queue. */
  readonly maxLen: number;
  readonly failOpen: boolean;
  readonly gso: boolean;
  /** Ask for conntrack info (refused by kernels without NETFILTER_NETLINK_GLUE_CT). */
  readonly conntrack: boolean;
  /** Socket receive buffer, bytes. */
  readonly rcvbuf: number;
  /** Interface name of an ifindex (null when unknown). */
  readonly interfaceName: (ifindex: number) => string | null;
}

export const DEFAULT_NFQUEUE_OPTIONS: Omit<NfQueueOptions, 'interfaceName'> = {
  first: 0,
  last: 0,
  copyRange: 4096,
  maxLen: 4096,
  failOpen: true,
  gso: true,
  conntrack: true,
  rcvbuf: 8 << 20,
};

// Record layout written by fsq_drain (native/nfq/nfq.c).
const REC_HEADER = 32;
// Verdict entries read by fsq_verdict.
const V_SIZE = 12;
const VERDICTS: { readonly [v in Verdict]: number } = { drop: 0, accept: 1, repeat: 4 };
const NETLINK_NETFILTER = 12;
const CT_NONE = 0xff;
/** Batches are at most this many packets (the drain buffer is sized for it). */
const MAX_BATCH = 64;

export class NfQueue implements PacketQueue {
  readonly counters: QueueCounters = { batches: 0, packets: 0, verdicts: 0, malformed: 0, errors: 0 };
  private readonly out: Uint8Array;
  private readonly outView: DataView;
  private verdicts = new Uint8Array(MAX_BATCH * V_SIZE * 4);
  private verdictView = new DataView(this.verdicts.buffer);
  private closed = false;
  private readonly loop: DrainLoop;

  private constructor(
    private readonly lib: NativeLibrary<typeof NFQ_ABI>,
    private readonly fd: number,
    private readonly socket: ReturnType<Runtime['netlinkSocket']>,
    private readonly opts: NfQueueOptions,
    readonly description: string,
    /** Flags the kernel accepted (QUEUE_FLAGS bits). */
    readonly flags: number,
    /** Called with each failure of a native call (for the log). */
    private readonly onError: (message: string) => void,
  ) {
    // A full-size message per slot: the C side stops when the next might not fit.
    this.out = new Uint8Array(MAX_BATCH * (opts.copyRange + 512 + REC_HEADER));
    this.outView = new DataView(this.out.buffer);
    this.loop = new DrainLoop(fd, socket, lib.fn.fsq_drain, lib.async?.fsq_drain ?? null, this.out);
  }

  static async open(rt: Runtime, opts: NfQueueOptions, onError: (message: string) => void): Promise<NfQueue> {
    if (opts.last < opts.first) throw new Error(`queue range ${opts.first}-${opts.last} is empty`);
    const lib = await rt.loadNative('nfq', NFQ_ABI);
    const socket = rt.netlinkSocket(NETLINK_NETFILTER);
    const fd = socket ? socket.fd : lib.fn.fsq_socket();
    if (fd < 0) throw new Error(`netlink socket: ${errnoText(fd)}`);
    const want = (opts.failOpen ? QUEUE_FLAGS.failOpen : 0) | (opts.gso ? QUEUE_FLAGS.gso : 0) | (opts.conntrack ? QUEUE_FLAGS.conntrack : 0);
    let accepted = want;
    for (let q = opts.first; q <= opts.last; q++) {
      const r = lib.fn.fsq_setup(fd, q, opts.copyRange, opts.maxLen, want, opts.rcvbuf);
      if (r < 0) {
        if (socket) socket.close();
        else lib.fn.fsq_close(fd, 1);
        throw new Error(`NFQUEUE ${q}: ${errnoText(r)}`);
      }
      accepted &= r;
    }
    const names = Object.entries(QUEUE_FLAGS)
      .filter(([, bit]) => accepted & bit)
      .map(([n]) => n.replace('failOpen', 'fail-open'));
    const range = opts.first === opts.last ? `${opts.first}` : `${opts.first}-${opts.last}`;
    return new NfQueue(lib, fd, socket, opts, `NFQUEUE ${range}${names.length ? ` (${names.join(', ')})` : ''}`, accepted, onError);
  }

  start(handle: (batch: PacketBatch) => void, afterVerdicts?: () => void): void {
    this.loop.start((n) => {
      if (n < 0) {
        this.counters.errors++;
        this.onError(`NFQUEUE receive: ${errnoText(n)}`);
        return;
      }
      if (n > 0) this.deliver(n, handle);
      afterVerdicts?.();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop.close();
    // A JS-made socket is closed by its owner (the loop); a C-made one here.
    this.lib.fn.fsq_close(this.fd, this.socket ? 0 : 1);
  }

  /** Records → packets → handler → one verdict send. */
  private deliver(n: number, handle: (batch: PacketBatch) => void): void {
    const v = this.outView;
    const packets: QueuedPacket[] = [];
    if (this.verdicts.length < n * V_SIZE) {
      this.verdicts = new Uint8Array(n * V_SIZE * 2);
      this.verdictView = new DataView(this.verdicts.buffer);
    }
    const vv = this.verdictView;
    let off = 0;
    for (let i = 0; i < n; i++) {
      const id = v.getUint32(off, true);
      const queue = v.getUint16(off + 4, true);
      const capLen = v.getUint16(off + 28, true);
      const ctInfo = this.out[off + 30]!;
      const ctId = v.getUint32(off + 20, true);
      const meta: PacketMeta = {
        inInterface: this.opts.interfaceName(v.getUint32(off + 12, true)),
        outInterface: this.opts.interfaceName(v.getUint32(off + 16, true)),
        mark: v.getUint32(off + 8, true),
        ctId: ctId === 0 ? null : ctId,
        ctState: ctInfo === CT_NONE ? null : ctInfo,
        nat: false,
      };
      // Lent, not copied: the handler has returned before the next drain reuses the buffer,
      // and the pipeline keeps no view of a packet's bytes past the call (pipeline.ts).
      const data = this.out.subarray(off + REC_HEADER, off + REC_HEADER + capLen);
      packets.push({ id, queue, data, length: v.getUint32(off + 24, true), meta });
      const e = i * V_SIZE;
      vv.setUint32(e, id, true);
      vv.setUint16(e + 4, queue, true);
      this.verdicts[e + 6] = VERDICTS.accept;
      this.verdicts[e + 7] = 0;
      vv.setUint32(e + 8, 0, true);
      off += REC_HEADER + ((capLen + 3) & ~3);
    }
    const verdicts = this.verdicts;
    const batch: PacketBatch = {
      packets,
      setVerdict: (index, verdict, mark) => {
        const e = index * V_SIZE;
        verdicts[e + 6] = VERDICTS[verdict];
        if (mark !== undefined) {
          verdicts[e + 7] = 1;
          vv.setUint32(e + 8, mark >>> 0, true);
        }
      },
    };
    this.counters.batches++;
    this.counters.packets += n;
    try {
      handle(batch);
    } finally {
      // Whatever the handler did, the packets get their verdicts (accept by default).
      const r = this.lib.fn.fsq_verdict(this.fd, this.verdicts, n);
      if (r < 0) {
        this.counters.errors++;
        this.onError(`NFQUEUE verdict: ${errnoText(r)}`);
      } else this.counters.verdicts += n;
    }
  }
}
