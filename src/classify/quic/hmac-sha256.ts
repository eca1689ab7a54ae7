/**
 * HMAC-SHA256 (RFC 2104) over @noble/hashes' SHA-256, for the Initial key schedule. A key's
 * inner and outer states are set up once, in place, and copied into one working hash per
 * message: deriving a flow's keys then allocates no hash objects. (noble's own HMAC
 * allocates a pair per key and per message, which cost more than the hashing itself in
 * an interpreter, and this derivation is most of a QUIC flow's classification cost.)
 * Not re-entrant: callers finish with one message before the next.
 *
 * `_SHA256` and `_cloneInto` are noble's internals, not its public API: package.json pins
 * @noble/hashes to one exact version, and test/fast-paths.test.ts checks the pin and that
 * this HMAC equals noble's public `hmac(sha256, …)`, so an upgrade that moves them fails there.
 */
import { _SHA256 } from '@noble/hashes/sha2.js';

const BLOCK = 64;
/** SHA-256 before any input: copied into a state to reset it. */
const blank = new _SHA256();
const work = new _SHA256();
const pad = new Uint8Array(BLOCK);
const innerDigest = new Uint8Array(32);

export class HmacSha256 {
  private readonly inner = new _SHA256();
  private readonly outer = new _SHA256();

  constructor(key: Uint8Array | null = null) {
    if (key) this.setKey(key);
  }

  /** Absorb a (new) key; keys longer than a block are hashed first, as RFC 2104 says. */
  setKey(key: Uint8Array): this {
    pad.fill(0);
    if (key.length > BLOCK) {
      blank._cloneInto(work).update(key);
      work.digestInto(innerDigest);
      pad.set(innerDigest);
    } else pad.set(key);
    for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36;
    blank._cloneInto(this.inner).update(pad);
    for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36 ^ 0x5c;
    blank._cloneInto(this.outer).update(pad);
    pad.fill(0);
    return this;
  }

  /** HMAC(key, message) into the first 32 bytes of `out`. */
  macInto(message: Uint8Array, out: Uint8Array): void {
    this.inner._cloneInto(work).update(message);
    work.digestInto(innerDigest);
    this.outer._cloneInto(work).update(innerDigest);
    work.digestInto(out);
  }
}
