/**
 * The Runtime on txiki.js (the router). Declarations cover only the `tjs` calls used here;
 * npm's @txikijs/types is stale. Where txiki.js versions differ (stdio as a Writer or as a
 * WritableStream), both shapes are accepted.
 */
import { encodeUtf8, utf8 } from '../util/bytes.js';
import type { DirEntry, Runtime } from './types.js';
import { useNativeDigests, type NativeDigests } from '../util/digest.js';
import type { NativeLoader } from './native-abi.js';
import { loadNativeCrypto } from './native-crypto.js';
import { txikiDaemonParts } from './txiki-daemon.js';
import { readAhead } from './read-ahead.js';

interface TjsStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

interface TjsFile {
  /** Bytes read, null at the end of the file. */
  read(buf: Uint8Array, position?: number): Promise<number | null>;
  write(buf: Uint8Array, offset?: number): Promise<number>;
  close(): Promise<void>;
}

/** A child's output: a Reader on older txiki.js, a ReadableStream on current ones. */
interface TjsReader {
  read?(buf: Uint8Array): Promise<number | null>;
  getReader?(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; releaseLock(): void };
}

/** A child's stdin: a Writer on older txiki.js, a WritableStream on current ones. */
interface TjsInput {
  write?(buf: Uint8Array): Promise<number>;
  close?(): void;
  getWriter?(): { write(buf: Uint8Array): Promise<void>; close(): Promise<void>; releaseLock(): void };
}

interface TjsOutput {
  write?(buf: Uint8Array): Promise<number>;
  getWriter?(): { write(buf: Uint8Array): Promise<void>; releaseLock(): void };
  /** 'tty' | 'pipe' | 'file' on txiki.js with WritableStream stdio. */
  readonly type?: string;
}

interface TjsProcess {
  wait(): Promise<{ exit_status: number; term_signal: string | null }>;
  stdin?: TjsInput;
  stdout?: TjsReader;
  stderr?: TjsReader;
}

interface Tjs {
  args: readonly string[];
  env: { [k: string]: string };
  readFile(path: string): Promise<Uint8Array>;
  open(path: string, flags: string, mode?: number): Promise<TjsFile>;
  stat(path: string): Promise<TjsStat>;
  readDir(path: string): Promise<AsyncIterable<{ name: string; isFile: boolean; isDirectory: boolean }> & { close(): Promise<void> }>;
  /** Undefined when the descriptor is closed or of a kind txiki.js does not handle. */
  stdout: TjsOutput | undefined;
  stderr: TjsOutput | undefined;
  exit(code: number): void;
  spawn(args: string[], opts: { stdin?: string; stdout?: string; stderr?: string }): TjsProcess;
  addSignalListener(sig: string, fn: () => void): void;
  removeSignalListener(sig: string, fn: () => void): void;
}

type StdioWriter = ReturnType<NonNullable<TjsOutput['getWriter']>>;

/**
 * One writer per stdio stream, taken on first use and never released. releaseLock() rejects
 * the writer's `closed` promise with a fresh TypeError, and on txiki.js every Error builds
 * its stack through a prepareStackTrace hook that reads the bundle and, when a .map sits
 * next to it, parses the whole source map: ~0.2 s and ~16 MB RSS once per process, and a
 * stack trace per flush after that. console.log does not go through these streams, so
 * holding the lock blocks nobody.
 */
const writers = new WeakMap<TjsOutput, StdioWriter>();

async function writeOut(stream: TjsOutput | undefined, text: string, toUtf8: (s: string) => Uint8Array): Promise<void> {
  // No stream (e.g. started with stdout closed): the text has nowhere to go.
  if (text === '' || !stream) return;
  const bytes = toUtf8(text);
  if (stream.write) {
    let off = 0;
    while (off < bytes.length) off += await stream.write(bytes.subarray(off));
  } else if (stream.getWriter) {
    // Keyed by the stream: tjs.stdout hands out a new stream once the old one is closed.
    let w = writers.get(stream);
    if (!w) {
      w = stream.getWriter();
      writers.set(stream, w);
    }
    await w.write(bytes);
  }
}

