/**
 * Initial packet protection (RFC 9001 §5, RFC 9369 for v2, the drafts and Google's
 * Q050/T05x variants): keys derived from the client's first Destination Connection ID,
 * header protection removed with AES-ECB on a sample, payload opened with AES-128-GCM.
 * Anyone can do this: Initial keys are public by design.
 */
import { ctr, ecb, gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { initialSalt, usesV1Labels } from './versions.js';

export interface InitialKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
}

/** HMAC-SHA256 with its key already absorbed; cloned for each message. */
type KeyedMac = ReturnType<typeof hmac.create>;

/**
 * HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, for outputs of at most one
 * hash block: HKDF-Expand is then HMAC(secret, info || 0x01). Reusing one keyed HMAC for
 * all labels of a secret saves the key set-up each time — this is interpreted code on a
 * router, and the derivation is most of a QUIC flow's classification cost.
 */
function expandLabel(secret: KeyedMac, label: string, length: number): Uint8Array {
  const full = 'tls13 ' + label;
  const info = new Uint8Array(4 + full.length + 1);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  for (let i = 0; i < full.length; i++) info[3 + i] = full.charCodeAt(i);
  info[3 + full.length] = 0; // empty context
  info[4 + full.length] = 1; // HKDF-Expand block counter
  return secret.clone().update(info).digest().subarray(0, length);
}

/** HKDF-Extract keyed by each version family's salt, set up once per salt. */
const saltMacs = new Map<Uint8Array, KeyedMac>();

/** Keys for one side's Initial packets ('client in' or 'server in'). */
export function initialKeys(version: number, dcid: Uint8Array, side: 'client' | 'server'): InitialKeys {
  const salt = initialSalt(version);
  let extract = saltMacs.get(salt);
  if (!extract) {
    extract = hmac.create(sha256, salt);
    saltMacs.set(salt, extract);
  }
  const initial = hmac.create(sha256, extract.clone().update(dcid).digest());
  const secret = hmac.create(sha256, expandLabel(initial, side === 'client' ? 'client in' : 'server in', 32));
  const v1 = usesV1Labels(version);
  return {
    key: expandLabel(secret, v1 ? 'quic key' : 'quicv2 key', 16),
    iv: expandLabel(secret, v1 ? 'quic iv' : 'quicv2 iv', 12),
    hp: expandLabel(secret, v1 ? 'quic hp' : 'quicv2 hp', 16),
  };
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
  return openProtected(pkt, pnOffset, keys, authenticate, Infinity)?.plain ?? null;
}

/**
 * Unauthenticated opening of only the first `limit` payload bytes (CTR mode decrypts any
 * prefix on its own). A browser's ClientHello usually sits in the first few hundred bytes
 * of a 1200-byte Initial, so the rest need not be decrypted. `complete` says whether the
 * whole payload was opened.
 */
export function openLongHeaderPrefix(pkt: Uint8Array, pnOffset: number, keys: InitialKeys, limit: number): { plain: Uint8Array; complete: boolean } | null {
  return openProtected(pkt, pnOffset, keys, false, limit);
}

function openProtected(pkt: Uint8Array, pnOffset: number, keys: InitialKeys, authenticate: boolean, limit: number): { plain: Uint8Array; complete: boolean } | null {
  // The sample starts 4 bytes past the packet number's start, whatever its real length.
  if (pnOffset + 4 + 16 > pkt.length) return null;
  const mask = ecb(keys.hp, { disablePadding: true }).encrypt(pkt.subarray(pnOffset + 4, pnOffset + 20));
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
  if (!authenticate) {
    // GCM encrypts with counter blocks nonce || 2, nonce || 3, … (block 1 masks the tag).
    const counter = new Uint8Array(16);
    counter.set(nonce);
    counter[15] = 2;
    const end = pkt.length - 16;
    const stop = Math.min(end, headerLen + limit);
    return { plain: ctr(keys.key, counter).decrypt(pkt.subarray(headerLen, stop)), complete: stop === end };
  }
  try {
    return { plain: gcm(keys.key, nonce, header).decrypt(pkt.subarray(headerLen)), complete: true };
  } catch {
    return null; // tag mismatch: wrong keys or not a QUIC packet
  }
}
