/**
 * Names shared by the catalogue, the classifier, policy and the flow record: one home, so
 * none of them imports another just for a type.
 */

/** Protocol names follow nDPI's spelling (`TLS`, `QUIC`, `HTTP`, `DNS`, `BitTorrent`, …). */
export type ProtocolName = string;
/** Application tags from the catalogue (`youtube`, `whatsapp`, …), no `netify.` prefix. */
export type AppId = string;
/** Category tags are lower-case, hyphenated: `social-media`, `streaming-media`, `games`, … */
export type CategoryTag = string;