async function readAll(r: TjsReader | undefined): Promise<string> {
  if (!r) return '';
  const chunks: Uint8Array[] = [];
  if (r.getReader) {
    const reader = r.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value) chunks.push(value);
    }
  } else if (r.read) {
    const buf = new Uint8Array(16384);
    for (;;) {
      const n = await r.read(buf);
      if (n === null || n === 0) break;
      chunks.push(buf.slice(0, n));
    }
  }
  let total = 0;
  for (const c of chunks) total += c.length;
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return utf8(all);
}

/** Give a child its input and close its stdin. A child that exits without reading it is fine. */
async function feed(stdin: TjsInput | undefined, input: string | undefined): Promise<void> {
  if (!stdin) return;
  const bytes = input ? encodeUtf8(input) : new Uint8Array(0);
  try {
    if (stdin.getWriter) {
      const w = stdin.getWriter();
      if (bytes.length > 0) await w.write(bytes);
      await w.close();
    } else {
      let off = 0;
      while (stdin.write && off < bytes.length) off += await stdin.write(bytes.subarray(off));
      stdin.close?.();
    }
  } catch {
    // EPIPE: the child closed its stdin or exited; its status and output tell the story.
  }
}

async function writeFileWith(tjs: Tjs, path: string, data: string | Uint8Array, flags: string): Promise<void> {
  const f = await tjs.open(path, flags, 0o644);
  try {
    const bytes = typeof data === 'string' ? encodeUtf8(data) : data;
    let off = 0;
    while (off < bytes.length) off += await f.write(bytes.subarray(off));
  } finally {
    await f.close();
  }
}

/**
 * The arguments meant for flowsieve. `tjs [opts] run [--import-map F] script.js a b` leaves
 * tjs's whole argv in tjs.args, and the module has a file: URL; a binary made by
 * `tjs compile` gets [exe, a, b] and a bare module name, so an argument spelled 'run' there
 * is the user's.
 */
function userArgs(argv: readonly string[], moduleUrl: string): string[] {
  if (!moduleUrl.startsWith('file:')) return argv.slice(1);
  const runAt = argv.indexOf('run');
  if (runAt < 0) return argv.slice(2);
  let script = runAt + 1;
  // `run`'s own options come before the script: only --import-map, which takes a value.
  while (argv[script]?.startsWith('-')) script += argv[script]!.includes('=') ? 1 : 2;
  return argv.slice(script + 1);
}

/** Held in variables: modules only txiki.js has, loaded only there. */
const HASHING_MODULE = 'tjs:hashing';
const FFI_MODULE = 'tjs:ffi';

interface Libc {
  strlen(s: string): number;
  memcpy(dest: Uint8Array, src: string, n: number): unknown;
  write(fd: number, buf: Uint8Array, n: number): number;
}

/** Text out through libc (tjs:ffi). */
interface LibcText {
  /**
   * UTF-8 of `s`: strlen and memcpy of the C string QuickJS makes of it. txiki.js's
   * TextEncoder goes a character at a time, about 6× slower (1 ms per 64 KiB here), and
   * replay writes tens of MB. Text with a lone surrogate, which TextEncoder turns into
   * U+FFFD and the C string does not, or with a NUL, which ends the C string, goes
   * through TextEncoder.
   */
  toUtf8(s: string): Uint8Array;
  /** `text` to descriptor `fd` at once with write(2); false if the descriptor took not all of it. */
  writeNow(fd: number, text: string): boolean;
}

