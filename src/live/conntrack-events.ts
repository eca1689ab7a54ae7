/**
 * Conntrack destroy events (native/ctev over ctnetlink): the kernel's word that a
 * connection is over, with its packet and byte counters when accounting is on
 * (net.netfilter.nf_conntrack_acct). A flow that bypasses the queue ends by these, or by
 * idle expiry when an event is lost.
 */
import { ipv6Text } from '../net/format.js';
import { CTEV_ABI, errnoText, type NativeLibrary } from '../runtime/native-abi.js';
import type { Runtime } from '../runtime/types.js';
import { DrainLoop } from './drain-loop.js';

export interface ConntrackEnd {
  readonly id: number;
  readonly ipProtocol: number;
  /** Original direction: the connection's initiator is the source. */
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** The reply tuple is not the mirror of the original (NAT). */
  readonly nat: boolean;
  /** [original, reply] packets and bytes, null without accounting. */
  readonly packets: readonly [number, number] | null;
  readonly bytes: readonly [number, number] | null;
}

// Record layout written by fsct_drain (native/ctev/ctev.c).
const R_SIZE = 80;
const BATCH = 256;
const NETLINK_NETFILTER = 12;
const AF_INET = 2;

function ipText(b: Uint8Array, o: number, family: number): string {
  return family === AF_INET ? `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}` : ipv6Text(b, o);
}

/** One record of the array fsct_drain writes. */
export function readConntrackEnd(b: Uint8Array, v: DataView, o: number): ConntrackEnd {
  const family = b[o]!;
  const flags = v.getUint16(o + 6, true);
  const u64 = (at: number) => v.getUint32(o + at, true) + v.getUint32(o + at + 4, true) * 2 ** 32;
  const counted = (flags & 1) !== 0;
  return {
    id: v.getUint32(o + 8, true),
    ipProtocol: b[o + 1]!,
    srcPort: v.getUint16(o + 2, true),
    dstPort: v.getUint16(o + 4, true),
    srcIp: ipText(b, o + 12, family),
    dstIp: ipText(b, o + 28, family),
    nat: (flags & 2) !== 0,
    packets: counted ? [u64(44), u64(60)] : null,
    bytes: counted ? [u64(52), u64(68)] : null,
  };
}

export class ConntrackEvents {
  private readonly out = new Uint8Array(BATCH * R_SIZE);
  private readonly view = new DataView(this.out.buffer);
  private readonly loop: DrainLoop;
  /** Events received. */
  received = 0;

  private constructor(
    private readonly lib: NativeLibrary<typeof CTEV_ABI>,
    private readonly fd: number,
    private readonly ownsFd: boolean,
    socket: ReturnType<Runtime['netlinkSocket']>,
  ) {
    this.loop = new DrainLoop(fd, socket, lib.fn.fsct_drain, lib.async?.fsct_drain ?? null, this.out);
  }

  static async open(rt: Runtime): Promise<ConntrackEvents> {
    const lib = await rt.loadNative('ctev', CTEV_ABI);
    const socket = rt.netlinkSocket(NETLINK_NETFILTER);
    const fd = socket ? socket.fd : lib.fn.fsct_socket();
    if (fd < 0) throw new Error(`conntrack events: ${errnoText(fd)}`);
    const r = lib.fn.fsct_subscribe(fd, 4 << 20);
    if (r < 0) {
      if (socket) socket.close();
      else lib.fn.fsct_close(fd, 1);
      throw new Error(`conntrack events: ${errnoText(r)}`);
    }
    return new ConntrackEvents(lib, fd, socket === null, socket);
  }

  start(onEnd: (e: ConntrackEnd) => void, onError: (message: string) => void): void {
    this.loop.start((n) => {
      if (n < 0) return onError(`conntrack events: ${errnoText(n)}`);
      for (let i = 0; i < n; i++) onEnd(readConntrackEnd(this.out, this.view, i * R_SIZE));
      this.received += Math.max(0, n);
    });
  }

  async close(): Promise<void> {
    await this.loop.close();
    this.lib.fn.fsct_close(this.fd, this.ownsFd ? 1 : 0);
  }
}
