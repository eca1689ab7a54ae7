/** The Runtime on Node.js (tests, host use). Node modules are loaded lazily so the bundle parses on txiki.js. */
import type { DirEntry, Runtime } from './types.js';
import { useNativeDigests } from '../util/digest.js';
import { nodeDaemonParts } from './node-daemon.js';
import { CRYPTO_ABI, findLibrary } from './native-abi.js';
import { bindNativeCrypto } from './native-crypto.js';
import { lazyNativeDigests, nodeDigests, type NodeCrypto } from './node-digests.js';
import { bindNodeNative, requireKoffi } from './native-node.js';
import { chunkRing, readAhead } from './read-ahead.js';
import { encodeUtf8 } from '../util/bytes.js';
import { useBase64Decoder, type Base64Decoder } from '../util/base64.js';

interface NodeProcess {
  argv: string[];
  readonly platform: string;
  readonly arch: string;
  env: { [k: string]: string | undefined };
  stdout: NodeOutput;
  stderr: NodeOutput;
  exit(code: number): never;
  on(signal: string, fn: () => void): void;
  off(signal: string, fn: () => void): void;
}

interface NodeOutput {
  readonly isTTY?: boolean;
  write(data: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  on(ev: 'error', fn: (e: Error & { code?: string }) => void): void;
}

interface NodeDirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}

interface NodeFileHandle {
  readonly fd: number;
  read(buf: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<{ isFile(): boolean }>;
  close(): Promise<void>;
}

interface NodeFs {
  open(path: string, flags: string): Promise<NodeFileHandle>;
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, enc: 'utf8'): Promise<string>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  appendFile(path: string, data: string | Uint8Array): Promise<void>;
  readdir(path: string, opts: { withFileTypes: true }): Promise<NodeDirent[]>;
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
}

/** node:fs's synchronous calls used here (NodeFs is node:fs/promises). */
interface NodeFsSync {
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number): number;
  fstatSync(fd: number): { isFile(): boolean; isCharacterDevice(): boolean };
}

interface NodeStream {
  on(ev: 'data', fn: (chunk: { toString(): string }) => void): void;
}

interface NodeChild {
  stdout: NodeStream;
  stderr: NodeStream;
  stdin: { end(data: string): void };
  on(ev: 'error', fn: (e: Error) => void): void;
  on(ev: 'close', fn: (code: number | null) => void): void;
}

interface NodeChildProcess {
  spawn(cmd: string, args: string[], opts: { stdio: string[] }): NodeChild;
}

// Module names held in variables keep bundlers and type-checkers from resolving Node's
// modules: they are only ever loaded when running on Node.
const FS_MODULE = 'node:fs/promises';
const FS_SYNC_MODULE = 'node:fs';
const CHILD_MODULE = 'node:child_process';
const CRYPTO_MODULE = 'node:crypto';
const MODULE_MODULE = 'node:module';
const V8_MODULE = 'node:v8';
const PERF_HOOKS_MODULE = 'node:perf_hooks';

/**
 * How far V8 lets its old generation grow past what the last full collection left live,
 * in percent. Left to itself it allowed up to four times that before collecting again:
 * replay of corpus x40 peaked at 61–68 MB of heap in use for 15 MB live, over issue 11's
 * 64 MB. At twice (100%) it peaks at 43–46 MB for the same time (`npm run bench:dpi`). V8
 * reads the flag each time it sets the next limit, so setting it at start-up takes effect.
 */
const HEAP_GROWING_PERCENT = 100;

/**
 * The young generation's size, at least: V8 starts it at 2 x 1 MB and doubles it, up to
 * 2 x 16 MB, as objects survive its collections. Grown to the full size during a replay of
 * corpus x40, every page of it was new memory, and each first touch of a page a page fault
 * (~13 µs each on the test machines, where faults were a fifth of the main thread's time).
 * Kept at 2 x 1 MB it faulted ~11 000 times less but collected twice as often as at 2 x 2
 * MB, at ~1.2 ms a time. Replay of x40 with each size fixed (--max-semi-space-size, median
 * of 8): 1 MB 1.58 s, 2 MB 1.47 s, 4 MB 1.48 s, 8 MB 1.49 s; left to grow, ~1.6 s. So
 * once it is this size or more its growth is stopped (checked after each collection).
 */
const YOUNG_SEMI_SPACE_MB = 2;

interface NodeModules {
  createRequire(from: string): (id: string) => unknown;
}

interface NodeBufferObject extends Uint8Array {
  /** Writes `text` as UTF-8 at `offset`; returns the bytes written. */
  write(text: string, offset: number): number;
}

const setImmediate = (globalThis as unknown as { setImmediate(fn: () => void): void }).setImmediate;

const NodeBuffer = (
  globalThis as unknown as {
    Buffer: {
      allocUnsafeSlow(n: number): Uint8Array;
      allocUnsafe(n: number): NodeBufferObject;
      from(text: string, encoding: 'base64'): Uint8Array & { toString(encoding: 'base64'): string };
    };
  }
).Buffer;

