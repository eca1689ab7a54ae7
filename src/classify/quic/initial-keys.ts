/**
 * Initial packet protection (RFC 9001 §5, RFC 9369 for v2, the drafts and Google's
 * Q050/T05x variants): keys derived from the client's first Destination Connection ID,
 * header protection removed with AES-ECB on a sample, payload opened with AES-128-GCM.
 * Anyone can do this: Initial keys are public by design.
 */
import { aes128Block, aes128Ctr, aes128GcmOpen, nativeHkdfChain } from '../../util/digest.js';
import { HmacSha256 } from './hmac-sha256.js';
import { initialSalt, usesV1Labels } from './versions.js';

export interface InitialKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
}

/**
 * HKDF-Expand-Label (RFC 8446 §7.1) `info` with an empty context, followed by the
 * HKDF-Expand block counter 0x01: for outputs of at most one hash block HKDF-Expand is
 * then HMAC(secret, info || 0x01). Built once per label.
 */
function labelInfo(label: string, length: number): Uint8Array {
  const full = 'tls13 ' + label;
  const info = new Uint8Array(4 + full.length + 1);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  for (let i = 0; i < full.length; i++) info[3 + i] = full.charCodeAt(i);
  info[3 + full.length] = 0; // empty context
  info[4 + full.length] = 1; // HKDF-Expand block counter
  return info;
}

interface LabelSet {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
}

const CLIENT_IN = labelInfo('client in', 32);
const SERVER_IN = labelInfo('server in', 32);
const V1_LABELS: LabelSet = { key: labelInfo('quic key', 16), iv: labelInfo('quic iv', 12), hp: labelInfo('quic hp', 16) };
const V2_LABELS: LabelSet = { key: labelInfo('quicv2 key', 16), iv: labelInfo('quicv2 iv', 12), hp: labelInfo('quicv2 hp', 16) };

/** The side's secret's info, then key, iv and hp's, each after a length byte (NativeDigests.hkdfChain). */
function chainOf(side: Uint8Array, labels: LabelSet): Uint8Array {
  const parts = [side, labels.key, labels.iv, labels.hp];
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out[o] = p.length;
    out.set(p, o + 1);
    o += 1 + p.length;
  }
  return out;
}

/** Key schedules for one native call, by side and label set (key 16, iv 12, hp 16 bytes out). */
const CHAINS = {
  client: { v1: chainOf(CLIENT_IN, V1_LABELS), v2: chainOf(CLIENT_IN, V2_LABELS) },
  server: { v1: chainOf(SERVER_IN, V1_LABELS), v2: chainOf(SERVER_IN, V2_LABELS) },
};
const chained = new Uint8Array(44);

/** HKDF-Extract keyed by each version family's salt, set up once per salt. */
const saltMacs = new Map<Uint8Array, HmacSha256>();
/** The two per-flow secrets' keyed states, re-keyed for each derivation. */
const initialMac = new HmacSha256();
const secretMac = new HmacSha256();
const secret = new Uint8Array(32);

/** Keys for one side's Initial packets ('client in' or 'server in'). */
export function initialKeys(version: number, dcid: Uint8Array, side: 'client' | 'server'): InitialKeys {
  const salt = initialSalt(version);
  // One call into the engine (txiki.js with flowsieve's library) instead of five HMACs.
  if (nativeHkdfChain(salt, dcid, CHAINS[side][usesV1Labels(version) ? 'v1' : 'v2'], chained)) {
    return { key: chained.slice(0, 16), iv: chained.slice(16, 28), hp: chained.slice(28, 44) };
  }
  let extract = saltMacs.get(salt);
  if (!extract) {
    extract = new HmacSha256(salt);
    saltMacs.set(salt, extract);
  }
  extract.macInto(dcid, secret);
  initialMac.setKey(secret);
  // HKDF-Expand of at most one hash block: HMAC(secret, info || 0x01), cut to length.
  initialMac.macInto(side === 'client' ? CLIENT_IN : SERVER_IN, secret);
  secretMac.setKey(secret);
  const labels = usesV1Labels(version) ? V1_LABELS : V2_LABELS;
  secretMac.macInto(labels.key, secret);
  const key = secret.slice(0, 16);
  secretMac.macInto(labels.iv, secret);
  const iv = secret.slice(0, 12);
  secretMac.macInto(labels.hp, secret);
  const hp = secret.slice(0, 16);
  secret.fill(0);
  return { key, iv, hp };
}

/**
 * Open one long-header packet. `pkt` spans exactly the packet (header + payload as the
 * Length field says); `pnOffset` is where the protected packet number starts. Returns the
 * plaintext payload, or null if it is too short or (when authenticating) its tag is wrong.
 *
 * `authenticate: false` decrypts AES-GCM's CTR half only and skips GHASH, about half the
 * cost in an interpreter. Callers that do so must check the plaintext themselves (IETF
 * Initials may hold only PADDING, PING, ACK and CRYPTO frames: random bytes from wrong
 * keys never parse as that to the end).
 */
