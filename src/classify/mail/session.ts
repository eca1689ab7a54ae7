/**
 * The dissector shared by the text control protocols where the server speaks first
 * (SMTP RFC 5321 §3.1, POP3 RFC 1939 §4, IMAP RFC 9051 §7.1, FTP RFC 959 §5.4). Each
 * protocol supplies a `Conversation`, a model of the dialogue fed one line at a time;
 * this module reads lines from both directions, asks the model, and turns its answers
 * into a claim, the upgrade to TLS and metadata.
 *
 *  - The flow's first payload must open the server's greeting, and its sender is taken
 *    as the server (also when the capture missed the handshake and the server is the
 *    flow's initiator). Anything else first: not this protocol.
 *  - Before the claim, every line must fit the model; one that does not means 'no'.
 *    The model claims on unambiguous evidence only (see each protocol's module).
 *  - After the claim the model follows the dialogue up to the upgrade command and its
 *    answer. When the client has asked, its next bytes are read as TLS records; when the
 *    server accepts, the flow's protocol becomes the secure name and the server's next
 *    bytes are records too (see starttls.ts). A refusal, or a command after which no
 *    upgrade can follow, ends the dissection.
 *  - Host name: the model's (the SMTP greeting's domain), else the ClientHello's SNI.
 */
import type { ProtocolName } from '../../names.js';
import type { Direction, FlowView } from '../../flow/types.js';
import { dissector, type Detection, type Dissector, type L4Packet, type MetaSection, type Step } from '../dissector.js';
import { sslMeta } from '../tls/facts.js';
import { LineReader } from './lines.js';
import { UpgradedTls } from './starttls.js';

/**
 * 'mine': evidence enough to claim the flow. 'wait': consistent, nothing decided.
 * 'not-mine': not this protocol (after the claim: a line the model cannot follow).
 */
export type Verdict = 'wait' | 'mine' | 'not-mine';

export interface Conversation {
  server(line: string): Verdict;
  client(line: string): Verdict;
  /** The client sent the upgrade command: its next bytes are TLS. */
  readonly clientUpgrading: boolean;
  /** The server accepted the upgrade: its next bytes are TLS. */
  readonly upgraded: boolean;
  /** Nothing more to learn from the plaintext (upgrade refused, or no longer possible). */
  readonly over: boolean;
  /** Host name the dialogue gave (lower case), or null. */
  readonly hostname: string | null;
  /** The protocol's meta section as it stands, or null when it has none. */
  meta(): MetaSection | null;
}

export interface TextProtocol {
  /** Dissector name: the port guess's protocol in lower case, so the engine tries it first there. */
  readonly name: string;
  readonly protocol: ProtocolName;
  /** nDPI's name for the protocol after the upgrade to TLS. */
  readonly secureProtocol: ProtocolName;
  /** The bytes a greeting starts with (any one of them). */
  readonly openings: readonly string[];
  /** Server ports on which a greeting that names the protocol is evidence enough. */
  readonly ports: readonly number[];
  /** Flow-record section for `Conversation.meta()`. */
  readonly metaSection: string | null;
  start(onStandardPort: boolean): Conversation;
}

/** Payload packets looked at before giving up on an unclaimed flow. */
const MAX_PACKETS_UNCLAIMED = 8;
/** Payload packets read after the claim: the negotiation up to the upgrade, then the handshake. */
const MAX_PACKETS_AFTER_CLAIM = 16;

interface Session {
  readonly conv: Conversation;
  readonly serverDir: Direction;
  readonly lines: [LineReader, LineReader];
  tls: UpgradedTls | null;
}

interface SessionState {
  session: Session | null;
  claimed: boolean;
  packets: number;
  afterClaim: number;
}

/** Whether `payload` starts like one of the openings (a short payload: like its start). */
function opens(payload: Uint8Array, openings: readonly string[]): boolean {
  return openings.some((o) => {
    const n = Math.min(o.length, payload.length);
    for (let i = 0; i < n; i++) if (payload[i] !== o.charCodeAt(i)) return false;
    return n > 0;
  });
}

