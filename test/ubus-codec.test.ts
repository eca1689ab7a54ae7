/**
 * blob/blobmsg codec: byte vectors written by libubox's own blobmsg.c (recorded by
 * scripts/ubus/record-fixtures.mjs) for every type, nesting and padding case; the JSON
 * mapping of blobmsg_json; a seeded round-trip property over random trees; and hostile
 * bytes that must fail with BlobError, never anything else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { BlobError } from '../src/ubus/blob.js';
import { type BlobmsgAttr, type BlobmsgValue, decodeAttrs, decodeBlobmsg, encodeBlobmsg, fromJson, toJson } from '../src/ubus/blobmsg.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/ubus/blobmsg-vectors.json', import.meta.url), 'utf8')) as {
  vectors: { case: string; hex: string }[];
};
const vector = (name: string): string => {
  const v = fixtures.vectors.find((x) => x.case === name);
  if (!v) throw new Error(`no vector ${name}`);
  return v.hex;
};

const s = (name: string, value: string): BlobmsgAttr => ({ name, value: { type: 'string', value } });
const i32 = (name: string, value: number): BlobmsgAttr => ({ name, value: { type: 'int32', value } });
const i16 = (name: string, value: number): BlobmsgAttr => ({ name, value: { type: 'int16', value } });
const i8 = (name: string, value: number): BlobmsgAttr => ({ name, value: { type: 'int8', value } });
const i64 = (name: string, value: bigint): BlobmsgAttr => ({ name, value: { type: 'int64', value } });
const dbl = (name: string, value: number): BlobmsgAttr => ({ name, value: { type: 'double', value } });
const nul = (name: string): BlobmsgAttr => ({ name, value: { type: 'unspec', bytes: new Uint8Array(0) } });
const arr = (name: string, items: BlobmsgAttr[]): BlobmsgAttr => ({ name, value: { type: 'array', items } });
const tbl = (name: string, items: BlobmsgAttr[]): BlobmsgAttr => ({ name, value: { type: 'table', items } });

/** What each libubox vector holds (scripts/ubus/blobmsg-vectors.c builds the same values). */
const EXPECTED: Record<string, BlobmsgAttr[]> = {
  string: [s('s', 'hello')],
  'string-empty': [s('empty', '')],
  'string-utf8': [s('utf8', 'héllo €')],
  bool: [i8('yes', 1), i8('no', 0)],
  int8: [i8('i8', -2)],
  int16: [i16('i16', 0x1234), i16('neg', -2)],
  int32: [i32('i32', 0x12345678), i32('neg', -1)],
  int64: [i64('i64', 0x123456789abcdef0n), i64('neg', -5n)],
  double: [dbl('d', 3.25), dbl('pi', 3.141592653589793)],
  unspec: [nul('null')],
  'name-padding': [i32('a', 1), i32('ab', 2), i32('abc', 3), i32('abcd', 4), i32('abcde', 5)],
  'value-padding': [s('v', 'x'), s('v', 'xy'), s('v', 'xyz'), s('v', 'wxyz')],
  array: [arr('list', [i32('', 1), s('', 'two'), i8('', 1)])],
  'empty-containers': [arr('empty', []), tbl('none', [])],
  nested: [
    tbl('outer', [
      s('name', 'flowsieve'),
      arr('queues', [
        tbl('', [i32('id', 0), i64('packets', 5000000000n), dbl('load', 0.5)]),
        tbl('', [i32('id', 1), nul('x'), i16('s', 7)]),
      ]),
    ]),
    i8('ok', 1),
  ],
};

test('every libubox vector has its expected value here, and every type appears', () => {
  assert.equal(fixtures.vectors.map((v) => v.case).sort(), Object.keys(EXPECTED).sort());
  const seen = new Set<string>();
  const walk = (a: BlobmsgAttr): void => {
    seen.add(a.value.type);
    if (a.value.type === 'array' || a.value.type === 'table') a.value.items.forEach(walk);
  };
  Object.values(EXPECTED).flat().forEach(walk);
  assert.equal([...seen].sort(), ['array', 'double', 'int16', 'int32', 'int64', 'int8', 'string', 'table', 'unspec']);
});

for (const name of Object.keys(EXPECTED)) {
  test(`encodes ${name} to libubox's bytes and decodes them back`, () => {
    assert.is(hex(encodeBlobmsg(EXPECTED[name]!)), vector(name));
    // Array items are unnamed, so the top level is read as a table (names required).
    assert.equal(decodeBlobmsg(bytes(vector(name))), EXPECTED[name]);
  });
}

