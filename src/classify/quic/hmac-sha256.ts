/**
 * HMAC-SHA256 (RFC 2104) for the Initial key schedule: one native call when the runtime
 * has HMAC (util/digest.ts); two calls of the engine's SHA-256 when it hashes faster than
 * its JavaScript does (an interpreter: txiki.js without flowsieve's library). Otherwise
 * (V8) a key's padded blocks are absorbed once per key (util/sha256-state.ts) and each
 * MAC hashes from copies of those states: two blocks for a short message, no object.
 * Not re-entrant: callers finish with one message before the next.
 */
import { nativeHmacSha256, nativeSha256BeatsJs, sha256 } from '../../util/digest.js';
import { sha256Block, sha256Finish, sha256Reset } from '../../util/sha256-state.js';

const BLOCK = 64;
/** The working state a MAC is hashed in (copied from a key's absorbed state). */
const work = new Int32Array(8);
const innerDigest = new Uint8Array(32);

export class HmacSha256 {
  /** The key (at most one block: longer keys are hashed), as a native HMAC takes it. */
  private key: Uint8Array = new Uint8Array(0);
  /** Key XOR ipad and XOR opad, built on first use after a new key (a native HMAC needs neither). */
  private readonly innerPad = new Uint8Array(BLOCK);
  private readonly outerPad = new Uint8Array(BLOCK);
  private padded = false;
  /** SHA-256 states with the pads absorbed, for the JavaScript path; built on its first use after a new key. */
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
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
    if (nativeSha256BeatsJs()) {
      out.set(sha256(this.outerPad, sha256(this.innerPad, message)));
      return;
    }
    if (!this.absorbed) {
      sha256Block(sha256Reset(this.inner), this.innerPad, 0);
      sha256Block(sha256Reset(this.outer), this.outerPad, 0);
      this.absorbed = true;
    }
    work.set(this.inner);
    sha256Finish(work, BLOCK, message, innerDigest);
    work.set(this.outer);
    sha256Finish(work, BLOCK, innerDigest, out);
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
