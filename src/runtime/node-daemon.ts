/** The daemon's part of the Runtime on Node (see daemon-types.ts). */
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
    every: (ms, fn) => {
      const t = setInterval(fn, ms);
      return () => clearInterval(t);
    },
    after: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    loadNative: (module, abi) => loadNodeNative(module, abi, env, exists),
    // Node cannot watch a raw descriptor: native receive loops block on a worker thread.
    netlinkSocket: () => null,
  };
}
