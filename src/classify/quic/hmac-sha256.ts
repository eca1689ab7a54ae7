/**
 * HMAC-SHA256 (RFC 2104) for the Initial key schedule: one native call when the runtime
 * has HMAC (util/digest.ts). Otherwise a key's padded blocks are set up once, in place;
 * each MAC is then two hashes. With the engine's own SHA-256 those are two native calls. In JavaScript (@noble/hashes) the inner and
 * outer states are absorbed once per key and copied into one working hash per message:
 * deriving a flow's keys then allocates no hash objects (noble's own HMAC allocates a pair
 * per key and per message, which cost more than the hashing itself in an interpreter).
 * Not re-entrant: callers finish with one message before the next.
 *
 * `_SHA256` and `_cloneInto` are noble's internals, not its public API: package.json pins
 * @noble/hashes to one exact version, and test/fast-paths.test.ts checks the pin and that
 * this HMAC equals noble's public `hmac(sha256, …)`, so an upgrade that moves them fails there.
 */
import { _SHA256 } from '@noble/hashes/sha2.js';
import { hasNativeSha256, nativeHmacSha256, sha256 } from '../../util/digest.js';

const BLOCK = 64;
/** SHA-256 before any input: copied into a state to reset it. */
const blank = new _SHA256();
const work = new _SHA256();
const innerDigest = new Uint8Array(32);

export class HmacSha256 {
  /** The key (at most one block: longer keys are hashed), as a native HMAC takes it. */
  private key: Uint8Array = new Uint8Array(0);
  /** Key XOR ipad and XOR opad, built on first use after a new key (a native HMAC needs neither). */
  private readonly innerPad = new Uint8Array(BLOCK);
  private readonly outerPad = new Uint8Array(BLOCK);
  private padded = false;
  /** The pads absorbed, for the JavaScript path; built on its first use after a new key. */
  private readonly inner = new _SHA256();
  private readonly outer = new _SHA256();
  private absorbed = false;

  constructor(key: Uint8Array | null = null) {
    if (key) this.setKey(key);
  }

  /** Take a (new) key; keys longer than a block are hashed first, as RFC 2104 says. */
  setKey(key: Uint8Array): this {
    this.key = key.length > BLOCK ? sha256(key) : key.slice();
    this.padded = false;
    this.absorbed = false;
    return this;
  }

  /** HMAC(key, message) into the first 32 bytes of `out`. */
  macInto(message: Uint8Array, out: Uint8Array): void {
    if (nativeHmacSha256(this.key, message, out)) return;
    if (!this.padded) this.pad();
    if (hasNativeSha256()) {
      out.set(sha256(this.outerPad, sha256(this.innerPad, message)));
      return;
    }
    if (!this.absorbed) {
      blank._cloneInto(this.inner).update(this.innerPad);
      blank._cloneInto(this.outer).update(this.outerPad);
      this.absorbed = true;
    }
    this.inner._cloneInto(work).update(message);
    work.digestInto(innerDigest);
    this.outer._cloneInto(work).update(innerDigest);
    work.digestInto(out);
  }

  private pad(): void {
    const ip = this.innerPad;
    const op = this.outerPad;
    ip.fill(0);
    ip.set(this.key);
    for (let i = 0; i < BLOCK; i++) {
      op[i] = ip[i]! ^ 0x5c;
      ip[i]! ^= 0x36;
    }
    this.padded = true;
  }
}
