/**
 * Cross-flow knowledge the classifier keeps: what DNS answers said an address is called,
 * and which endpoints earlier flows proved to belong to an application (nDPI's "DPI
 * (cache)" verdicts: a STUN exchange that names WhatsApp makes the later RTP flow to the
 * same endpoint WhatsApp too). Bounded LRU maps; times are the packets' timestamps so
 * replay and live traffic behave alike.
 */
import type { AppId, ProtocolName } from './dissector.js';

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
}

interface Timed<T> {
  value: T;
  expiresAt: number;
}

/** A Map kept in insertion order; re-setting moves an entry to the back; oldest dropped. */
class BoundedMap<T> {
  private readonly map = new Map<string, Timed<T>>();
  constructor(private readonly capacity: number) {}

  set(key: string, value: T, expiresAt: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt });
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  get(key: string, now: number): T | null {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.expiresAt < now) {
      this.map.delete(key);
      return null;
    }
    return e.value;
  }

  get size(): number {
    return this.map.size;
  }
}

export class HintCache implements SharedHints {
  private readonly names: BoundedMap<string>;
  private readonly endpoints: BoundedMap<EndpointHint>;

  constructor(capacity = 8192) {
    this.names = new BoundedMap(capacity);
    this.endpoints = new BoundedMap(capacity);
  }

  rememberName(address: string, name: string, expiresAt: number): void {
    this.names.set(address, name, expiresAt);
  }

  nameFor(address: string, now: number): string | null {
    return this.names.get(address, now);
  }

  rememberEndpoint(address: string, port: number, hint: EndpointHint, expiresAt: number): void {
    this.endpoints.set(`${address}|${port}`, hint, expiresAt);
  }

  endpointFor(address: string, port: number, now: number): EndpointHint | null {
    return this.endpoints.get(`${address}|${port}`, now) ?? this.endpoints.get(`${address}|0`, now);
  }
}
