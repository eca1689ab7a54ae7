/** TLS, DTLS and QUIC dissectors, in tie-break order. */
import type { Dissector } from '../dissector.js';

export const secureTransportDissectors: readonly Dissector<unknown>[] = [];
