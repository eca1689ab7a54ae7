/**
 * The daemon's part of the Runtime on txiki.js (see daemon-types.ts). The netlink socket
 * is made with tjs:posix-socket so libuv can poll it (PosixSocket.createFromFD is broken
 * in 26.6, so a C-made fd could not be watched); C then drains it by its fd.
 */
import { findLibrary } from './native-abi.js';
import { timers } from './timers.js';
import type { DaemonRuntime, WatchedSocket } from './daemon-types.js';
import { loadTxikiNative } from './native-txiki.js';

interface PosixSocketInstance {
  readonly fileno: number;
  bind(addr: Uint8Array): void;
  poll(cbs: { read?: () => void }): void;
  stopPoll(): void;
  close(): void;
}

interface PosixSocketClass {
  new (domain: number, type: number, protocol: number): PosixSocketInstance;
}

interface LibcWrite {
  write(fd: number, buf: Uint8Array, len: number): number;
}

import { encodeUtf8 } from '../util/bytes.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;

export async function txikiDaemonParts(
  env: (name: string) => string | undefined,
  exists: (path: string) => Promise<boolean>,
): Promise<DaemonRuntime> {
  // Module names in variables: the bundle must still parse where these do not exist.
  const socketModule = 'tjs:posix-socket';
  const ffiModule = 'tjs:ffi';
  const { PosixSocket } = (await import(socketModule)) as { PosixSocket: PosixSocketClass };
  const ffi = (await import(ffiModule)) as {
    dlopen(path: string, s: { [n: string]: { args: string[]; returns: string } }): { symbols: LibcWrite };
  };
  // write(2) straight from C: unbuffered and synchronous, like Node's fs.writeSync.
  const libc = ffi.dlopen('c', { write: { args: ['sint', 'buffer', 'size_t'], returns: 'ssize_t' } }).symbols;
  return {
    logLine: (line) => {
      const bytes = encodeUtf8(line.endsWith('\n') ? line : line + '\n');
      let off = 0;
      while (off < bytes.length) {
        const n = libc.write(2, bytes.subarray(off), bytes.length - off);
        if (n <= 0) return;
        off += n;
      }
    },
    ...timers,
    loadNative: async (module, abi) => loadTxikiNative(await findLibrary(module, env, exists), abi),
    netlinkSocket: (protocol) => {
      const sock = new PosixSocket(AF_NETLINK, SOCK_RAW, protocol);
      // sockaddr_nl: family, pad, pid 0 (the kernel assigns one), groups 0.
      const addr = new Uint8Array(12);
      addr[0] = AF_NETLINK;
      sock.bind(addr);
      let closed = false;
      const watched: WatchedSocket = {
        fd: sock.fileno,
        onReadable: (fn) => sock.poll({ read: fn }),
        close: () => {
          if (closed) return;
          closed = true;
          // Closing inside a poll callback crashes libuv: do it on a later turn.
          setTimeout(() => {
            try {
              sock.stopPoll();
            } catch {
              // never polled
            }
            sock.close();
          }, 0);
        },
      };
      return watched;
    },
  };
}
