/**
 * SMTP and FTP both greet with reply code 220 (RFC 5321 §4.2 "Greeting", RFC 959 §5.4
 * "Connection Establishment"), so the code alone says neither. The greeting's text often
 * does, by convention rather than rule (neither RFC fixes the wording): mail servers
 * announce "ESMTP" (sendmail offered EHLO only to servers that did) or "SMTP", and FTP
 * servers name themselves ("ProFTPD", "vsFTPd", "Microsoft FTP Service"). A text naming
 * both, or neither, decides nothing.
 */

export type Named = 'smtp' | 'ftp' | null;

const SMTP_WORD = /\bE?SMTP\b/i;
const FTP_WORD = /FTP/i;

export function protocolNamedIn(text: string): Named {
  const smtp = SMTP_WORD.test(text);
  const ftp = FTP_WORD.test(text);
  if (smtp === ftp) return null;
  return smtp ? 'smtp' : 'ftp';
}
