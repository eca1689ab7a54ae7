/** The daemon's part of the Runtime on Node (see daemon-types.ts). */
import { findLibrary } from './native-abi.js';
import { timers } from './timers.js';
import type { DaemonRuntime } from './daemon-types.js';
import { loadNodeNative } from './native-node.js';

interface NodeFsSync {
  writeSync(fd: number, text: string): number;
}

// A variable keeps the bundler from resolving Node's module.
const FS_SYNC_MODULE = 'node:fs';

export async function nodeDaemonParts(
  env: (name: string) => string | undefined,
  exists: (path: string) => Promise<boolean>,
): Promise<DaemonRuntime> {
  const fs = (await import(FS_SYNC_MODULE)) as NodeFsSync;
  return {
    logLine: (line) => {
      try {
        fs.writeSync(2, line.endsWith('\n') ? line : line + '\n');
      } catch {
        // stderr gone (EPIPE/EAGAIN): a log line is not worth the daemon.
      }
    },
    ...timers,
    loadNative: async (module, abi) => loadNodeNative(await findLibrary(module, env, exists), abi),
    // Node cannot watch a raw descriptor: native receive loops block on a worker thread.
    netlinkSocket: () => null,
  };
}
