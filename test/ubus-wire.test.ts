/**
 * ubus messages against traffic recorded between a real ubusd, the ubus CLI and a
 * libubus server/listener (scripts/ubus/record-fixtures.mjs): every frame decodes and
 * re-encodes to its bytes; our builders write what libubus wrote; the client, replayed
 * against the recorded ubusd side, sends libubus's bytes and reads the answers right;
 * malformed frames end the connection with an error and the client reconnects.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type BlobmsgAttr, toJson } from '../src/ubus/blobmsg.js';
import { UbusClient, UbusError } from '../src/ubus/client.js';
import {
  ATTR,
  MSG,
  STATUS,
  type AttrEntry,
  addObjectMsg,
  decodeEntries,
  decodeMessage,
  encodeMessage,
  invokeMsg,
  lookupMsg,
  notifyMsg,
  registerEventMsg,
  replyDataMsg,
  replyStatusMsg,
  sendEventMsg,
  subscribeMsg,
} from '../src/ubus/message.js';
import { Peer, conversation, fromHex, replay, toHex, wire } from './helpers/ubus-peer.js';

type Entry = AttrEntry & Record<string, unknown>;
const get = (entries: readonly AttrEntry[], id: number): Entry | undefined => entries.find((e) => e.id === id) as Entry | undefined;

test('every recorded frame decodes, and re-encodes to the same bytes', () => {
  let n = 0;
  for (const c of wire.conversations) {
    for (const f of c.frames) {
      const m = decodeEntries(fromHex(f.hex));
      assert.is(toHex(encodeMessage(m.type, m.seq, m.peer, m.entries)), f.hex, c.label);
      decodeMessage(fromHex(f.hex));
      n++;
    }
  }
  assert.ok(n >= 50, `${n} frames`);
});

/** Rebuild a frame a libubus client sent with the builder for its kind. */
function rebuild(hex: string): { kind: string; bytes: Uint8Array } {
  const { type, seq, peer, entries } = decodeEntries(fromHex(hex));
  const u32 = (id: number): number => get(entries, id)!.u32 as number;
  const str = (id: number): string => get(entries, id)!.str as string;
  const data = (): BlobmsgAttr[] => get(entries, ATTR.data)!.data as BlobmsgAttr[];
  switch (type) {
    case MSG.lookup:
      return { kind: 'lookup', bytes: lookupMsg(seq, get(entries, ATTR.objpath) ? str(ATTR.objpath) : undefined) };
    case MSG.addObject: {
      const sig = get(entries, ATTR.signature);
      return { kind: sig ? 'add object' : 'add nameless object', bytes: addObjectMsg(seq, sig ? str(ATTR.objpath) : undefined, sig?.signature as never) };
    }
    case MSG.invoke: {
      const m = str(ATTR.method);
      const args = toJson(data());
      if (u32(ATTR.objid) === 1 && m === 'send') {
        const payload = data().find((a) => a.name === 'data')!.value as unknown as { items: BlobmsgAttr[] };
        return { kind: 'send event', bytes: sendEventMsg(seq, args.id as string, payload.items) };
      }
      if (u32(ATTR.objid) === 1 && m === 'register') return { kind: 'register for events', bytes: registerEventMsg(seq, (args.object as number) >>> 0, args.pattern as string) };
      return { kind: 'invoke', bytes: invokeMsg(seq, u32(ATTR.objid), m, data()) };
    }
    case MSG.data:
      return { kind: 'reply data', bytes: replyDataMsg(seq, peer, u32(ATTR.objid), data()) };
    case MSG.status:
      return { kind: 'reply status', bytes: replyStatusMsg(seq, peer, u32(ATTR.objid), u32(ATTR.status)) };
    case MSG.notify:
      return { kind: 'notify', bytes: notifyMsg(seq, u32(ATTR.objid), str(ATTR.method), data(), get(entries, ATTR.noReply)?.u8 === 1) };
    case MSG.subscribe:
      return { kind: 'subscribe', bytes: subscribeMsg(seq, u32(ATTR.objid), u32(ATTR.target)) };
    default:
      throw new Error(`no builder for message type ${type}`);
  }
}

test('the builders write byte for byte what libubus clients wrote, for every kind they sent', () => {
  const kinds = new Set<string>();
  for (const c of wire.conversations) {
    for (const f of c.frames.filter((x) => x.dir === 'out')) {
      const r = rebuild(f.hex);
      assert.is(toHex(r.bytes), f.hex, `${c.label}: ${r.kind}`);
      kinds.add(r.kind);
    }
  }
  assert.equal([...kinds].sort(), [
    'add nameless object',
    'add object',
    'invoke',
    'lookup',
    'notify',
    'register for events',
    'reply data',
    'reply status',
    'send event',
    'subscribe',
  ]);
});

