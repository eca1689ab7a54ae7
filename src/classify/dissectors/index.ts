/**
 * Every dissector the engine runs, in tie-break order (earlier wins when two claim the
 * same packet). Each group file is owned by one family of protocols.
 */
import type { Dissector } from '../dissector.js';
import { secureTransportDissectors } from './secure-transport.js';
import { namingDissectors } from './naming.js';
import { peerTunnelVoiceDissectors } from './peer-tunnel-voice.js';

export const allDissectors: readonly Dissector<unknown>[] = [
  ...secureTransportDissectors,
  ...namingDissectors,
  ...peerTunnelVoiceDissectors,
];
