/**
 * Cross-flow knowledge the classifier keeps: what DNS answers said an address is called,
 * and which endpoints earlier flows proved to belong to an application (nDPI's "DPI
 * (cache)" verdicts: a STUN exchange that names WhatsApp makes the later RTP flow to the
 * same endpoint WhatsApp too). Bounded LRU maps; times are the packets' timestamps so
 * replay and live traffic behave alike.
 */
import type { AppId, ProtocolName } from '../names.js';
import { BoundedMap } from '../util/bounded-map.js';

export interface EndpointHint {
  readonly protocol: ProtocolName;
  readonly application: AppId | null;
}

export interface SharedHints {
  /** Record a DNS answer: `address` was named `name` until `expiresAt` (ms). */
  rememberName(address: string, name: string, expiresAt: number): void;
  /** The name a DNS answer gave `address`, if still valid at `now`. */
  nameFor(address: string, now: number): string | null;
  /** Remember that `address:port` (port 0: any port) carries protocol/app. */
  rememberEndpoint(address: string, port: number, hint: EndpointHint, expiresAt: number): void;
  endpointFor(address: string, port: number, now: number): EndpointHint | null;
  /** Endpoints remembered so far: while it stays the same, `endpointFor` finds nothing new. */
  readonly endpointsLearned: number;
}

interface Timed<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/** The value while it is valid at `now`; an expired entry is dropped. */
function valid<T>(map: BoundedMap<string, Timed<T>>, key: string, now: number): T | null {
  const e = map.get(key);
  if (!e) return null;
  if (e.expiresAt < now) {
    map.delete(key);
    return null;
  }
  return e.value;
}

export class HintCache implements SharedHints {
  private readonly names: BoundedMap<string, Timed<string>>;
  private readonly endpoints: BoundedMap<string, Timed<EndpointHint>>;
  endpointsLearned = 0;

  constructor(capacity = 8192) {
    this.names = new BoundedMap(capacity);
    this.endpoints = new BoundedMap(capacity);
  }

  rememberName(address: string, name: string, expiresAt: number): void {
    this.names.touch(address, { value: name, expiresAt });
  }

  nameFor(address: string, now: number): string | null {
    return valid(this.names, address, now);
  }

  rememberEndpoint(address: string, port: number, hint: EndpointHint, expiresAt: number): void {
    this.endpoints.touch(`${address}|${port}`, { value: hint, expiresAt });
    this.endpointsLearned++;
  }

  endpointFor(address: string, port: number, now: number): EndpointHint | null {
    return valid(this.endpoints, `${address}|${port}`, now) ?? valid(this.endpoints, `${address}|0`, now);
  }
}
