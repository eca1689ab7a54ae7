/**
 * Which dissectors a flow's first payload packet is offered to: those of its transport,
 * in precedence order, with the one its ports suggest first (most flows are what their
 * port says; when that one claims, the others are never asked). Dissectors whose
 * `firstLook` the packet fails are left out, since they would only answer 'no'.
 *
 * The lists are few (per transport: which prefilters pass, which dissector is suggested)
 * and built once; a flow costs two port probes, one byte probe and one list probe.
 */
import type { ProtocolName } from '../names.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../decode/packet.js';
import type { FlowView } from '../flow/types.js';
import type { Dissector } from './dissector.js';
import { guessByPort } from './port-guess.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Dissectors past this index in a transport's list are offered every flow (one bit each in a 31-bit mask). */
const MASK_BITS = 31;
/** Room for a suggested dissector's index (+1) beside the mask in a list's key. */
const SUGGESTION_SLOTS = 128;

/** Dissector names for the protocols that port guesses produce, where they differ. */
const DISSECTOR_FOR_PROTOCOL: { readonly [protocol: string]: string } = {
  SMBv23: 'smb',
  HTTP_Proxy: 'http',
  SMTPS: 'tls',
  IMAPS: 'tls',
  POPS: 'tls',
  DoH_DoT: 'tls',
};

function dissectorNameFor(protocol: ProtocolName): string {
  return DISSECTOR_FOR_PROTOCOL[protocol] ?? protocol.toLowerCase();
}

/** The dissectors of one transport, with their prefilters as bit masks. */
class TransportCandidates {
  /** Dissectors without a port condition. */
  private readonly portFree: number;
  /** Port → dissectors whose port condition it meets. */
  private readonly byPort = new Map<number, number>();
  /** First payload byte → dissectors whose byte condition it meets (or who have none). */
  private readonly byFirstByte = new Int32Array(256);
  /** Port guess → index of the dissector it names, -1 for none of this transport's. */
  private readonly suggested = new Map<ProtocolName, number>();
  private readonly lists = new Map<number, readonly Dissector<unknown>[]>();

  constructor(private readonly dissectors: readonly Dissector<unknown>[]) {
    const all = (1 << Math.min(MASK_BITS, dissectors.length)) - 1;
    let portFree = 0;
    this.byFirstByte.fill(all);
    for (let i = 0; i < Math.min(MASK_BITS, dissectors.length); i++) {
      const bit = 1 << i;
      const look = dissectors[i]!.firstLook;
      if (look?.ports) for (const p of look.ports) this.byPort.set(p, (this.byPort.get(p) ?? 0) | bit);
      else portFree |= bit;
      if (look?.firstBytes) {
        for (let b = 0; b < 256; b++) if (!look.firstBytes.includes(b)) this.byFirstByte[b]! &= ~bit;
      }
    }
    this.portFree = portFree;
  }

  offer(flow: FlowView, firstByte: number): readonly Dissector<unknown>[] {
    var a = flow.initiatorPort;
    var b = flow.responderPort;
    var byPort = this.byPort;
    var mask = (this.portFree | (byPort.get(a) ?? 0) | (byPort.get(b) ?? 0)) & this.byFirstByte[firstByte]!;
    var suggestion = this.suggestionFor(flow.ipProtocol, a, b);
    var key = mask * SUGGESTION_SLOTS + suggestion + 1;
    var list = this.lists.get(key);
    if (list === undefined) {
      list = this.build(mask, suggestion);
      this.lists.set(key, list);
    }
    return list;
  }

  private suggestionFor(ipProtocol: number, a: number, b: number): number {
    const guess = guessByPort(ipProtocol, a, b);
    if (guess === null) return -1;
    let i = this.suggested.get(guess);
    if (i === undefined) {
      const name = dissectorNameFor(guess);
      i = this.dissectors.findIndex((d) => d.name === name);
      this.suggested.set(guess, i);
    }
    return i;
  }

  private build(mask: number, suggestion: number): readonly Dissector<unknown>[] {
    const offered = this.dissectors.filter((_, i) => i >= MASK_BITS || (mask & (1 << i)) !== 0);
    const first = this.dissectors[suggestion];
    if (first === undefined || !offered.includes(first)) return offered;
    return [first, ...offered.filter((d) => d !== first)];
  }
}

export class CandidateLists {
  private readonly transports = new Map<number, TransportCandidates>();

  constructor(dissectors: readonly Dissector<unknown>[]) {
    for (const proto of [IPPROTO_TCP, IPPROTO_UDP]) {
      this.transports.set(proto, new TransportCandidates(dissectors.filter((d) => d.ipProtocols.includes(proto))));
    }
  }

  /** Whether flows of this IP protocol are dissected at all (only TCP and UDP carry ports). */
  handles(ipProtocol: number): boolean {
    return this.transports.has(ipProtocol);
  }

  /** The dissectors to offer a flow's first payload packet to, in the order to ask them. */
  offer(flow: FlowView, payload: Uint8Array): readonly Dissector<unknown>[] {
    return this.transports.get(flow.ipProtocol)?.offer(flow, payload[0] ?? 0) ?? [];
  }
}