test('JSON mapping follows blobmsg_json: int32 when it fits, else int64; double; bool as int8; null as unspec', () => {
  const attrs = fromJson({ a: 1, b: -2147483648, c: 2147483648, d: 0.25, e: true, f: null, g: 'x', h: [1, 'y'], i: { j: false } });
  assert.equal(
    attrs.map((a) => `${a.name}:${a.value.type}`),
    ['a:int32', 'b:int32', 'c:int64', 'd:double', 'e:int8', 'f:unspec', 'g:string', 'h:array', 'i:table'],
  );
  assert.equal(toJson(decodeBlobmsg(encodeBlobmsg(attrs))), { a: 1, b: -2147483648, c: 2147483648, d: 0.25, e: true, f: null, g: 'x', h: [1, 'y'], i: { j: false } });
  // int64 beyond 2^53 stays exact as a bigint
  assert.equal(toJson([i64('big', 2n ** 62n)]), { big: 2n ** 62n });
});

// ---------------------------------------------------------------- property: round trip

/** A small seeded PRNG (mulberry32): the same trees on every run, so failures replay. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTree(rnd: () => number, depth: number): BlobmsgAttr[] {
  const pick = (n: number): number => Math.floor(rnd() * n);
  const word = (): string => {
    const alphabet = 'abcxyz_0123é€😀';
    let w = '';
    const n = pick(9);
    for (let i = 0; i < n; i++) w += [...alphabet][pick([...alphabet].length)];
    return w;
  };
  const value = (): BlobmsgValue => {
    switch (pick(depth > 3 ? 7 : 9)) {
      case 0: return { type: 'string', value: word() };
      case 1: return { type: 'int32', value: (rnd() * 2 ** 32) | 0 };
      case 2: return { type: 'int16', value: pick(65536) - 32768 };
      case 3: return { type: 'int8', value: pick(256) - 128 };
      case 4: return { type: 'int64', value: BigInt.asIntN(64, (BigInt(pick(2 ** 32)) << 32n) | BigInt(pick(2 ** 32))) };
      case 5: return { type: 'double', value: (rnd() - 0.5) * 10 ** pick(20) };
      case 6: return { type: 'unspec', bytes: new Uint8Array(Array.from({ length: pick(7) }, () => pick(256))) };
      case 7: return { type: 'array', items: randomTree(rnd, depth + 1).map((a) => ({ name: '', value: a.value })) };
      default: return { type: 'table', items: randomTree(rnd, depth + 1) };
    }
  };
  return Array.from({ length: pick(6) }, () => ({ name: word() || 'k', value: value() }));
}

test('property: 2000 random trees survive encode → decode → encode byte for byte', () => {
  const rnd = prng(20261206);
  for (let i = 0; i < 2000; i++) {
    const tree = randomTree(rnd, 0);
    const once = encodeBlobmsg(tree);
    assert.is(once.length % 4, 0);
    const back = decodeBlobmsg(once);
    assert.equal(back, tree, `tree ${i}`);
    assert.is(hex(encodeBlobmsg(back)), hex(once), `tree ${i}`);
  }
});

test('property: corrupted encodings either decode or fail with BlobError, never anything else', () => {
  const rnd = prng(7);
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const b = encodeBlobmsg(randomTree(rnd, 0)).slice();
    if (b.length === 0) continue;
    for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
    try {
      decodeAttrs(cut, false);
    } catch (e) {
      assert.ok(e instanceof BlobError, String(e));
      refused++;
    }
  }
  assert.ok(refused > 100, `only ${refused} refused`);
});

test('hostile shapes are refused with the offset where they sit', () => {
  const cases: [string, string, RegExp][] = [
    ['length past the buffer', '830000ff0001730068656c6c6f000000', /runs past its container.*byte 0/],
    ['length shorter than a header', '83000002', /shorter than its header/],
    ['plain attribute in blobmsg', '0300000c0001730068690000', /plain blob attribute/],
    ['unknown type 9', '8900000c0001730000000000', /unknown blobmsg type 9/],
    ['name without its NUL', '8300000c000461626364ff00', /name of 4 bytes/],
    ['string without its NUL', '8300000b000173006869ff00', /terminating NUL/],
    ['int32 of 3 bytes', '8500000b0001610000000100', /int32 value of 3 bytes/],
    ['table entry without a name', '8500000c0000000000000001', /without a name/],
    ['stray bytes', '8500000c000161000000000100', /stray bytes/],
  ];
  for (const [what, h, re] of cases) {
    try {
      decodeBlobmsg(bytes(h));
      assert.unreachable(what);
    } catch (e) {
      assert.ok(e instanceof BlobError, what);
      assert.match((e as Error).message, re, what);
    }
  }
});

test('nesting deeper than 64 levels is refused instead of recursing on', () => {
  let v: BlobmsgAttr = i32('x', 1);
  for (let d = 0; d < 80; d++) v = tbl('t', [v]);
  assert.throws(() => decodeBlobmsg(encodeBlobmsg([v])), (e: Error) => e instanceof BlobError && /deeper than 64/.test(e.message));
});

test.run();
