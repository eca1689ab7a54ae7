/**
 * QUIC versions as nDPI sorts them: IETF (v1, v2, drafts, Facebook mvfst, forced version
 * negotiation) and Google QUIC (Qxxx plaintext or Q050 encrypted, T05x carrying TLS).
 * Each family differs in header layout, Initial salt, key labels and Initial type bits.
 */

export const V1 = 0x00000001;
export const V2 = 0x6b3343cf;
export const Q046 = 0x51303436;
export const Q050 = 0x51303530;
export const T050 = 0x54303530;
export const T051 = 0x54303531;
export const MVFST_22 = 0xfaceb001;
export const MVFST_27 = 0xfaceb002;
export const MVFST_EXP = 0xfaceb00e;

const GQUIC_SUPPORTED = new Set([
  0x51303234, 0x51303235, 0x51303330, 0x51303333, 0x51303334, 0x51303335, 0x51303337, 0x51303339, 0x51303433, Q046, Q050, T050, T051,
]);

/** 0x?a?a?a?a: a client forcing version negotiation. */
export function isForcingVn(v: number): boolean {
  return (v & 0x0f0f0f0f) >>> 0 === 0x0a0a0a0a;
}

/** Google QUIC: Q02x–Q05x, T05x. */
export function isGquic(v: number): boolean {
  const p = (v & 0xffffff00) >>> 0;
  return p === 0x54303500 || p === 0x51303500 || p === 0x51303400 || p === 0x51303300 || p === 0x51303200;
}

/** IETF QUIC and its relatives. */
export function isIetf(v: number): boolean {
  return v === V1 || (v & 0xffffff00) >>> 0 === 0xff000000 || (v & 0xfffff000) >>> 0 === 0xfaceb000 || isForcingVn(v) || v === V2;
}

/** The draft number a version's rules follow (v1 = 34, v2 = 100), 0 for Google QUIC. */
export function draftOf(v: number): number {
  if (v >>> 8 === 0xff0000) return v & 0xff;
  if (v === V1) return 34;
  if (v === MVFST_22) return 22;
  if (v === MVFST_27 || v === MVFST_EXP) return 27;
  if (isForcingVn(v)) return 34;
  if (v === V2) return 100;
  return 0;
}

/** The number in a Google version ('Q046' → 46), 0 for others. */
export function gquicNumber(v: number): number {
  if (!isGquic(v)) return 0;
  const d = (x: number) => x - 0x30;
  return d((v >>> 16) & 0xff) * 100 + d((v >>> 8) & 0xff) * 10 + d(v & 0xff);
}

export function isSupported(v: number): boolean {
  return GQUIC_SUPPORTED.has(v) || v === MVFST_22 || v === MVFST_27 || v === MVFST_EXP || draftOf(v) >= 23;
}

/** Initial packets are encrypted for IETF versions and for Q05x/T05x. */
export function hasEncryptedInitial(v: number): boolean {
  const p = (v & 0xffffff00) >>> 0;
  return isIetf(v) || p === 0x51303500 || p === 0x54303500;
}

/** The crypto stream carries a TLS ClientHello (else a Google CHLO). */
export function carriesTls(v: number): boolean {
  return isIetf(v) || (v & 0xffffff00) >>> 0 === 0x54303500;
}

/** Long header with the IETF invariants (length-prefixed connection ids). */
export function hasIetfLongHeader(v: number): boolean {
  const p = (v & 0xffffff00) >>> 0;
  return isIetf(v) || p === 0x51303500 || p === 0x54303500;
}

/** QUIC v1 key labels ("quic key"); v2 uses "quicv2 key". */
export function usesV1Labels(v: number): boolean {
  const p = (v & 0xffffff00) >>> 0;
  if (p === 0x51303500 || p === 0x54303500) return true;
  const d = draftOf(v);
  return d !== 0 && d <= 34;
}

/** nDPI's `ndpi_quic_version2str`. */
export function quicVersionName(v: number): string {
  switch (v) {
    case V2: return 'V-2';
    case V1: return 'V-1';
    case MVFST_22: return 'MVFST-22';
    case MVFST_27: return 'MVFST-27';
    case MVFST_EXP: return 'MVFST-EXP';
  }
  if (GQUIC_SUPPORTED.has(v)) return String.fromCharCode(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  if (isForcingVn(v)) return 'Ver-Negotiation';
  if (v >>> 8 === 0xff0000) return `Draft-${v & 0xff}`;
  return `Unknown (${(v >>> 0).toString(16).toUpperCase().padStart(4, '0')})`;
}

const hexBytes = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));

const SALT_DRAFT_22 = hexBytes('7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a');
const SALT_DRAFT_23 = hexBytes('c3eef712c72ebb5a11a7d2432bb46365bef9f502');
const SALT_DRAFT_29 = hexBytes('afbfec289993d24c9e9786f19c6111e04390a899');
const SALT_V1 = hexBytes('38762cf7f55934b34d179ae6a4c80cadccbb7f0a');
const SALT_V2 = hexBytes('0dede3def700a6db819381be6e269dcbf9bd2ed9');
const SALT_Q050 = hexBytes('504574efd066fe2f9d945cfcdbd3a7f0d3b56b45');
const SALT_T050 = hexBytes('7ff579e5acd072915580304c43a2367c60488310');
const SALT_T051 = hexBytes('7a4edef4e7ccee5fa4506c19124fc8ccda6e033d');

/** The Initial salt, chosen as nDPI chooses it. */
export function initialSalt(v: number): Uint8Array {
  if (v === Q050) return SALT_Q050;
  if (v === T050) return SALT_T050;
  if (v === T051) return SALT_T051;
  const d = draftOf(v);
  if (d !== 0 && d <= 22) return SALT_DRAFT_22;
  if (d !== 0 && d <= 28) return SALT_DRAFT_23;
  if (d !== 0 && d <= 32) return SALT_DRAFT_29;
  if (d !== 0 && d <= 34) return SALT_V1;
  return SALT_V2;
}

/**
 * Long-header packet type from the first byte: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry.
 * QUIC v2 rotated the codes (Initial 1, 0-RTT 2, Handshake 3, Retry 0).
 */
export function longPacketType(first: number, v: number): number {
  const t = (first >> 4) & 3;
  return v === V2 ? (t + 3) & 3 : t;
}
