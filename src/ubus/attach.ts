/**
 * Put a running daemon on the bus: a client that keeps its connection to ubusd (and
 * registers again after ubusd restarts), with the `flowsieve` object and its events.
 */
import type { DaemonState } from '../live/daemon-state.js';
import type { Logger } from '../live/logger.js';
import { UbusClient } from './client.js';
import { FlowsieveBus } from './flowsieve-object.js';

export interface AttachOptions {
  readonly socketPath: string;
  readonly version: string;
  readonly clock: () => number;
}

export function attachUbus(state: DaemonState, log: Logger, opts: AttachOptions): { stop(): void } {
  let bus: FlowsieveBus | null = null;
  const client = new UbusClient({
    socketPath: opts.socketPath,
    log: (level, text) => log.log(level, text),
    onConnect: (id) => log.info(`ubus: object 'flowsieve' registered on ${opts.socketPath} (client ${id.toString(16).padStart(8, '0')})`),
  });
  bus = new FlowsieveBus(state, client, { version: opts.version, clock: opts.clock, log: (level, text) => log.log(level, text) });
  // Published before the first connection: connecting registers it, and every reconnect again.
  void bus.start().then(() => client.start());
  return {
    stop: () => {
      bus?.stop();
      client.close();
    },
  };
}