/** Null where tjs:ffi or String.prototype.isWellFormed is missing. */
async function libcText(): Promise<LibcText | null> {
  const wellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
  if (wellFormed === undefined) return null;
  let c: Libc;
  try {
    const ffi = (await import(FFI_MODULE)) as {
      dlopen(path: string, s: { [n: string]: { args: string[]; returns: string } }): { symbols: Libc };
    };
    c = ffi.dlopen('c', {
      strlen: { args: ['string'], returns: 'size_t' },
      memcpy: { args: ['buffer', 'string', 'size_t'], returns: 'pointer' },
      write: { args: ['sint', 'buffer', 'size_t'], returns: 'ssize_t' },
    }).symbols;
  } catch {
    return null;
  }
  const toUtf8 = (s: string): Uint8Array => {
    if (!wellFormed.call(s)) return encodeUtf8(s);
    const n = c.strlen(s);
    // Fewer bytes than UTF-16 units: a NUL ended the C string early.
    if (n < s.length) return encodeUtf8(s);
    const bytes = new Uint8Array(n);
    c.memcpy(bytes, s, n);
    return bytes;
  };
  return {
    toUtf8,
    writeNow: (fd, text) => {
      const bytes = toUtf8(text);
      for (let off = 0; off < bytes.length; ) {
        const n = c.write(fd, bytes.subarray(off), bytes.length - off);
        if (n <= 0) return false;
        off += n;
      }
      return true;
    },
  };
}

interface TjsHash {
  update(data: Uint8Array): TjsHash;
  bytes(): Uint8Array;
}

/**
 * SHA-1/SHA-256 from txiki.js's mbedtls (tjs:hashing): about 1 µs a hash against tens of
 * µs in JavaScript under QuickJS. txiki.js has no synchronous AES: that, HMAC and SHA-256
 * come from flowsieve's native library when it is installed (runtime/native-crypto.ts).
 * Its SHA-1 too only without tjs:hashing: a certificate through tjs:ffi cost more
 * (replay of corpus x4: +0.3% instructions).
 */
async function useTxikiDigests(load: NativeLoader): Promise<void> {
  const digests: NativeDigests = {};
  try {
    const { createHash } = (await import(HASHING_MODULE)) as { createHash(type: string): TjsHash };
    digests.sha256 = (a, b) => createHash('sha256').update(a).update(b).bytes();
    digests.sha1 = (data) => createHash('sha1').update(data).bytes();
  } catch {
    // An older txiki.js without tjs:hashing: the JavaScript versions serve.
  }
  const lib = await loadNativeCrypto(load);
  useNativeDigests({ ...digests, ...lib, sha1: digests.sha1 ?? lib?.sha1 });
}

