/** What the classifier asks of the application catalogue. */
import type { AppId, CategoryTag, ProtocolName } from '../names.js';

export interface AppMatch {
  readonly app: AppId;
  readonly category: CategoryTag;
  /** A hosting platform (cloud, CDN): its addresses say where a service runs, not what it is. */
  readonly hosting: boolean;
}

export interface Catalogue {
  /** Longest-suffix match of a hostname (SNI, Host, DNS name) against the app domains. */
  appForHost(hostname: string): AppMatch | null;
  /** The app that owns a well-known address range, for flows with no usable hostname. */
  appForAddress(ip: string): AppMatch | null;
  /**
   * The app a protocol itself names, for protocols that are one application's own
   * (`WhatsApp`, `Zoom`, `Spotify`); null for general protocols (`TLS`, `DNS`).
   */
  appForProtocol(protocol: ProtocolName): AppId | null;
  /** Category of an app id (with or without a `netify.` prefix), null if unknown. */
  categoryOfApp(app: AppId): CategoryTag | null;
  /** Protocol category (`category.protocol`), e.g. `web`, `vpn-and-proxy`, `file-sharing`. */
  protocolCategory(protocol: ProtocolName): CategoryTag | null;
}
