/**
 * FTP control connection (RFC 959), nDPI 'FTP_CONTROL'; after AUTH TLS (RFC 4217 §4)
 * 'FTPS'.
 *
 * The server opens with 220, possibly after a 120 "ready in nnn minutes" (§5.4,
 * "Connection Establishment"); a multi-line reply starts "220-" and ends at a line
 * starting "220 ", with any text between (§4.2). The client then sends commands: a
 * verb of three or four letters, case-insensitive, and SP and arguments (§5.3.1). SMTP
 * also greets with 220 (see greeting-220.ts), so the first command decides: one of
 * FTP's own (§4.1 and the extensions below) is FTP, EHLO/HELO is not; NOOP and HELP,
 * which both have, decide nothing, nor does AUTH with a SASL mechanism name that SMTP's
 * AUTH (RFC 4954) shares. A greeting whose text names FTP on port 21 is evidence too.
 *
 * Every command gets one final reply (2xx–5xx) in order; 1xx replies are preliminary and
 * another follows (§4.2). "AUTH TLS" (or the older "AUTH SSL") is answered 234 to go
 * ahead (RFC 4217 §4, RFC 2228 §3); the upgrade comes before the login (RFC 4217 §4),
 * so once the client sends anything other than FEAT, SYST, OPTS, HOST, LANG, CLNT,
 * NOOP, HELP or AUTH, no upgrade will come. Meta: none.
 */
import { BaseConversation } from './conversation.js';
import { protocolNamedIn } from './greeting-220.js';
import { ReplyAssembler } from './replies.js';
import { textSessionDissector, type TextProtocol, type Verdict } from './session.js';

/**
 * FTP's commands: RFC 959 §4.1 (but NOOP and HELP, which SMTP has as well, and QUIT),
 * RFC 2228 §3 (security extensions), RFC 2389 (FEAT, OPTS), RFC 2428 (EPRT, EPSV),
 * RFC 3659 (MDTM, SIZE, MLST, MLSD), RFC 2640 §4.1 (LANG), RFC 7151 §3 (HOST).
 */
const FTP_COMMANDS = new Set([
  'USER', 'PASS', 'ACCT', 'CWD', 'CDUP', 'SMNT', 'REIN', 'PORT', 'PASV', 'TYPE', 'STRU', 'MODE',
  'RETR', 'STOR', 'STOU', 'APPE', 'ALLO', 'REST', 'RNFR', 'RNTO', 'ABOR', 'DELE', 'RMD', 'MKD',
  'PWD', 'LIST', 'NLST', 'SITE', 'SYST', 'STAT',
  'AUTH', 'ADAT', 'PROT', 'PBSZ', 'CCC', 'MIC', 'CONF', 'ENC',
  'FEAT', 'OPTS', 'EPRT', 'EPSV', 'MDTM', 'SIZE', 'MLST', 'MLSD', 'LANG', 'HOST',
]);
/** Shared with SMTP (RFC 5321 §4.1.1.8, §4.1.1.9): valid first commands of both. */
const SHARED_WITH_SMTP = new Set(['NOOP', 'HELP']);
/** Commands that may come before AUTH TLS in a session that will upgrade. */
const BEFORE_AUTH = new Set(['FEAT', 'SYST', 'OPTS', 'HOST', 'LANG', 'CLNT', 'NOOP', 'HELP']);
/** AUTH mechanisms that are TLS (RFC 4217 §4; "SSL", "TLS-C", "TLS-P" from its drafts). */
const TLS_MECHANISMS = new Set(['TLS', 'SSL', 'TLS-C', 'TLS-P']);

class FtpConversation extends BaseConversation {
  private readonly replies = new ReplyAssembler(false);
  private greetingText = '';

  constructor(private readonly onFtpPort: boolean) {
    super();
  }

  server(line: string): Verdict {
    const r = this.replies.line(line);
    if (r === 'bad') return 'not-mine';
    if (!this.greeted) {
      if (this.greetingText.length < 4096) this.greetingText += ` ${line}`;
      if (r === 'more') return 'wait';
      if (r.code === 120) return 'wait';
      if (r.code !== 220) return 'not-mine';
      this.greeted = true;
      return this.onFtpPort && protocolNamedIn(this.greetingText) === 'ftp' ? this.claim() : 'wait';
    }
    if (r === 'more' || r.code < 200) return 'wait';
    this.replied(r.code === 234);
    return 'wait';
  }

  client(line: string): Verdict {
    const cmd = this.command(line);
    if (cmd === null) return 'not-mine';
    const { verb, arg } = cmd;
    const tlsAuth = verb === 'AUTH' && arg !== null && TLS_MECHANISMS.has(arg.toUpperCase());
    if (!this.claimed) {
      if (SHARED_WITH_SMTP.has(verb) || (verb === 'AUTH' && !tlsAuth)) return 'wait';
      if (!FTP_COMMANDS.has(verb)) return 'not-mine';
    }
    this.followCommand(tlsAuth, BEFORE_AUTH.has(verb));
    return this.claim();
  }
}

export const FTP: TextProtocol = {
  name: 'ftp_control',
  protocol: 'FTP_CONTROL',
  secureProtocol: 'FTPS',
  openings: ['220', '120'],
  ports: [21],
  metaSection: null,
  start: (onStandardPort) => new FtpConversation(onStandardPort),
};

export const ftpDissector = textSessionDissector(FTP);
