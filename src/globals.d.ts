/**
 * The few host globals flowsieve relies on that both Node and txiki.js (QuickJS-ng)
 * provide. Declared here instead of pulling in Node's typings, so code outside
 * src/runtime/ cannot lean on Node-only APIs by accident.
 */
declare const performance: { now(): number };
declare function setTimeout(fn: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(fn: () => void, ms?: number): unknown;
declare function clearInterval(handle: unknown): void;
declare const console: {
  log(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
declare class URL {
  constructor(url: string, base?: string);
  readonly pathname: string;
}
interface ImportMeta {
  readonly url: string;
}
/** gzip for the sink target (WHATWG Compression Streams: Node ≥ 18, txiki.js's polyfill). */
declare class CompressionStream {
  constructor(format: 'gzip' | 'deflate' | 'deflate-raw');
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> } };
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
}
