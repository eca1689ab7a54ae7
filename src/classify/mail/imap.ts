/**
 * IMAP (RFC 9051, IMAP4rev2; RFC 3501, IMAP4rev1), nDPI 'IMAP'; after STARTTLS 'IMAPS'.
 *
 * The server greets with an untagged status (§7.1): "* OK" (not yet authenticated,
 * often with a "[CAPABILITY …]" response code) or "* PREAUTH" (§7.1.4); "* BYE" refuses
 * the connection. Status keywords are case-insensitive (§9: "The ASCII characters in the
 * formal syntax are case-insensitive"). Every client command is prefixed with a tag, an
 * atom without '+' (§2.2.1, §9 "tag"), then SP and the command name; a client opens with
 * CAPABILITY (§6.1.1), LOGIN (§6.2.3), STARTTLS (§6.2.1), AUTHENTICATE (§6.2.2) or ID
 * (RFC 2971 §3.1). Claimed on the greeting followed by one of those, or on a greeting
 * that names IMAP (the capability list starts with "IMAP4rev1"/"IMAP4rev2") on port 143.
 * NOOP, valid in every state (§6.1.2), decides nothing.
 *
 * The answer to STARTTLS is the tagged status with its tag: "OK" to go ahead, "NO" or
 * "BAD" otherwise (§6.2.1); untagged ("*") and continuation ("+") lines are no answer
 * (§7). STARTTLS is only valid before authentication, so once the client sends anything
 * other than CAPABILITY, ID, NOOP or STARTTLS no upgrade will come. Meta: none.
 */
import { BaseConversation } from './conversation.js';
import { textSessionDissector, type TextProtocol, type Verdict } from './session.js';

/** First commands that say IMAP. */
const FIRST_COMMANDS = new Set(['CAPABILITY', 'LOGIN', 'STARTTLS', 'AUTHENTICATE', 'ID']);
/** Commands that may come before STARTTLS in a session that will upgrade. */
const BEFORE_STARTTLS = new Set(['CAPABILITY', 'ID', 'NOOP']);

/**
 * tag SP command [SP arguments] (§9 "command"). A tag is ASTRING-CHARs except '+': no
 * SP, CTL, "(", ")", "{", "%", "*", '"', "\" (§9 "atom-specials"), "]" being allowed.
 */
const COMMAND = /^([^\x00-\x20\x7f(){%*"\\+]{1,64}) ([A-Za-z]{2,16})(?: (.*))?$/;
/** Untagged greeting: "*" SP ("OK" / "PREAUTH") [SP resp-text] (§9 "greeting"). */
const GREETING = /^\* (OK|PREAUTH)(?: |$)/i;
/** Tagged status: tag SP ("OK" / "NO" / "BAD") (§9 "response-tagged"). */
const TAGGED = /^(\S+) (OK|NO|BAD)(?: |$)/i;
const IMAP_WORD = /\bIMAP/i;

class ImapConversation extends BaseConversation {
  /** The STARTTLS command's tag, once sent. */
  private startTlsTag: string | null = null;

  constructor(private readonly onImapPort: boolean) {
    super();
  }

  server(line: string): Verdict {
    if (!this.greeted) {
      if (!GREETING.test(line)) return 'not-mine';
      this.greeted = true;
      return this.onImapPort && IMAP_WORD.test(line) ? this.claim() : 'wait';
    }
    const tagged = TAGGED.exec(line);
    if (tagged !== null && tagged[1] === this.startTlsTag) {
      if (tagged[2]!.toUpperCase() === 'OK') this.upgraded = true;
      else this.over = true;
    }
    return 'wait';
  }

  client(line: string): Verdict {
    if (!this.greeted) return 'not-mine';
    const m = COMMAND.exec(line);
    if (m === null) return 'not-mine';
    const tag = m[1]!;
    const name = m[2]!.toUpperCase();
    if (!this.claimed) {
      if (name === 'NOOP') return 'wait';
      if (!FIRST_COMMANDS.has(name)) return 'not-mine';
    }
    if (this.followCommand(name === 'STARTTLS' && m[3] === undefined, BEFORE_STARTTLS.has(name))) this.startTlsTag = tag;
    return this.claim();
  }
}

export const IMAP: TextProtocol = {
  name: 'imap',
  protocol: 'IMAP',
  secureProtocol: 'IMAPS',
  openings: ['* '],
  ports: [143],
  metaSection: null,
  start: (onStandardPort) => new ImapConversation(onStandardPort),
};

export const imapDissector = textSessionDissector(IMAP);
