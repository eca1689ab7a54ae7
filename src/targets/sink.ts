/**
 * The sink target: matching flows as JSON records (Netify's field names plus
 * `flow_action`) to a unix socket or a TCP endpoint, optionally with a length header and
 * gzip (sink-frame.ts). Records of the flow events not listed in `flow_events` are left
 * out. A slow, stalled or absent receiver never holds anything up: records wait in a
 * bounded buffer and those that do not fit are dropped and counted.
 */
import type { SinkTarget as SinkTargetConfig } from '../config/policy-config.js';
import { connectStream } from '../runtime/net-socket.js';
import { actionRecordJson } from './action-record.js';
import { TargetErrors } from './errors.js';
import { OutBuffer } from './out-buffer.js';
import { frameRecord, parseEndpoint } from './sink-frame.js';
import type { Target, TargetDeps, TargetEvent, TargetStatus } from './types.js';

export class SinkTarget implements Target {
  readonly type = 'sink';
  readonly name: string;
  private readonly errors: TargetErrors;
  private readonly out: OutBuffer | null = null;
  private readonly events: ReadonlySet<string>;

  constructor(
    private readonly cfg: SinkTargetConfig,
    private readonly deps: TargetDeps,
  ) {
    this.name = cfg.name;
    this.errors = new TargetErrors(`target '${cfg.name}' (sink ${cfg.endpoint})`, deps.log);
    this.events = new Set(cfg.flowEvents.length ? cfg.flowEvents : ['new', 'updated', 'expired']);
    const ep = parseEndpoint(cfg.endpoint);
    if (!ep) {
      this.errors.add(`endpoint '${cfg.endpoint}' is not unix:<path> or tcp:<host>:<port>`);
      return;
    }
    if (cfg.format === 'msgpack') this.errors.add("format 'msgpack' is not supported; records are sent as JSON");
    this.out = new OutBuffer({
      maxBytes: cfg.bufferSize,
      connect: () => connectStream(ep),
      onError: (reason) => this.errors.add(reason),
    });
  }

  async start(): Promise<void> {}

  async handle(events: readonly TargetEvent[]): Promise<void> {
    if (!this.out) return this.errors.add('no endpoint', events.length);
    const now = this.deps.now();
    const opts = { header: this.cfg.header === true, gzip: this.cfg.compressor === 'gz' };
    for (const e of events) {
      if (!this.events.has(e.kind)) continue;
      this.out.push(await frameRecord(actionRecordJson(e, this.name, now), opts));
    }
  }

  /** Resolves when every queued record was written (tests, shutdown with a live receiver). */
  drained(): Promise<void> {
    return this.out?.drained() ?? Promise.resolve();
  }

  /** Queued records get a second to go out. */
  async stop(): Promise<void> {
    await this.out?.closeAfter(1000);
  }

  status(): TargetStatus {
    return {
      name: this.name,
      type: this.type,
      done: this.out?.sent ?? 0,
      failed: this.errors.failed,
      errors: this.errors.byReason(),
      dropped: this.out?.dropped ?? 0,
    };
  }
}
