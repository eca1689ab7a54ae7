/**
 * SMTP, POP3, IMAP and FTP control connections (and their STARTTLS upgrades), in
 * tie-break order. They claim only on a server greeting plus a matching client command
 * (or a greeting that names the protocol on its port), which no two of them share, so
 * the order only matters for speed: SMTP is the most common.
 */
import type { Dissector } from '../dissector.js';
import { ftpDissector } from '../mail/ftp.js';
import { imapDissector } from '../mail/imap.js';
import { pop3Dissector } from '../mail/pop3.js';
import { smtpDissector } from '../mail/smtp.js';

export const mailTransferDissectors: readonly Dissector<unknown>[] = [smtpDissector, imapDissector, pop3Dissector, ftpDissector];