/** util/base64.ts's engine decoder under Node 20 (no `Uint8Array.fromBase64`): Buffer, for canonical text. */
export const nodeBase64: Base64Decoder = (text) => {
  const bytes = NodeBuffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
};

/** A regular file's chunks read between turns of the event loop (readChunks). */
const TURN_EVERY = 16;

/** Bytes of stdout gathered before they are written. */
const OUT_CHUNK = 1 << 16;

/** A plain Uint8Array over memory Node has not zeroed, for bytes about to be read into it. */
function uninitialized(n: number): Uint8Array {
  const b = NodeBuffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Whether `fd` is a regular file or a device (a character device that is not a terminal: /dev/null). */
function isFileOrDevice(fsSync: NodeFsSync, fd: number): boolean {
  try {
    const s = fsSync.fstatSync(fd);
    return s.isFile() || s.isCharacterDevice();
  } catch {
    return false;
  }
}

/** Writes all of `bytes` to stdout, which blocks (a file or a device); a failed write ends the process (stdoutFailed). */
function writeStdout(proc: NodeProcess, fsSync: NodeFsSync, bytes: Uint8Array): void {
  try {
    for (let at = 0; at < bytes.length; ) at += fsSync.writeSync(1, bytes, at, bytes.length - at);
  } catch (e) {
    stdoutFailed(proc, e as Error & { code?: string });
  }
}

/**
 * stdout cannot be written. The reader went away (`flowsieve replay … | head`): stop
 * quietly, as a program killed by SIGPIPE would. Anything else (a full disk): one line on
 * stderr and exit status 1, not a stack trace from deep in the pipeline.
 */
function stdoutFailed(proc: NodeProcess, e: Error & { code?: string }): never {
  if (e.code === 'EPIPE') return proc.exit(0);
  proc.stderr.write(`flowsieve: cannot write to stdout: ${e.code ?? e.message}\n`);
  return proc.exit(1);
}

interface NodeV8 {
  setFlagsFromString(flags: string): void;
  getHeapSpaceStatistics(): { space_name: string; space_size: number }[];
}

interface NodePerfHooks {
  PerformanceObserver: new (fn: () => void) => { observe(o: { entryTypes: string[] }): void; disconnect(): void };
}

/** Stops the young generation's growth once it is YOUNG_SEMI_SPACE_MB or more (see there). */
function capYoungGeneration(v8: NodeV8, hooks: NodePerfHooks): void {
  // V8 reads the growth factor each time it would grow the space; the space holds two halves.
  const grown = () =>
    (v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0) >= 2 * YOUNG_SEMI_SPACE_MB * 1048576;
  const stop = () => v8.setFlagsFromString('--semi-space-growth-factor=1');
  if (grown()) return stop();
  const observer = new hooks.PerformanceObserver(() => {
    if (!grown()) return;
    stop();
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** The young generation's growth is watched (once per process, however many runtimes it makes). */
let youngCapped = false;

/** The process's stdout has its EPIPE handler. */
let stdoutGuarded = false;

export async function createNodeRuntime(): Promise<Runtime> {
  const proc = (globalThis as unknown as { process: NodeProcess }).process;
  useBase64Decoder(nodeBase64);
  const v8 = (await import(V8_MODULE)) as NodeV8;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!youngCapped) {
    youngCapped = true;
    capYoungGeneration(v8, (await import(PERF_HOOKS_MODULE)) as NodePerfHooks);
  }
  const fs = (await import(FS_MODULE)) as NodeFs;
  const fsSync = (await import(FS_SYNC_MODULE)) as NodeFsSync;
  // child_process is loaded when a command is first run: replay and the daemon's packet
  // path never run one, and loading it cost ~8 ms of every start.
  let child: NodeChildProcess | null = null;
  // stdout is encoded as it comes into a buffer that is written when full: gathered as one
  // string, replay's records (each a rope of its template's pieces) were flattened, then
  // copied into a new Buffer at each write (4.9% of the main thread, corpus x40).
  let outBuf = NodeBuffer.allocUnsafe(OUT_CHUNK);
  let outLen = 0;
  // Into a file or a device other than a terminal (/dev/null) the buffer is written here
  // and now, as Node's own stream for such a stdout does (fs.writeSync), and reused. To a
  // pipe or a terminal, each buffer is left to the stream and a new one taken, since the
  // write may finish later; the stream's callbacks came too late for reuse (replay writes
  // most records at the end of a capture, in one go). A new buffer per write is new memory,
  // and the first touch of each of its pages a page fault: ~3 200 for replay of corpus x40
  // to /dev/null, at ~13 µs each on the test machines.
  const stdoutIsFile = proc.stdout.isTTY !== true && isFileOrDevice(fsSync, 1);
  let err = '';
  // The reader went away, or a disk filled (stdoutFailed), instead of dying on an unhandled
  // stream error. One handler per process, however many runtimes it makes (the tests make
  // one per command).
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    proc.stdout.on('error', (e) => stdoutFailed(proc, e));
  }

  const writeAll = (stream: NodeProcess['stdout'], data: string | Uint8Array) =>
    new Promise<void>((resolve) => {
      if (data.length === 0) return resolve();
      stream.write(data, () => resolve());
    });

  /** The stdout bytes gathered, written or handed to the stream (to be written in order). */
  const takeOut = (): Uint8Array => {
    const o = outBuf.subarray(0, outLen);
    if (outLen > 0) {
      if (stdoutIsFile) {
        writeStdout(proc, fsSync, o);
        outLen = 0;
        return o.subarray(0, 0);
      }
      outBuf = NodeBuffer.allocUnsafe(OUT_CHUNK);
      outLen = 0;
    }
    return o;
  };

  const flush = async () => {
    const o = takeOut();
    const e = err;
    err = '';
    await Promise.all([writeAll(proc.stdout, o), writeAll(proc.stderr, e)]);
  };

  const env = (name: string) => proc.env[name];
  const exists = async (path: string) => {
    try {
      await fs.stat(path);
      return true;
    } catch {
      return false;
    }
  };
  const cryptoLibrary = await findLibrary('crypto', env, exists).catch(() => null);
  if (cryptoLibrary !== null) {
    const requireFrom = ((await import(MODULE_MODULE)) as NodeModules).createRequire(import.meta.url);
    const load = () => bindNativeCrypto(bindNodeNative(requireKoffi(requireFrom, proc.platform, proc.arch), cryptoLibrary, CRYPTO_ABI).fn);
    useNativeDigests(lazyNativeDigests(load, () => nodeDigests(requireFrom(CRYPTO_MODULE) as NodeCrypto)));
  } else {
    useNativeDigests(nodeDigests((await import(CRYPTO_MODULE)) as NodeCrypto));
  }
  const rt: Runtime = {
    ...(await nodeDaemonParts(env, exists)),
    kind: 'node',
    args: proc.argv.slice(2),
    readFile: async (path) => new Uint8Array(await fs.readFile(path)),
    readChunks: async function* (path, chunkSize) {
      const f = await fs.open(path, 'r');
      const regular = await f.stat().then((s) => s.isFile(), () => false);
      if (!regular) {
        // A pipe or a device: read in order through the thread pool, the next read under way.
        yield* readAhead(
          chunkSize,
          uninitialized,
          async (buf) => (await f.read(buf, 0, chunkSize, null)).bytesRead,
          () => f.close(),
        );
        return;
      }
      // A regular file is read here, on the main thread: each chunk read by the thread pool
      // came back through a turn of the event loop, and replay of corpus x40 waited ~0.3 ms
      // per chunk for it (~250 ms of ~2 s in 256 KiB chunks, four reads under way), more
      // than copying the bytes itself costs. The event loop still gets a turn every few
      // chunks: a reader of stdout that went away (`replay … | head`) or a signal is seen
      // then, not only at the end of the file.
      try {
        const nextBuffer = chunkRing(0, () => uninitialized(chunkSize));
        for (let position = 0, chunks = 0; ; ) {
          const buf = nextBuffer();
          const n = fsSync.readSync(f.fd, buf, 0, chunkSize, position);
          if (n === 0) return;
          position += n;
          if (++chunks % TURN_EVERY === 0) await new Promise<void>((resolve) => setImmediate(() => resolve()));
          yield n === chunkSize ? buf : buf.subarray(0, n);
        }
      } finally {
        await f.close();
      }
    },
    readTextFile: (path) => fs.readFile(path, 'utf8'),
    writeFile: (path, data) => fs.writeFile(path, data),
    appendFile: (path, data) => fs.appendFile(path, data),
    readDir: async (path) =>
      (await fs.readdir(path, { withFileTypes: true })).map(
        (d: NodeDirent): DirEntry => ({ name: d.name, isFile: d.isFile(), isDirectory: d.isDirectory() }),
      ),
    stat: async (path) => {
      try {
        const s = await fs.stat(path);
        return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size };
      } catch {
        return null;
      }
    },
    stdout: (text) => {
      // Up to 3 bytes of UTF-8 per UTF-16 unit.
      if (outLen + 3 * text.length > OUT_CHUNK) {
        void flush();
        if (3 * text.length > OUT_CHUNK) return void (stdoutIsFile ? writeStdout(proc, fsSync, encodeUtf8(text)) : writeAll(proc.stdout, text));
      }
      outLen += outBuf.write(text, outLen);
    },
    stderr: (text) => {
      err += text;
    },
    flush,
    exit: async (code) => {
      await flush();
      return proc.exit(code);
    },
    env: (name) => proc.env[name],
    now: () => Date.now(),
    monotonic: () => performance.now(),
    run: async (argv, input) => {
      child ??= (await import(CHILD_MODULE)) as NodeChildProcess;
      const spawn = child.spawn;
      return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        let so = '';
        let se = '';
        p.stdout.on('data', (d) => (so += d.toString()));
        p.stderr.on('data', (d) => (se += d.toString()));
        p.on('error', (e) => resolve({ status: 127, stdout: so, stderr: se + e.message }));
        p.on('close', (code) => resolve({ status: code ?? 128, stdout: so, stderr: se }));
        p.stdin.end(input ?? '');
      });
    },
    onSignal: (signal, fn) => {
      proc.on(signal, fn);
      return () => proc.off(signal, fn);
    },
  };
  return rt;
}
