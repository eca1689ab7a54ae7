/**
 * A file's chunks with the next read started before the current chunk is handed out, so
 * the runtime reads while the caller works on it: replay otherwise waited for each read
 * in turn (about a tenth of its time under Node). Shared by the runtime adapters.
 */

/**
 * `read` gives the next chunk, empty at the end of the file; `close` runs once, however the
 * caller stops. `depth` reads are kept under way: more than one only when `read` may be
 * called again before the last has finished, each call reading its own part of the file
 * (at its own position). Then a chunk shorter than the first one is the last: parts read
 * beyond it would leave a gap in a file that grew meanwhile.
 */
export async function* readAhead(read: () => Promise<Uint8Array>, close: () => Promise<void>, depth = 1): AsyncGenerator<Uint8Array> {
  const pending: Promise<Uint8Array>[] = [];
  const start = () => {
    const p = read();
    // Its failure is seen when awaited below; until then it is not an unhandled rejection.
    p.catch(() => undefined);
    pending.push(p);
  };
  try {
    for (let i = 0; i < depth; i++) start();
    let full = -1;
    for (;;) {
      const chunk = await pending.shift()!;
      if (chunk.length === 0) return;
      if (full < 0) full = chunk.length;
      if (depth > 1 && chunk.length < full) {
        yield chunk;
        return;
      }
      start();
      yield chunk;
    }
  } finally {
    // Reads still under way end before the file closes; their outcome no longer matters.
    for (const p of pending) await p.catch(() => undefined);
    await close();
  }
}
