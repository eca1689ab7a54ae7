/**
 * The daemon's log: one line per message on stderr, written at once (procd reads it and
 * passes it to syslog), with the syslog level in front; messages below the configured
 * level are skipped.
 */
import type { LogLevel } from '../config/policy-config.js';

const ORDER: { readonly [l in LogLevel]: number } = { error: 0, warning: 1, notice: 2, info: 3, debug: 4 };

export class Logger {
  constructor(
    private readonly write: (line: string) => void,
    private level: LogLevel = 'info',
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  enabled(level: LogLevel): boolean {
    return ORDER[level] <= ORDER[this.level];
  }

  log(level: LogLevel, message: string): void {
    if (ORDER[level] <= ORDER[this.level]) this.write(`flowsieve: ${level}: ${message}`);
  }

  error(m: string): void {
    this.log('error', m);
  }
  warning(m: string): void {
    this.log('warning', m);
  }
  notice(m: string): void {
    this.log('notice', m);
  }
  info(m: string): void {
    this.log('info', m);
  }
  debug(m: string): void {
    this.log('debug', m);
  }
}
