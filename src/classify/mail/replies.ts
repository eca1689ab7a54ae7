/**
 * Numbered replies of SMTP and FTP: three digits, then SP and text on the last line of a
 * reply, or '-' on the lines before it (RFC 5321 §4.2, RFC 959 §4.2). SMTP repeats the
 * code on every line (RFC 5321 §4.2.1); FTP lets the lines between the first and the
 * last hold any text (RFC 959 §4.2, "multi-line"), so the two are assembled differently.
 */

export interface ReplyLine {
  readonly code: number;
  /** '-' after the code: more lines of this reply follow. */
  readonly more: boolean;
  /** The text after the code and its separator ('' when the line is the bare code). */
  readonly text: string;
}

const REPLY_LINE = /^([1-5][0-5][0-9])(?:([ -])(.*))?$/;

export function parseReplyLine(line: string): ReplyLine | null {
  const m = REPLY_LINE.exec(line);
  if (!m) return null;
  return { code: Number(m[1]), more: m[2] === '-', text: m[3] ?? '' };
}

/** What a server line did to the reply being assembled. */
export type ReplyStep =
  /** The reply is complete; its code. */
  | { readonly code: number }
  /** A line of a multi-line reply that goes on. */
  | 'more'
  /** Not a reply line where one was due. */
  | 'bad';

export class ReplyAssembler {
  /** Code of the multi-line reply under way, or null between replies. */
  private open: number | null = null;

  /** `everyLineCoded`: SMTP's rule (each line carries the code), else FTP's. */
  constructor(private readonly everyLineCoded: boolean) {}

  line(line: string): ReplyStep {
    if (this.open !== null && !this.everyLineCoded) {
      // FTP: only a line starting with the same code and SP (or the bare code) ends it.
      const code = String(this.open);
      if (line === code || line.startsWith(`${code} `)) return this.close();
      return 'more';
    }
    const r = parseReplyLine(line);
    if (r === null || (this.open !== null && r.code !== this.open)) return 'bad';
    if (r.more) {
      this.open = r.code;
      return 'more';
    }
    this.open = null;
    return { code: r.code };
  }

  private close(): ReplyStep {
    const code = this.open!;
    this.open = null;
    return { code };
  }
}