test('ubusd frames say what the CLI printed: HELLO id, lookup signature, answer data, error status', () => {
  const call = conversation('ubus call fx echo').frames;
  const hello = decodeMessage(fromHex(call[0]!.hex));
  assert.is(hello.type, MSG.hello);
  assert.ok(hello.peer > 1);
  const found = decodeMessage(fromHex(call[2]!.hex));
  assert.equal(found.attrs.signature, [{ method: 'echo', args: [['msg', 3], ['n', 5]] }]);
  assert.match(wire.cli.list!.output, /"echo":\{"msg":"String","n":"Integer"\}/);
  const answer = decodeMessage(fromHex(call[5]!.hex));
  assert.equal(toJson(answer.attrs.data!), JSON.parse(wire.cli.call!.output));
  const missing = conversation('ubus call missing').frames;
  assert.is(decodeMessage(fromHex(missing[2]!.hex)).attrs.status, STATUS.notFound);
});

// ---------------------------------------------------------------- the client against recorded ubusd

async function withPeer(fn: (peer: Peer) => Promise<void>): Promise<void> {
  const peer = new Peer();
  await peer.listen();
  try {
    await fn(peer);
  } finally {
    await peer.close();
  }
}

test('client: call = LOOKUP then INVOKE, as `ubus call` sends them, and the answer as plain values', () =>
  withPeer(async (peer) => {
    const client = new UbusClient({ socketPath: peer.path });
    const conn = peer.accept().then(async (c) => {
      await replay(c, conversation('ubus call fx echo'));
      return c;
    });
    await client.connect();
    const reply = await client.call('fx', 'echo', { msg: 'hi', n: 21 });
    await conn;
    assert.equal(reply, { msg: 'hi', n: 21, twice: 42 });
    client.close();
  }),
);

test('client: error statuses from ubusd and from the object become UbusError with their code', () =>
  withPeer(async (peer) => {
    const cases: [string, () => Promise<unknown>, number][] = [];
    const client = new UbusClient({ socketPath: peer.path });
    cases.push(['ubus call missing', () => client.call('missing', 'x'), STATUS.notFound]);
    cases.push(['ubus call fx nope', () => client.call('fx', 'nope'), STATUS.methodNotFound]);
    cases.push(['ubus call fx echo without msg', () => client.call('fx', 'echo', { n: 1 }), STATUS.invalidArgument]);
    for (const [label, run, status] of cases) {
      const played = peer.accept().then((c) => replay(c, conversation(label)));
      await client.connect();
      const err = await run().then(
        () => null,
        (e: unknown) => e,
      );
      await played;
      assert.ok(err instanceof UbusError, label);
      assert.is((err as UbusError).status, status, label);
      client.close();
    }
  }),
);

test('client: sendEvent writes `ubus send`; listen registers as libubus does and receives the event', () =>
  withPeer(async (peer) => {
    const sender = new UbusClient({ socketPath: peer.path });
    const played = peer.accept().then((c) => replay(c, conversation('ubus send')));
    await sender.connect();
    await sender.sendEvent('fx.alert', { level: 2, tags: ['a', 'b'], ratio: 0.25, big: 5000000000, on: true, none: null });
    await played;
    sender.close();

    const listener = new UbusClient({ socketPath: peer.path });
    const got: [string, unknown][] = [];
    const heard = new Promise<void>((resolve) =>
      listener.listen('fx.*', (ev, data) => {
        got.push([ev, data]);
        resolve();
      }),
    );
    const played2 = peer.accept().then((c) => replay(c, conversation('libubus listener')));
    await listener.connect();
    await heard;
    await played2;
    assert.equal(got, [['fx.alert', { level: 2, tags: ['a', 'b'], ratio: 0.25, big: 5000000000, on: true, none: null }]]);
    listener.close();
  }),
);

test('client: a published object is added with its signature, validates arguments, answers DATA then STATUS and notifies subscribers', () =>
  withPeer(async (peer) => {
    const client = new UbusClient({ socketPath: peer.path });
    const calls: unknown[] = [];
    const obj = await client.publish({
      name: 'fx',
      methods: {
        echo: {
          args: { msg: { type: 'string', required: true }, n: { type: 'int32' } },
          handler: (a) => {
            calls.push(a);
            const n = (a.n as number | undefined) ?? 0;
            obj.notify('echoed', { msg: a.msg as string });
            return { msg: a.msg as string, n, twice: n * 2 };
          },
        },
      },
    });
    const played = peer.accept().then((c) => replay(c, conversation('libubus server')));
    await client.connect();
    await played;
    // The call without msg never reached the handler: the policy refused it first.
    assert.equal(calls, [{ msg: 'hi', n: 21 }]);
    assert.ok(obj.hasSubscribers);
    client.close();
  }),
);

