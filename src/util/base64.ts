/**
 * RFC 4648 base64, by hand: txiki.js has no Buffer, and the packed catalogue networks are
 * decoded once at start-up under QuickJS, where this loop beats a generic decoder. An
 * engine decoder (ES2026 `Uint8Array.fromBase64`, which QuickJS-ng has, or one a runtime
 * installs: Node's Buffer) decodes canonical text itself.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >>> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

/** Base64 alphabet value of each character code, 255 for any other character. */
const B64_VALUE = ((): Uint8Array => {
  const t = new Uint8Array(256).fill(255);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/**
 * An engine's decoder: the bytes of `text` when it is canonical base64 (they encode back
 * to the very text), else null. Engine decoders also take white space and unpadded or
 * non-zero tails, which the loop refuses or reads otherwise: those are left to the loop.
 */
export type Base64Decoder = (text: string) => Uint8Array | null;

/** ES2026 `Uint8Array.fromBase64` and `toBase64`, when the engine has them. */
interface EngineBase64 {
  fromBase64?: (text: string) => Uint8Array & { toBase64(): string };
}
const standard = (Uint8Array as unknown as EngineBase64).fromBase64;

let engineDecoder: Base64Decoder | null =
  standard === undefined
    ? null
    : (text) => {
        try {
          const bytes = standard(text);
          return bytes.toBase64() === text ? bytes : null;
        } catch {
          return null; // not base64 to the engine either: the loop says why
        }
      };

/** Set by a runtime whose engine decodes base64 without `Uint8Array.fromBase64` (Node 20's Buffer). */
export function useBase64Decoder(d: Base64Decoder | null): void {
  engineDecoder = d;
}

/** Base64 text → bytes, with `pad` zero bytes after them (room for a reader's window). */
export function fromBase64(text: string, pad: number, what: string): Uint8Array {
  // Natively the start-up's ~58 KB of packed networks take a fraction of the loop's time:
  // under txiki.js the loop makes a native call per character, under Node it runs in V8's
  // first tiers (unpacking ~18 ms against ~13 with Buffer).
  const decoded = engineDecoder === null ? null : engineDecoder(text);
  if (decoded !== null) {
    const out = new Uint8Array(decoded.length + pad);
    out.set(decoded);
    return out;
  }
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const size = Math.floor((end * 6) / 8);
  const out = new Uint8Array(size + pad);
  const t = B64_VALUE;
  let bad = 0;
  let codes = 0;
  let o = 0;
  let i = 0;
  for (const full = end - (end % 4); i < full; i += 4) {
    const ca = text.charCodeAt(i);
    const cb = text.charCodeAt(i + 1);
    const cc = text.charCodeAt(i + 2);
    const cd = text.charCodeAt(i + 3);
    codes |= ca | cb | cc | cd;
    const a = t[ca & 255]!;
    const b = t[cb & 255]!;
    const c = t[cc & 255]!;
    const d = t[cd & 255]!;
    bad |= a | b | c | d;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = n >>> 16;
    out[o + 1] = n >>> 8;
    out[o + 2] = n;
    o += 3;
  }
  let acc = 0;
  let have = 0;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    codes |= code;
    const v = t[code & 255]!;
    bad |= v;
    acc = ((acc << 6) | v) & 0xffffff;
    have += 6;
    if (have >= 8) {
      have -= 8;
      out[o++] = (acc >>> have) & 0xff;
    }
  }
  // A character outside the alphabet has value 255 (or a code past 255): `bad` ≥ 64.
  if (codes > 255) bad = 255;
  if (bad >= 64) throw new RangeError(`${what}: not base64`);
  return out;
}
