/**
 * Every dissector the engine runs, in tie-break order (earlier wins when two claim the
 * same packet). Each group file is owned by one family of protocols. The mail and
 * file-transfer family claims text sessions only on strict evidence, and TLS drops out on
 * their plaintext greeting, so it can sit anywhere; it comes before the peer family,
 * whose looser signatures should not win a text session.
 */
import type { Dissector } from '../dissector.js';
import { secureTransportDissectors } from './secure-transport.js';
import { namingDissectors } from './naming.js';
import { mailTransferDissectors } from './mail-transfer.js';
import { peerTunnelVoiceDissectors } from './peer-tunnel-voice.js';

export const allDissectors: readonly Dissector<unknown>[] = [
  ...secureTransportDissectors,
  ...namingDissectors,
  ...mailTransferDissectors,
  ...peerTunnelVoiceDissectors,
];
