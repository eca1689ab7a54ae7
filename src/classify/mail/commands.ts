/**
 * Client command lines of SMTP, POP3 and FTP: an alphabetic verb, then SP and arguments,
 * or the line end (RFC 5321 §4.1.1, RFC 1939 §3, RFC 959 §5.3.1). Verbs are
 * case-insensitive in all three (RFC 5321 §2.4, RFC 1939 §3, RFC 959 §5.3), so they are
 * upper-cased here. SMTP verbs are four letters, POP3 and FTP three or four; extensions
 * add longer ones (STARTTLS), hence up to eight.
 */

export interface Command {
  /** The verb, upper case. */
  readonly verb: string;
  /** Everything after the verb's SP, or null when the line ends after the verb. */
  readonly arg: string | null;
}

const COMMAND = /^([A-Za-z]{3,8})(?: (.*))?$/;

export function parseCommand(line: string): Command | null {
  const m = COMMAND.exec(line);
  if (!m) return null;
  return { verb: m[1]!.toUpperCase(), arg: m[2] ?? null };
}
