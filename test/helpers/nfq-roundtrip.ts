/**
 * Run inside a namespace by live-nfqueue.test.ts: binds NFQUEUE through the product's
 * NfQueue (native/nfq bound by koffi), sends UDP datagrams to itself through a queued
 * port, drops the ones whose payload says "drop", and prints what the queue and the
 * receiver saw as one JSON line. All datagrams wait in the queue before the first drain,
 * so they share one batch of verdicts (the case where a marked packet could overtake the
 * accepted ones before it).
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
const received: string[] = [];
const rx = createSocket('udp4');
rx.on('message', (m) => received.push(m.toString()));
await new Promise<void>((r) => rx.bind(port, '127.0.0.1', () => r()));
const tx = createSocket('udp4');
const sent = ['one', 'drop-me', 'mark-me', 'two'];
for (const msg of sent) {
  await new Promise<void>((r) => tx.send(msg, port, '127.0.0.1', () => r()));
}
q.start((batch) => {
  batch.packets.forEach((p, i) => {
    // IPv4 + UDP header: payload from byte 28.
    const payload = new TextDecoder().decode(p.data.subarray(28));
    seen.push({ payload, out: p.meta.outInterface, length: p.length });
    if (payload.startsWith('drop')) batch.setVerdict(i, 'drop');
    else if (payload.startsWith('mark')) batch.setVerdict(i, 'accept', 0x42);
  });
});
// Until everything queued was seen and every accepted datagram arrived (or 10 s passed),
// then a little longer, so a dropped datagram that wrongly arrives late is caught too.
const expected = sent.filter((m) => !m.startsWith('drop')).length;
for (let waited = 0; waited < 10_000 && (seen.length < sent.length || received.length < expected); waited += 20) {
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 200));
await q.close();
rx.close();
tx.close();
console.log(JSON.stringify({ description: q.description, flags: q.flags, seen, received, counters: q.counters, errors }));
