/**
 * The peer/tunnel/voice dissectors against each other's payloads and the naming family's:
 * each corpus fixture is claimed by its own dissector only, and none of them claims DNS,
 * HTTP, DHCP, NTP, … payloads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DISSECTORS_BY_PRECEDENCE } from '../src/classify/precedence.js';

const PEER = ['bittorrent', 'stun', 'ssh', 'telnet', 'whatsapp', 'smb', 'skinny', 'tailscale', 'wireguard', 'openvpn', 'teredo', 'zoom', 'discord', 'sip', 'rtp'];
/** The peer, tunnel and voice family. */
const peerTunnelVoiceDissectors = DISSECTORS_BY_PRECEDENCE.filter((d) => PEER.includes(d.name));
import { ALL_FIXTURES, fixture as namingFixture } from './fixtures/naming/harness.js';
import { claims, fixture, PEER_FIXTURES, type FlowSpec } from './fixtures/peer/harness.js';

/** Which dissector owns each fixture prefix, and the transport the fixture came on. */
const OWNERS: readonly (readonly [string, string, 6 | 17])[] = [
  ['bt-handshake', 'bittorrent', 6],
  ['bt-', 'bittorrent', 17],
  ['ssh-', 'ssh', 6],
  ['wg-', 'wireguard', 17],
  ['ovpn-tcp', 'openvpn', 6],
  ['ovpn-', 'openvpn', 17],
  ['rtp-', 'rtp', 17],
  ['srtcp-', 'rtp', 17],
  ['smb', 'smb', 6],
  ['skinny-', 'skinny', 6],
  ['wa-', 'whatsapp', 6],
  ['zoom-', 'zoom', 17],
  ['discord-', 'discord', 17],
  ['stun-teams', 'stun', 6],
  ['stun-', 'stun', 17],
  ['dtls-', '(dtls)', 17],
];

function ownerOf(name: string): readonly [string, 6 | 17] {
  const o = OWNERS.find(([prefix]) => name.startsWith(prefix));
  if (!o) throw new Error(`no owner for ${name}`);
  return [o[1], o[2]];
}

/** Ports that let every dissector look (Zoom's, SMB's and Skinny's gates are port based). */
function specFor(proto: 6 | 17, owner: string): FlowSpec {
  const serverPort = owner === 'zoom' ? 8801 : owner === 'smb' ? 445 : owner === 'skinny' ? 2000 : 40000;
  return { proto, client: '10.0.0.2', clientPort: 50000, server: '198.51.100.7', serverPort };
}

test('each fixture is claimed by no other dissector of the family', () => {
  for (const name of PEER_FIXTURES) {
    const [owner, proto] = ownerOf(name);
    const p = fixture(name);
    for (const d of peerTunnelVoiceDissectors) {
      if (d.name === owner || !d.ipProtocols.includes(proto)) continue;
      assert.not.ok(claims(d, specFor(proto, owner), [p, p, p]), `${d.name} claimed ${name}`);
    }
  }
});

test('no peer dissector claims the naming family’s payloads', () => {
  for (const name of ALL_FIXTURES) {
    const p = namingFixture(name);
    for (const proto of [6, 17] as const) {
      for (const d of peerTunnelVoiceDissectors) {
        if (!d.ipProtocols.includes(proto)) continue;
        assert.not.ok(claims(d, { proto, client: '10.0.0.2', clientPort: 50000, server: '198.51.100.7', serverPort: 40000 }, [p, p, p]), `${d.name} claimed ${name}`);
      }
    }
  }
});

test.run();
