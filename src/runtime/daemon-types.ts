/**
 * What a daemon needs from the system beyond the command-line tools: an unbuffered log,
 * timers, native modules and (on txiki.js) raw sockets the event loop watches. Part of
 * Runtime (types.ts); kept here so the daemon's needs read in one place.
 */
import type { NativeLoader } from './native-abi.js';

/** A raw socket whose readability the event loop reports (txiki.js only). */
export interface WatchedSocket {
  readonly fd: number;
  /** Call `fn` whenever the socket is readable, until close(). */
  onReadable(fn: () => void): void;
  close(): void;
}

export interface DaemonRuntime {
  /**
   * Write one line to stderr now, bypassing the stdout/stderr buffers: procd reads a
   * daemon's stderr, and a line held in a buffer is lost when the process is killed.
   */
  logLine(line: string): void;
  /** Call `fn` every `ms`; returns a function that stops it. Keeps the process alive. */
  every(ms: number, fn: () => void): () => void;
  /** Call `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  loadNative: NativeLoader;
  /**
   * A bound raw netlink socket the event loop watches, or null when the runtime cannot
   * watch a descriptor (Node: the wait happens in C on a worker thread instead).
   */
  netlinkSocket(protocol: number): WatchedSocket | null;
}
