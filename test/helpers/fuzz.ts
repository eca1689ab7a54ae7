/**
 * Fuzz inputs for dissectors, derived from the corpus: real first payloads, then
 * truncated, bit-flipped, spliced and random variants. Deterministic (seeded) so that a
 * crash found once is found again. Used by test/fuzz.test.ts (a sample) and
 * scripts/fuzz.ts (the full run).
 */
import { readCapture } from '../../src/capture/reader.js';
import { decodeFailed, decodePacket } from '../../src/decode/decode.js';
import type { Dissector, L4Packet } from '../../src/classify/dissector.js';
import { emptyDetection } from '../../src/classify/dissector.js';
import { HintCache } from '../../src/classify/hints.js';
import type { FlowView } from '../../src/flow/types.js';

export interface Seed {
  readonly ipProtocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

/** xorshift32: small, fast, reproducible. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
}

/** The first few payload packets of every flow in the given captures. */
export function seedsFrom(captures: Uint8Array[], perFlow = 4): Seed[] {
  const seeds: Seed[] = [];
  const seen = new Map<string, number>();
  for (const bytes of captures) {
    const cap = readCapture(bytes);
    if (!cap.ok) continue;
    for (const f of cap.frames) {
      const p = decodePacket(f.linkType, f.data, f.timestamp, f.wireLength);
      if (decodeFailed(p) || p.payload.length === 0 || p.laterFragment) continue;
      const key = `${p.ipProtocol}|${[p.srcIp, p.srcPort, p.dstIp, p.dstPort].sort().join('|')}`;
      const n = seen.get(key) ?? 0;
      if (n >= perFlow) continue;
      seen.set(key, n + 1);
      seeds.push({ ipProtocol: p.ipProtocol, srcPort: p.srcPort, dstPort: p.dstPort, payload: p.payload.slice() });
    }
  }
  return seeds;
}

/** One mutated variant of a seed payload. */
export function mutate(rng: Rng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  switch (rng.below(6)) {
    case 0: // truncation
      return seed.slice(0, rng.below(seed.length + 1));
    case 1: {
      // bit flips
      const b = seed.slice();
      for (let i = 0, n = 1 + rng.below(8); i < n && b.length; i++) b[rng.below(b.length)]! ^= 1 << rng.below(8);
      return b;
    }
    case 2: {
      // interesting values at random places (lengths are where parsers break)
      const b = seed.slice();
      const vals = [0, 0xff, 0x7f, 0x80, 1];
      for (let i = 0, n = 1 + rng.below(4); i < n && b.length; i++) b[rng.below(b.length)] = vals[rng.below(vals.length)]!;
      return b;
    }
    case 3: {
      // splice two payloads
      const cut = rng.below(seed.length + 1);
      const from = rng.below(other.length + 1);
      const out = new Uint8Array(cut + other.length - from);
      out.set(seed.subarray(0, cut));
      out.set(other.subarray(from), cut);
      return out;
    }
    case 4: {
      // random bytes behind a real prefix
      const keep = rng.below(Math.min(seed.length, 16) + 1);
      const out = new Uint8Array(keep + rng.below(1500));
      out.set(seed.subarray(0, keep));
      for (let i = keep; i < out.length; i++) out[i] = rng.next() & 0xff;
      return out;
    }
    default: {
      const out = new Uint8Array(rng.below(1500));
      for (let i = 0; i < out.length; i++) out[i] = rng.next() & 0xff;
      return out;
    }
  }
}

export interface FuzzResult {
  readonly runs: number;
  readonly claims: number;
  readonly crashes: { readonly input: string; readonly error: string }[];
}

/**
 * Feeds `runs` flows of 1–4 mutated packets each to one dissector; every throw is a
 * crash (recorded with the input as hex). Seeds of the dissector's transport only.
 */
export function fuzzDissector(d: Dissector<unknown>, seeds: readonly Seed[], runs: number, seed = 1): FuzzResult {
  const rng = new Rng(seed);
  const pool = seeds.filter((s) => d.ipProtocols.includes(s.ipProtocol));
  const crashes: { input: string; error: string }[] = [];
  let claims = 0;
  if (pool.length === 0) return { runs: 0, claims, crashes };
  const hints = new HintCache(256);
  for (let i = 0; i < runs; i++) {
    const base = pool[rng.below(pool.length)]!;
    const flow: FlowView = {
      ipVersion: 4,
      ipProtocol: base.ipProtocol,
      vlanId: 0,
      initiatorIp: '10.0.0.1',
      initiatorPort: base.srcPort,
      responderIp: '10.0.0.2',
      responderPort: base.dstPort,
      packets: 0,
      packetsByDir: [0, 0],
    };
    const out = emptyDetection();
    const inputs: Uint8Array[] = [];
    try {
      const state = d.create(flow);
      const n = 1 + rng.below(4);
      for (let k = 0; k < n; k++) {
        const p = mutate(rng, pool[rng.below(pool.length)]!.payload, pool[rng.below(pool.length)]!.payload);
        inputs.push(p);
        const dir = (k % 2) as 0 | 1;
        const view: FlowView = { ...flow, packets: k + 1, packetsByDir: dir === 0 ? [k / 2 + 1, k / 2] : [(k + 1) / 2, (k + 1) / 2] };
        const pkt: L4Packet = {
          dir,
          payload: p,
          srcPort: dir === 0 ? base.srcPort : base.dstPort,
          dstPort: dir === 0 ? base.dstPort : base.srcPort,
          tcpFlags: base.ipProtocol === 6 ? 0x18 : 0,
          tcpSeq: rng.next(),
          timestamp: 1_700_000_000_000 + i,
        };
        const step = d.feed(state, pkt, view, out, hints);
        if (out.protocol) claims++;
        if (step !== 'more') break;
      }
    } catch (e) {
      if (crashes.length < 20) {
        crashes.push({
          input: inputs.map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')).join(' / '),
          error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        });
      }
    }
  }
  return { runs, claims, crashes };
}
