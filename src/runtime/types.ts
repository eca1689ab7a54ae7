/**
 * What flowsieve needs from the system. The only code that touches `node:*` or `tjs.*`
 * lives in this folder (one implementation per runtime); everything else is written
 * against this interface, so the same bundle runs on a router (txiki.js) and a host (Node).
 */

import type { DaemonRuntime } from './daemon-types.js';

export type RuntimeKind = 'node' | 'txiki';

export interface DirEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

export interface Runtime extends DaemonRuntime {
  readonly kind: RuntimeKind;
  /** Command-line arguments after the script path. */
  readonly args: readonly string[];
  readFile(path: string): Promise<Uint8Array>;
  /**
   * A file's bytes in order, in chunks of at most `chunkSize`: memory holds a few chunks,
   * not the file. A chunk's memory is reused (chunkRing in read-ahead.ts): its bytes stay
   * as read while the caller works on it and on the chunk after it, and then change. A
   * caller keeps a copy of what it needs for longer.
   */
  readChunks(path: string, chunkSize: number): AsyncIterable<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  appendFile(path: string, data: string | Uint8Array): Promise<void>;
  readDir(path: string): Promise<DirEntry[]>;
  /** File type, or null when the path does not exist. */
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number } | null>;
  /** Buffered writes; `flush()` or `exit()` pushes them out. */
  stdout(text: string): void;
  stderr(text: string): void;
  flush(): Promise<void>;
  /** Flush and end the process. */
  exit(code: number): Promise<never>;
  env(name: string): string | undefined;
  /** Wall clock, ms since the epoch. */
  now(): number;
  /** Monotonic clock, ms (fractional). */
  monotonic(): number;
  /** Run a program; resolves with its exit status and output. */
  run(argv: readonly string[], input?: string): Promise<{ status: number; stdout: string; stderr: string }>;
  /** Call `fn` on SIGHUP/SIGTERM/SIGINT; returns a function that removes the listener. */
  onSignal(signal: 'SIGHUP' | 'SIGTERM' | 'SIGINT', fn: () => void): () => void;
}

/** One line for the user: the message of an Error (errno text included), never a stack. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e);
}
