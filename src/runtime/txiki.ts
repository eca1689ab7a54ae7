/**
 * The Runtime on txiki.js (the router). Declarations cover only the `tjs` calls used here;
 * npm's @txikijs/types is stale. Where txiki.js versions differ (stdio as a Writer or as a
 * WritableStream), both shapes are accepted.
 */
import { encodeUtf8, utf8 } from '../util/bytes.js';
import type { DirEntry, Runtime } from './types.js';

interface TjsStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

interface TjsFile {
  write(buf: Uint8Array, offset?: number): Promise<number>;
  close(): Promise<void>;
}

interface TjsReader {
  read(buf: Uint8Array): Promise<number | null>;
}

interface TjsOutput {
  write?(buf: Uint8Array): Promise<number>;
  getWriter?(): { write(buf: Uint8Array): Promise<void>; releaseLock(): void };
}

interface TjsProcess {
  wait(): Promise<{ exit_status: number; term_signal: string | null }>;
  stdin?: { write(buf: Uint8Array): Promise<number>; close?(): void };
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
  stdout: TjsOutput;
  stderr: TjsOutput;
  exit(code: number): void;
  spawn(args: string[], opts: { stdin?: string; stdout?: string; stderr?: string }): TjsProcess;
  addSignalListener(sig: string, fn: () => void): void;
  removeSignalListener(sig: string, fn: () => void): void;
}

async function writeOut(stream: TjsOutput, text: string): Promise<void> {
  if (text === '') return;
  const bytes = encodeUtf8(text);
  if (stream.write) {
    let off = 0;
    while (off < bytes.length) off += await stream.write(bytes.subarray(off));
  } else if (stream.getWriter) {
    const w = stream.getWriter();
    try {
      await w.write(bytes);
    } finally {
      w.releaseLock();
    }
  }
}

async function readAll(r: TjsReader | undefined): Promise<string> {
  if (!r) return '';
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(16384);
  for (;;) {
    const n = await r.read(buf);
    if (n === null || n === 0) break;
    chunks.push(buf.slice(0, n));
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

export async function createTxikiRuntime(): Promise<Runtime> {
  const tjs = (globalThis as unknown as { tjs: Tjs }).tjs;
  let out = '';
  let err = '';
  const flush = async () => {
    const o = out;
    const e = err;
    out = err = '';
    await writeOut(tjs.stdout, o);
    await writeOut(tjs.stderr, e);
  };
  // tjs.args is [exe, 'run', script, ...] when started as `tjs run script.js`.
  const runAt = tjs.args.indexOf('run');
  const args = runAt >= 0 ? tjs.args.slice(runAt + 2) : tjs.args.slice(2);

  const rt: Runtime = {
    kind: 'txiki',
    args,
    readFile: (path) => tjs.readFile(path),
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
      if (out.length > 1 << 16) void flush();
    },
    stderr: (text) => {
      err += text;
    },
    flush,
    exit: async (code) => {
      await flush();
      tjs.exit(code);
      // tjs.exit does not return; this keeps the type checker and odd runtimes honest.
      return new Promise<never>(() => {});
    },
    env: (name) => tjs.env[name],
    now: () => Date.now(),
    monotonic: () => performance.now(),
    run: async (argv, input) => {
      let p: TjsProcess;
      try {
        p = tjs.spawn([...argv], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
      } catch (e) {
        return { status: 127, stdout: '', stderr: e instanceof Error ? e.message : String(e) };
      }
      if (p.stdin) {
        if (input) await p.stdin.write(encodeUtf8(input));
        p.stdin.close?.();
      }
      const [stdout, stderr, status] = await Promise.all([readAll(p.stdout), readAll(p.stderr), p.wait()]);
      return { status: status.term_signal ? 128 : status.exit_status, stdout, stderr };
    },
    onSignal: (signal, fn) => {
      tjs.addSignalListener(signal, fn);
      return () => tjs.removeSignalListener(signal, fn);
    },
  };
  return rt;
}
