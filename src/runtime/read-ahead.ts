/**
 * A file's chunks with the next read started before the current chunk is handed out, so
 * the runtime reads while the caller works on it (txiki.js, and pipes under Node; Node
 * reads a regular file synchronously, see runtime/node.ts). Shared by the runtime adapters.
 */

/**
 * Buffers for chunks, taken in turn and reused: `depth` for reads under way, the one the
 * caller works on, and the one before it (whose tail the caller may still copy while taking
 * in the next). Each is made on first use, by `alloc`. A new buffer per chunk was new
 * memory for every read: under Node page faults and collections of external memory (replay
 * of corpus x40 ~3% slower), under txiki.js zeroing 256 KiB per chunk.
 */
export function chunkRing(depth: number, alloc: () => Uint8Array): () => Uint8Array {
  const ring: Uint8Array[] = [];
  const size = depth + 2;
  let next = 0;
  return () => {
    const i = next;
    next = (next + 1) % size;
    return (ring[i] ??= alloc());
  };
}

/**
 * A file's chunks of at most `chunkSize`: `read` fills a buffer (from a chunkRing of
 * `alloc`'s) and says how many bytes it read, 0 at the end of the file; `close` runs once,
 * however the caller stops. One read is under way while the caller works on the chunk
 * before it.
 */
export async function* readAhead(
  chunkSize: number,
  alloc: (size: number) => Uint8Array,
  read: (buf: Uint8Array) => Promise<number>,
  close: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  const nextBuffer = chunkRing(1, () => alloc(chunkSize));
  let pending: Promise<Uint8Array> | null = null;
  const start = () => {
    const buf = nextBuffer();
    const p = read(buf).then((n) => (n === chunkSize ? buf : buf.subarray(0, n)));
    // Its failure is seen when awaited below; until then it is not an unhandled rejection.
    p.catch(() => undefined);
    pending = p;
  };
  try {
    start();
    for (;;) {
      const chunk = await pending!;
      pending = null;
      if (chunk.length === 0) return;
      start();
      yield chunk;
    }
  } finally {
    // A read still under way ends before the file closes; its outcome no longer matters.
    if (pending !== null) await (pending as Promise<Uint8Array>).catch(() => undefined);
    await close();
  }
}