export function openLongHeaderPacket(pkt: Uint8Array, pnOffset: number, keys: InitialKeys, authenticate = true): Uint8Array | null {
  return openProtected(pkt, pnOffset, keys, authenticate);
}

/**
 * One Initial with its header protection removed, its payload opened (unauthenticated)
 * only as far as asked. CTR mode decrypts any block-aligned span on its own, so a caller
 * can open a prefix, look at it, and open more later without redoing the prefix: the
 * frames are read as they are opened, and reading stops at the end of the ClientHello.
 */
export class InitialOpening {
  /** Plaintext; bytes past `opened` are not decrypted yet. */
  private readonly plain: Uint8Array;
  private opened = 0;

  /**
   * `into`, when given, receives the plaintext (it must be at least as long as `sealed`,
   * and the caller must be done with the plaintext before reusing it).
   */
  constructor(
    private readonly key: Uint8Array,
    /** nonce || 32-bit block counter (GCM's J0 + 1 numbering: payload starts at block 2). */
    private readonly nonce: Uint8Array,
    private readonly sealed: Uint8Array,
    into: Uint8Array | null = null,
  ) {
    this.plain = into !== null && into.length >= sealed.length ? into.subarray(0, sealed.length) : new Uint8Array(sealed.length);
  }

  /** The payload's length. */
  get length(): number {
    return this.sealed.length;
  }

  /** The payload opened up to at least `n` bytes (all of it when shorter). */
  openTo(n: number): Uint8Array {
    const start = this.opened;
    const stop = Math.min(this.sealed.length, Math.ceil(n / 16) * 16);
    if (stop > start) {
      // `start` is block-aligned: every opening but the last ends on a block boundary.
      const counter = new Uint8Array(16);
      counter.set(this.nonce);
      const block = 2 + start / 16;
      counter[12] = block >>> 24;
      counter[13] = (block >>> 16) & 0xff;
      counter[14] = (block >>> 8) & 0xff;
      counter[15] = block & 0xff;
      // Decrypted in place: the cipher would otherwise copy the (unaligned) packet bytes.
      const span = this.plain.subarray(start, stop);
      span.set(this.sealed.subarray(start, stop));
      aes128Ctr(this.key, counter, span, span);
      this.opened = stop;
    }
    return this.plain.subarray(0, this.opened);
  }
}

/**
 * Remove header protection and set up unauthenticated opening of the payload (see
 * `openLongHeaderPacket` for when skipping the tag is safe), into `into` when it is long
 * enough (see InitialOpening). Null when too short.
 */
export function openInitial(pkt: Uint8Array, pnOffset: number, keys: InitialKeys, into: Uint8Array | null = null): InitialOpening | null {
  const h = unprotect(pkt, pnOffset, keys);
  if (!h) return null;
  return new InitialOpening(keys.key, h.nonce, pkt.subarray(h.headerLen, pkt.length - 16), into);
}

interface Unprotected {
  readonly header: Uint8Array;
  readonly headerLen: number;
  readonly nonce: Uint8Array;
}

/** Header protection off: the clear header (for GCM's AAD) and the packet's nonce. */
function unprotect(pkt: Uint8Array, pnOffset: number, keys: InitialKeys): Unprotected | null {
  // The sample starts 4 bytes past the packet number's start, whatever its real length.
  if (pnOffset + 4 + 16 > pkt.length) return null;
  const mask = aes128Block(keys.hp, pkt.subarray(pnOffset + 4, pnOffset + 20));
  const first = pkt[0]! ^ (mask[0]! & 0x0f);
  const pnLen = (first & 3) + 1;
  const headerLen = pnOffset + pnLen;
  if (headerLen + 16 >= pkt.length) return null;
  const header = pkt.slice(0, headerLen);
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    header[pnOffset + i] = pkt[pnOffset + i]! ^ mask[1 + i]!;
    pn = pn * 256 + header[pnOffset + i]!;
  }
  const nonce = keys.iv.slice();
  for (let i = 0; i < 4; i++) nonce[11 - i]! ^= (pn >>> (8 * i)) & 0xff;
  return { header, headerLen, nonce };
}

function openProtected(pkt: Uint8Array, pnOffset: number, keys: InitialKeys, authenticate: boolean): Uint8Array | null {
  const h = unprotect(pkt, pnOffset, keys);
  if (!h) return null;
  if (!authenticate) return new InitialOpening(keys.key, h.nonce, pkt.subarray(h.headerLen, pkt.length - 16)).openTo(Infinity);
  return aes128GcmOpen(keys.key, h.nonce, h.header, pkt.subarray(h.headerLen)); // null: wrong keys or not QUIC
}
