/**
 * The log target: matching flows as JSON lines, one file per `interval` named after the
 * interval's start (`<path>/<prefix>-<unix seconds><suffix>`). A batch is appended to the
 * file of the interval it arrives in, so a file exists only when something was written
 * in its interval, and rotation is only a change of name: no record is held back or
 * rewritten at a boundary. A write that fails is kept (bounded) and retried into the same
 * file; records beyond the bound are dropped and counted.
 */
import type { LogTarget as LogTargetConfig } from '../config/policy-config.js';
import { errorText } from '../runtime/types.js';
import { actionRecordJson } from './action-record.js';
import { TargetErrors } from './errors.js';
import { matchesOnly, type Target, type TargetDeps, type TargetEvent, type TargetStatus } from './types.js';

/** Text kept for retry after failed writes, at most. */
const RETRY_LIMIT = 4 * 1024 * 1024;

interface Pending {
  readonly file: string;
  readonly text: string;
  readonly records: number;
}

/** The file a record written at `now` goes to. */
export function logFileName(cfg: Pick<LogTargetConfig, 'name' | 'path' | 'prefix' | 'suffix' | 'interval'>, now: number): string {
  const interval = Math.max(1, cfg.interval) * 1000;
  const start = Math.floor(now / interval) * (interval / 1000);
  const dir = cfg.path.replace(/\/+$/, '') || '/';
  return `${dir === '/' ? '' : dir}/${cfg.prefix ?? `flowsieve-${cfg.name}`}-${start}${cfg.suffix}`;
}

export class LogTarget implements Target {
  readonly type = 'log';
  readonly name: string;
  private readonly errors: TargetErrors;
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private written = 0;
  private dropped = 0;

  constructor(
    private readonly cfg: LogTargetConfig,
    private readonly deps: TargetDeps,
  ) {
    this.name = cfg.name;
    this.errors = new TargetErrors(`target '${cfg.name}' (log ${cfg.path})`, deps.log);
  }

  async start(): Promise<void> {}

  handle(all: readonly TargetEvent[]): Promise<void> {
    const events = matchesOnly(all);
    if (events.length === 0) return this.writing;
    const now = this.deps.now();
    const text = events.map((e) => actionRecordJson(e, this.name, now)).join('\n') + '\n';
    this.enqueue({ file: logFileName(this.cfg, now), text, records: events.length });
    return this.flush();
  }

  async tick(): Promise<void> {
    if (this.queue.length) await this.flush();
  }

  private enqueue(p: Pending): void {
    if (this.queuedBytes + p.text.length > RETRY_LIMIT && this.queue.length > 0) {
      this.dropped += p.records;
      this.errors.add('log writes keep failing; records dropped', p.records);
      return;
    }
    this.queue.push(p);
    this.queuedBytes += p.text.length;
  }

  /** Writes everything queued, in order; what fails stays queued for the next try. */
  private flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      while (this.queue.length) {
        const p = this.queue[0]!;
        try {
          await this.deps.appendFile(p.file, p.text);
        } catch (e) {
          // Kept for the next try; the reason (errno and file) is reported once.
          this.errors.add(`cannot write ${p.file}: ${errorText(e)}`);
          return;
        }
        this.queue.shift();
        this.queuedBytes -= p.text.length;
        this.written += p.records;
      }
    });
    return this.writing;
  }

  async stop(): Promise<void> {
    await this.flush();
  }

  status(): TargetStatus {
    return { name: this.name, type: this.type, done: this.written, failed: this.errors.failed, errors: this.errors.byReason(), dropped: this.dropped };
  }
}
