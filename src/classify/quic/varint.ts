/** QUIC variable-length integers (RFC 9000 §16), read without BigInt. */

export interface VarInt {
  readonly value: number;
  /** Bytes the integer took (1, 2, 4 or 8). */
  readonly size: number;
}

/**
 * The integer at `o`, or null when it runs past `end`. Eight-byte values above 2^53 come
 * back inexact; every caller treats such sizes as out of range anyway.
 */
export function readVarInt(b: Uint8Array, o: number, end = b.length): VarInt | null {
  if (o >= end) return null;
  const first = b[o]!;
  const size = 1 << (first >> 6);
  if (o + size > end) return null;
  let value = first & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + b[o + i]!;
  return { value, size };
}
