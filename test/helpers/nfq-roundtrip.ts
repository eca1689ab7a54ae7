/**
 * Run inside a namespace by live-nfqueue.test.ts: binds NFQUEUE through the product's
 * NfQueue (native/nfq bound by koffi), sends UDP datagrams to itself through a queued
 * port, drops the ones whose payload says "drop", and prints what the queue and the
 * receiver saw as one JSON line.
 */
import { createSocket } from 'node:dgram';
import { createNodeRuntime } from '../../src/runtime/node.js';
import { DEFAULT_NFQUEUE_OPTIONS, NfQueue } from '../../src/live/nfqueue.js';

const queueNum = Number(process.argv[2] ?? 7);
const port = Number(process.argv[3] ?? 9999);
const rt = await createNodeRuntime();
const errors: string[] = [];
const q = await NfQueue.open(rt, { ...DEFAULT_NFQUEUE_OPTIONS, first: queueNum, last: queueNum, interfaceName: (i) => (i === 1 ? 'lo' : i === 0 ? null : `if${i}`) }, (m) => errors.push(m));
const seen: { payload: string; out: string | null; length: number }[] = [];
q.start((batch) => {
  batch.packets.forEach((p, i) => {
    // IPv4 + UDP header: payload from byte 28.
    const payload = new TextDecoder().decode(p.data.subarray(28));
    seen.push({ payload, out: p.meta.outInterface, length: p.length });
    if (payload.startsWith('drop')) batch.setVerdict(i, 'drop');
    else if (payload.startsWith('mark')) batch.setVerdict(i, 'accept', 0x42);
  });
});
const received: string[] = [];
const rx = createSocket('udp4');
rx.on('message', (m) => received.push(m.toString()));
await new Promise<void>((r) => rx.bind(port, '127.0.0.1', () => r()));
const tx = createSocket('udp4');
for (const msg of ['one', 'drop-me', 'mark-me', 'two']) {
  await new Promise<void>((r) => tx.send(msg, port, '127.0.0.1', () => r()));
}
await new Promise((r) => setTimeout(r, 500));
await q.close();
rx.close();
tx.close();
console.log(JSON.stringify({ description: q.description, flags: q.flags, seen, received, counters: q.counters, errors }));
