/**
 * StreamSocket over txiki.js Direct Sockets: `tjs.connect('pipe', path)` gives a socket
 * whose `opened` promise holds a ReadableStream and a WritableStream of Uint8Array.
 */
import type { StreamSocket } from './stream-socket.js';

interface TjsDirectSocket {
  readonly opened: Promise<{ readable: ReadableStreamLike; writable: WritableStreamLike }>;
  close(): void;
}
interface ReadableStreamLike {
  getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> };
}
interface WritableStreamLike {
  getWriter(): { write(chunk: Uint8Array): Promise<void> };
}
interface TjsSockets {
  connect(transport: 'pipe', path: string): Promise<TjsDirectSocket>;
}

export async function connectUnixTxiki(path: string): Promise<StreamSocket> {
  const tjs = (globalThis as unknown as { tjs: TjsSockets }).tjs;
  const sock = await tjs.connect('pipe', path);
  const { readable, writable } = await sock.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  let closed = false;
  return {
    read: async () => {
      if (closed) return null;
      const r = await reader.read();
      return r.done || !r.value ? null : r.value;
    },
    write: async (data) => {
      if (closed) throw new Error('socket is closed');
      await writer.write(data);
    },
    close: () => {
      if (closed) return;
      closed = true;
      // Cancelling ends a pending read() with done; the handle closes after it.
      reader.cancel().catch(() => {});
      sock.close();
    },
  };
}
