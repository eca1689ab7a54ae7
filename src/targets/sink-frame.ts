/**
 * Sink framing — how one record travels on the stream: the JSON text and a newline,
 * gzip-compressed when asked (each record its own gzip member, so the stream is still one
 * valid multi-member gzip file), and with `header` a JSON length line in front
 * (`{"length":N}\n`, N the bytes that follow), the framing of Netify's socket sink.
 */
import type { StreamEndpoint } from '../runtime/net-socket.js';
import { encodeUtf8 } from '../util/bytes.js';

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream('gzip');
  const writer = cs.writable.getWriter();
  const reader = cs.readable.getReader();
  void writer.write(new Uint8Array(data)).then(() => writer.close());
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    if (r.value) {
      parts.push(r.value);
      size += r.value.length;
    }
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface FrameOptions {
  readonly header: boolean;
  readonly gzip: boolean;
}

export async function frameRecord(json: string, opts: FrameOptions): Promise<Uint8Array> {
  let body: Uint8Array = encodeUtf8(json + '\n');
  if (opts.gzip) body = await gzip(body);
  if (!opts.header) return body;
  const head = encodeUtf8(`{"length":${body.length}}\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** `unix:<path>`, `tcp:<host>:<port>`, `tcp:[v6]:<port>`; null when the text is neither. */
export function parseEndpoint(text: string): StreamEndpoint | null {
  const t = text.trim();
  if (t.startsWith('unix:')) return t.length > 5 ? { kind: 'unix', path: t.slice(5) } : null;
  if (!t.startsWith('tcp:')) return null;
  const hp = parseHostPort(t.slice(4));
  return hp ? { kind: 'tcp', ...hp } : null;
}

/** `<host>:<port>` or `[v6]:<port>`. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text.trim()) ?? /^([^:[\]]+):(\d+)$/.exec(text.trim());
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : null;
}