export async function createTxikiRuntime(): Promise<Runtime> {
  const tjs = (globalThis as unknown as { tjs: Tjs }).tjs;
  const libc = await libcText();
  const toUtf8 = libc ? libc.toUtf8 : encodeUtf8;
  // Output to a file (or /dev/null) is written at once with write(2), not queued behind
  // libuv: a burst of output, as when replay ends every flow still open at the end of the
  // capture, then never waits in memory (~13 MB of it for corpus x40). A pipe or terminal
  // keeps the stream, which waits for a slow reader without blocking the process.
  const writeNow = (stream: TjsOutput | undefined, fd: number): ((text: string) => boolean) | null =>
    libc !== null && stream?.type === 'file' ? (text) => libc.writeNow(fd, text) : null;
  const stdoutNow = writeNow(tjs.stdout, 1);
  const stderrNow = writeNow(tjs.stderr, 2);
  let out = '';
  let err = '';
  // Flushes run one after another: stdout and stderr are written in the order the text
  // came, and with a Writer, overlapping partial writes could otherwise reorder bytes.
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    let o = out;
    let e = err;
    out = err = '';
    if (stdoutNow !== null && o !== '') {
      if (!stdoutNow(o)) {
        // The file or device takes no more (a full disk): one line and status 1, as under Node.
        if (stderrNow === null || !stderrNow('flowsieve: cannot write to stdout\n')) console.error('flowsieve: cannot write to stdout');
        tjs.exit(1);
      }
      o = '';
    }
    if (stderrNow !== null && e !== '') {
      stderrNow(e);
      e = '';
    }
    // Nothing left to queue: no closure holding the text until the next turn.
    if (o === '' && e === '') return flushing;
    const done = flushing.then(async () => {
      try {
        await writeOut(tjs.stdout, o, toUtf8);
      } catch (x) {
        // The reader went away (`flowsieve replay … | head`): stop quietly, as under Node.
        if ((x as { code?: string }).code === 'EPIPE') tjs.exit(0);
        throw x;
      }
      await writeOut(tjs.stderr, e, toUtf8);
    });
    // A failed write (reader gone) must not wedge later flushes; the caller still sees it.
    flushing = done.catch(() => {});
    return done;
  };
  const args = userArgs(tjs.args, import.meta.url);

  const exists = async (path: string) => {
    try {
      await tjs.stat(path);
      return true;
    } catch {
      return false;
    }
  };
  // `in` first: reading an unset variable makes txiki.js build (and drop) an Error, whose
  // stack formatting loads the bundle's whole source map (~0.5 s) the first time.
  const env = (name: string): string | undefined => (name in tjs.env ? tjs.env[name] : undefined);
  const daemonParts = await txikiDaemonParts(env, exists);
  await useTxikiDigests(daemonParts.loadNative);
  const rt: Runtime = {
    ...daemonParts,
    kind: 'txiki',
    args,
    readFile: (path) => tjs.readFile(path),
    readChunks: async function* (path, chunkSize) {
      const f = await tjs.open(path, 'r');
      yield* readAhead(
        chunkSize,
        (size) => new Uint8Array(size),
        async (buf) => (await f.read(buf)) ?? 0,
        () => f.close(),
      );
    },
    readTextFile: async (path) => utf8(await tjs.readFile(path)),
    writeFile: (path, data) => writeFileWith(tjs, path, data, 'w'),
    appendFile: (path, data) => writeFileWith(tjs, path, data, 'a'),
    readDir: async (path) => {
      const dir = await tjs.readDir(path);
      const entries: DirEntry[] = [];
      try {
        for await (const e of dir) entries.push({ name: e.name, isFile: e.isFile, isDirectory: e.isDirectory });
      } finally {
        await dir.close();
      }
      return entries;
    },
    stat: async (path) => {
      try {
        const s = await tjs.stat(path);
        return { isFile: s.isFile, isDirectory: s.isDirectory, size: s.size };
      } catch {
        return null;
      }
    },
    stdout: (text) => {
      out += text;
      // Background flush, not awaited: an error here (reader gone) is dropped, not left unhandled.
      if (out.length > 1 << 16) flush().catch(() => {});
    },
    stderr: (text) => {
      err += text;
    },
    flush,
    exit: async (code) => {
      await flush();
      // A write to a stdio pipe that the kernel cannot take at once (more than the pipe's
      // 64 KiB buffer, e.g. `replay | grep` or procd's log pipe) stays queued in libuv, its
      // promise already resolved, and tjs.exit() ends the process without writing it. So with
      // a pipe, exit once the event loop has drained (the queued writes done): txiki.js fires
      // 'beforeunload' then. Callers must have closed their own sockets and timers by now.
      if (tjs.stdout?.type === 'pipe' || tjs.stderr?.type === 'pipe') {
        const host = globalThis as unknown as { addEventListener(type: string, fn: () => void): void };
        host.addEventListener('beforeunload', () => tjs.exit(code));
        return new Promise<never>(() => {});
      }
      tjs.exit(code);
      // tjs.exit does not return; this keeps the type checker and odd runtimes honest.
      return new Promise<never>(() => {});
    },
    env,
    now: () => Date.now(),
    monotonic: () => performance.now(),
    run: async (argv, input) => {
      let p: TjsProcess;
      try {
        p = tjs.spawn([...argv], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
      } catch (e) {
        return { status: 127, stdout: '', stderr: e instanceof Error ? e.message : String(e) };
      }
      // Read while feeding stdin: a child that writes much before reading all its input
      // would otherwise block on a full pipe while we block on its stdin.
      const [, stdout, stderr, status] = await Promise.all([feed(p.stdin, input), readAll(p.stdout), readAll(p.stderr), p.wait()]);
      return { status: status.term_signal ? 128 : status.exit_status, stdout, stderr };
    },
    onSignal: (signal, fn) => {
      tjs.addSignalListener(signal, fn);
      return () => tjs.removeSignalListener(signal, fn);
    },
  };
  return rt;
}