export function textSessionDissector(p: TextProtocol): Dissector<unknown> {
  return dissector<SessionState>({
    name: p.name,
    ipProtocols: [6],
    firstLook: { firstBytes: p.openings.map((o) => o.charCodeAt(0)) },
    create: () => ({ session: null, claimed: false, packets: 0, afterClaim: 0 }),
    feed(s: SessionState, pkt: L4Packet, _flow: FlowView, out: Detection): Step {
      s.packets++;
      if (s.claimed) s.afterClaim++;
      let session = s.session;
      if (session === null) {
        // Most flows are refused here, before any buffer is allocated.
        if (!opens(pkt.payload, p.openings)) return 'no';
        session = s.session = {
          conv: p.start(p.ports.includes(pkt.srcPort)),
          serverDir: pkt.dir,
          lines: [new LineReader(), new LineReader()],
          tls: null,
        };
      }
      const verdict = read(session, pkt);
      if (!s.claimed) {
        if (verdict === 'not-mine') return release(session, 'no');
        if (verdict === 'wait') {
          const stuck = session.lines[0].exhausted || session.lines[1].exhausted;
          return stuck || s.packets >= MAX_PACKETS_UNCLAIMED ? release(session, 'no') : 'more';
        }
        s.claimed = true;
        out.protocol = p.protocol;
        const host = session.conv.hostname;
        if (host) out.hostname = host;
      }
      const conv = session.conv;
      if (conv.upgraded) out.protocol = p.secureProtocol;
      publish(p, session, out);
      const tls = session.tls;
      const finished = conv.upgraded
        ? tls !== null && tls.finished
        : verdict === 'not-mine' || conv.over || session.lines[pkt.dir].exhausted;
      return finished || s.afterClaim >= MAX_PACKETS_AFTER_CLAIM ? release(session, 'done') : 'more';
    },
  });
}

/**
 * The packet's bytes: TLS records if its direction has switched, else lines for the
 * model. Returns the strongest verdict of its lines ('not-mine' stops at once).
 */
function read(session: Session, pkt: L4Packet): Verdict {
  const dir = pkt.dir;
  const { conv } = session;
  if (session.tls?.carries(dir)) {
    session.tls.push(dir, pkt.tcpSeq, pkt.payload);
    return 'wait';
  }
  const fromServer = dir === session.serverDir;
  const lines = session.lines[dir];
  lines.push(pkt.tcpSeq, pkt.payload);
  let verdict: Verdict = 'wait';
  for (let line = lines.next(); line !== null; line = lines.next()) {
    const v = fromServer ? conv.server(line) : conv.client(line);
    if (v === 'not-mine') return v;
    if (v === 'mine') verdict = v;
    // The upgrade switches this direction to TLS right after the line that made it.
    const switched = fromServer ? conv.upgraded : conv.clientUpgrading;
    if (switched) {
      session.tls ??= new UpgradedTls(fromServer ? (dir === 0 ? 1 : 0) : dir);
      session.tls.begin(dir, lines.seqAtOffset(), lines.rest());
      break;
    }
  }
  return lines.bad ? 'not-mine' : verdict;
}

/** The protocol's section, and after the upgrade the `ssl` one (and the SNI when no host name). */
function publish(p: TextProtocol, session: Session, out: Detection): void {
  const meta = p.metaSection !== null ? session.conv.meta() : null;
  if (meta !== null) out.meta[p.metaSection!] = meta;
  const tls = session.tls;
  if (tls === null || !session.conv.upgraded) return;
  const f = tls.facts;
  if (!f.clientHello && !f.serverHello && !f.certificate) return;
  out.meta['ssl'] = sslMeta(f);
  const sni = f.clientHello?.sni;
  if (sni && out.hostname === null) out.hostname = sni;
}

/** The engine never feeds a state again after 'no' or 'done': the TLS buffers go back. */
function release(session: Session, step: 'no' | 'done'): Step {
  session.tls?.dispose();
  return step;
}
