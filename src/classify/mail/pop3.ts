/**
 * POP3 (RFC 1939), nDPI 'POP3'; after STLS (RFC 2595 §4) 'POPS'.
 *
 * The server greets with a positive status, "+OK" and optional text (§4; status
 * indicators are upper case, §3). In the AUTHORIZATION state the client identifies
 * itself with USER (§7) or APOP (§7), AUTH (RFC 5034 §4), or first asks for the
 * server's capabilities with CAPA (RFC 2449 §5) or the upgrade with STLS. Claimed on the
 * greeting followed by one of those five, or on a greeting whose text names POP3 on
 * port 110 (§4 suggests no wording, but servers commonly say "POP3 server ready").
 *
 * Every command gets one status line, "+OK" or "-ERR", in order; after "+OK" CAPA's
 * capability list follows as a multi-line response ending with a line holding only "."
 * (§3, RFC 2449 §5). STLS is answered "+OK" to go ahead (RFC 2595 §4); it is only
 * permitted before authentication, so once the client sends anything other than CAPA or
 * STLS no upgrade will come. Meta: none (nDPI has no POP3 fields worth keeping here).
 */
import { BaseConversation } from './conversation.js';
import { textSessionDissector, type TextProtocol, type Verdict } from './session.js';

/** First commands that say POP3 (with the arguments each needs: USER and APOP take one, CAPA and STLS none). */
function isFirstCommand(verb: string, arg: string | null): boolean {
  switch (verb) {
    case 'USER':
    case 'APOP':
      return arg !== null && arg !== '';
    case 'CAPA':
    case 'STLS':
      return arg === null;
    case 'AUTH':
      return true;
    default:
      return false;
  }
}

/** A status line: "+OK" or "-ERR", then SP and text or the line end (§3). */
function status(line: string): 'ok' | 'err' | null {
  if (line === '+OK' || line.startsWith('+OK ')) return 'ok';
  if (line === '-ERR' || line.startsWith('-ERR ')) return 'err';
  return null;
}

const POP3_WORD = /\bPOP3?\b/i;

class Pop3Conversation extends BaseConversation {
  /** Commands not yet answered, oldest first (a pipelining client may send several, RFC 2449 §6.6). */
  private readonly pending: string[] = [];
  /** Inside a multi-line response (until the "." line). */
  private inList = false;

  constructor(private readonly onPopPort: boolean) {
    super();
  }

  server(line: string): Verdict {
    if (this.inList) {
      if (line === '.') this.inList = false;
      return 'wait';
    }
    const st = status(line);
    if (!this.greeted) {
      if (st !== 'ok') return 'not-mine';
      this.greeted = true;
      return this.onPopPort && POP3_WORD.test(line) ? this.claim() : 'wait';
    }
    if (st === null) return 'not-mine';
    const verb = this.pending.shift();
    if (verb === 'CAPA' && st === 'ok') this.inList = true;
    if (verb === 'STLS') {
      if (st === 'ok') this.upgraded = true;
      else this.over = true;
    }
    return 'wait';
  }

  client(line: string): Verdict {
    const cmd = this.command(line);
    if (cmd === null || this.pending.length >= 8) return 'not-mine';
    const { verb, arg } = cmd;
    this.pending.push(verb);
    if (!this.claimed && !isFirstCommand(verb, arg)) return 'not-mine';
    this.followCommand(verb === 'STLS' && arg === null, verb === 'CAPA');
    return this.claim();
  }
}

export const POP3: TextProtocol = {
  name: 'pop3',
  protocol: 'POP3',
  secureProtocol: 'POPS',
  openings: ['+OK'],
  ports: [110],
  metaSection: null,
  start: (onStandardPort) => new Pop3Conversation(onStandardPort),
};

export const pop3Dissector = textSessionDissector(POP3);
