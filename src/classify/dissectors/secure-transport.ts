/** TLS, DTLS and QUIC dissectors, in tie-break order. */
import type { Dissector } from '../dissector.js';
import { quicDissector } from '../quic/dissector.js';
import { tlsDissector } from '../tls/dissector.js';
import { dtlsDissector } from '../tls/dtls.js';

export const secureTransportDissectors: readonly Dissector<unknown>[] = [tlsDissector, quicDissector, dtlsDissector];
