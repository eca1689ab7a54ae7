/**
 * SMTP (RFC 5321), nDPI 'SMTP'; after STARTTLS (RFC 3207) 'SMTPS'.
 *
 * The server opens with a 220 greeting: "220 " or "220-", the server's domain (or an
 * address literal), then optional text; a multi-line greeting repeats the code on each
 * line (§4.2, §4.2.1). The client's first command is EHLO or HELO with its own domain
 * (§4.1.1.1, §4.1.4). Claimed on the greeting followed by EHLO/HELO, or on a greeting
 * whose text names (E)SMTP on a mail port (25, 587, 2525); FTP's greeting also uses 220
 * (see greeting-220.ts). NOOP and HELP, valid as a first command in both, decide nothing.
 *
 * Host name: the greeting's domain, lower-cased, as nDPI records it. It stays the host
 * name after STARTTLS: it is the verdict's, settled at the claim, and names the server
 * the client connected to; the ClientHello's SNI is kept in `ssl.client_sni`.
 *
 * After the claim every command gets exactly one reply, in order, pipelined or not
 * (§4.2, RFC 2920 §3), so the reply to STARTTLS is found by counting: 220 accepts,
 * anything else refuses (RFC 3207 §4). Clients upgrade right after EHLO: the upgrade
 * resets the session to its initial state (RFC 3207 §4.2), so nothing said before it
 * counts. Once the client sends any command other than EHLO, HELO, NOOP, HELP, RSET or
 * STARTTLS (a mail transaction, AUTH in the clear), no upgrade is expected.
 * Meta `smtp`: { banner (the greeting's first line), ehlo (the EHLO/HELO argument, once
 * sent), starttls (the server accepted STARTTLS) }.
 */
import type { MetaSection } from '../dissector.js';
import { normalizeHostText } from '../naming/hostname.js';
import { BaseConversation } from './conversation.js';
import { protocolNamedIn } from './greeting-220.js';
import { ReplyAssembler, parseReplyLine } from './replies.js';
import { textSessionDissector, type TextProtocol, type Verdict } from './session.js';

/** Commands that may come before STARTTLS in a session that will upgrade (see above). */
const BEFORE_STARTTLS = new Set(['EHLO', 'HELO', 'NOOP', 'HELP', 'RSET']);
/** Valid first commands that FTP has too (RFC 959 §4.1.3). */
const SHARED_WITH_FTP = new Set(['NOOP', 'HELP']);

class SmtpConversation extends BaseConversation {
  private readonly replies = new ReplyAssembler(true);
  private greetingText = '';
  private banner: string | null = null;
  private ehlo: string | null = null;

  constructor(private readonly onMailPort: boolean) {
    super();
  }

  server(line: string): Verdict {
    if (!this.greeted) return this.greeting(line);
    const r = this.replies.line(line);
    if (r === 'bad') return 'not-mine';
    if (r === 'more') return 'wait';
    this.replied(r.code === 220);
    return 'wait';
  }

  client(line: string): Verdict {
    const cmd = this.command(line);
    if (cmd === null) return 'not-mine';
    const { verb, arg } = cmd;
    if (verb === 'EHLO' || verb === 'HELO') {
      if (arg === null || arg === '') return 'not-mine';
      this.ehlo ??= arg;
      return this.claim();
    }
    if (!this.claimed) return SHARED_WITH_FTP.has(verb) ? 'wait' : 'not-mine';
    this.followCommand(verb === 'STARTTLS' && arg === null, BEFORE_STARTTLS.has(verb));
    return 'wait';
  }

  override meta(): MetaSection {
    // Claimed on the greeting alone, the EHLO argument is not known yet.
    return { banner: this.banner ?? '', ...(this.ehlo !== null ? { ehlo: this.ehlo } : {}), starttls: this.upgraded };
  }

  private greeting(line: string): Verdict {
    const r = this.replies.line(line);
    if (r === 'bad') return 'not-mine';
    if (this.banner === null) {
      // The first line: "220 " / "220-" and the server's domain (§4.2).
      const first = parseReplyLine(line);
      if (first === null || first.code !== 220) return 'not-mine';
      this.banner = line;
      const domain = first.text.split(' ', 1)[0]!;
      this.hostname = domain === '' ? null : normalizeHostText(domain);
    }
    this.greetingText += ` ${line.slice(4)}`;
    if (r === 'more') return 'wait';
    this.greeted = true;
    return this.onMailPort && protocolNamedIn(this.greetingText) === 'smtp' ? this.claim() : 'wait';
  }
}

export const SMTP: TextProtocol = {
  name: 'smtp',
  protocol: 'SMTP',
  secureProtocol: 'SMTPS',
  openings: ['220'],
  // 25: relay (RFC 5321 §4.5.4.2 / IANA), 587: submission (RFC 6409 §3.1), 2525: a common
  // alternative submission port of mail providers.
  ports: [25, 587, 2525],
  metaSection: 'smtp',
  start: (onStandardPort) => new SmtpConversation(onStandardPort),
};

export const smtpDissector = textSessionDissector(SMTP);