// ---------------------------------------------------------------- malformed input

const HELLO = conversation('ubus call fx echo').frames[0]!.hex;

test('malformed frames close the connection with an error, fail what was pending, and the client reconnects', () =>
  withPeer(async (peer) => {
    const bad: [string, string][] = [
      ['version 1', '01' + '02' + '0001' + '00000000' + '00000004'],
      ['blob shorter than its header', '00020001000000000000000200000000'],
      ['longer than ubus allows', '0002000100000000' + '00ffffff'],
      ['attribute running past the message', '0002000100000000' + '0000000c' + '03000010' + '00000001' + '00000000'],
    ];
    const logs: string[] = [];
    const client = new UbusClient({ socketPath: peer.path, reconnectMs: 20, log: (_l, t) => logs.push(t) });
    for (const [what, frame] of bad) {
      const c = await Promise.all([peer.accept(), client.connected ? Promise.resolve() : client.start()]).then(([c]) => c);
      c.send(HELLO);
      await new Promise((r) => setTimeout(r, 30));
      assert.ok(client.connected, what);
      const pending = client.lookup('fx').then(
        () => null,
        (e: unknown) => e,
      );
      await c.next();
      c.send(frame);
      const err = await pending;
      assert.ok(err instanceof UbusError && err.status === STATUS.connectionFailed, `${what}: ${String(err)}`);
      assert.is(await c.next(), null, `${what}: the client closed the connection`);
    }
    // after the last one the client is back: a fifth connection arrives
    const again = await peer.accept();
    again.send(HELLO);
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(client.connected);
    assert.ok(logs.some((l) => /version 1/.test(l)) && logs.some((l) => /exceeds ubus/.test(l)), logs.join('\n'));
    client.close();
  }),
);

test('an INVOKE whose DATA is not valid blobmsg gets INVALID_ARGUMENT, and the connection stays up', () =>
  withPeer(async (peer) => {
    const client = new UbusClient({ socketPath: peer.path });
    await client.publish({ name: 'fx', methods: { echo: { handler: () => ({ ok: true }) } } });
    const connected = client.connect();
    const c = await peer.accept();
    c.send(HELLO);
    const add = decodeEntries(fromHex((await c.next())!));
    assert.is(add.type, MSG.addObject);
    c.send(encodeMessage(MSG.data, add.seq, 0, [{ id: ATTR.objid, u32: 0x1234 }]));
    c.send(encodeMessage(MSG.status, add.seq, 0, [{ id: ATTR.status, u32: 0 }]));
    await connected;
    // DATA holding a blobmsg string whose NUL was overwritten
    const broken = encodeMessage(MSG.invoke, 7, 0x55, [
      { id: ATTR.objid, u32: 0x1234 },
      { id: ATTR.method, str: 'echo' },
      { id: ATTR.data, data: [{ name: 'a', value: { type: 'string', value: 'hi' } }] },
    ]);
    assert.is(broken[broken.length - 2], 0);
    broken[broken.length - 2] = 0xff;
    c.send(broken);
    assert.is(await c.next(), toHex(replyStatusMsg(7, 0x55, 0x1234, STATUS.invalidArgument)));
    // a sound one right after is answered
    c.send(encodeMessage(MSG.invoke, 8, 0x55, [{ id: ATTR.objid, u32: 0x1234 }, { id: ATTR.method, str: 'echo' }, { id: ATTR.data, data: [] }]));
    assert.is(await c.next(), toHex(replyDataMsg(8, 0x55, 0x1234, [{ name: 'ok', value: { type: 'int8', value: 1 } }])));
    assert.is(await c.next(), toHex(replyStatusMsg(8, 0x55, 0x1234, STATUS.ok)));
    // unknown object and unknown method
    c.send(invokeMsg(9, 0x999, 'echo', []));
    assert.is(await c.next(), toHex(replyStatusMsg(9, 0x999, 0x999, STATUS.notFound)));
    c.send(encodeMessage(MSG.invoke, 10, 0x55, [{ id: ATTR.objid, u32: 0x1234 }, { id: ATTR.method, str: 'nope' }, { id: ATTR.data, data: [] }]));
    assert.is(await c.next(), toHex(replyStatusMsg(10, 0x55, 0x1234, STATUS.methodNotFound)));
    assert.ok(client.connected);
    client.close();
  }),
);

test.run();
