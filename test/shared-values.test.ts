import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyDetection, type Detection, type MetaSection } from '../src/classify/dissector.js';
import { sameJson, SharedValues } from '../src/classify/shared-values.js';

/** Text built at run time, as a dissector builds it (a literal would be one object already). */
const built = (...parts: string[]) => parts.join('');

function detection(meta: { [s: string]: MetaSection }, hostname: string | null = null): Detection {
  return { ...emptyDetection(), hostname, meta };
}

test("a later flow's equal text and text lists become the earlier flow's values", () => {
  const shared = new SharedValues();
  const first = detection({ ssl: { version: built('0x', '0303'), alpn: [built('h', '2'), 'http/1.1'], port: 443 } }, built('a.', 'example'));
  const later = detection({ ssl: { version: built('0x0', '303'), alpn: [built('h2'), 'http/1.1'], port: 8443 } }, built('a.exa', 'mple'));
  shared.share(first);
  assert.ok(shared.share(later) === later, 'not equal as a whole: the flow keeps its own');
  assert.ok(later.meta['ssl']!['alpn'] === first.meta['ssl']!['alpn'], 'one list object for both flows');
  assert.equal(later, detection({ ssl: { version: '0x0303', alpn: ['h2', 'http/1.1'], port: 8443 } }, 'a.example'), 'values unchanged');
});

test('lists holding anything but text, and nested objects, are left as they are', () => {
  const shared = new SharedValues();
  const answers = [{ name: 'a.example', type: 'A' }];
  const a = detection({ dns: { answers, codes: [1, 2] } });
  const b = detection({ dns: { answers: [{ name: 'a.example', type: 'A' }], codes: [1, 2] } });
  shared.share(a);
  shared.share(b);
  assert.ok(b.meta['dns']!['answers'] !== answers);
  assert.ok(b.meta['dns']!['codes'] !== a.meta['dns']!['codes']);
  assert.equal(b, a);
});

test('a detection equal to an earlier one as a whole is swapped for it, frozen through and through', () => {
  const shared = new SharedValues();
  const a = detection({ dns: { answers: [{ name: built('a.', 'example'), type: 'A' }] } }, 'a.example');
  const b = detection({ dns: { answers: [{ name: 'a.example', type: 'A' }] } }, built('a.exam', 'ple'));
  assert.ok(shared.share(a) === a);
  assert.ok(shared.share(b) === a, "the later flow keeps the earlier flow's detection");
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.meta['dns']) && Object.isFrozen((a.meta['dns']!['answers'] as object[])[0]));
  const c = detection({ dns: { answers: [{ name: 'a.example', type: 'AAAA' }] } }, 'a.example');
  assert.ok(shared.share(c) === c, 'one value differs: its own');
});

test('flows without metadata sections share one empty, frozen object', () => {
  const shared = new SharedValues();
  const a = detection({}, 'a.example');
  const b = detection({}, 'b.example');
  shared.share(a);
  shared.share(b);
  assert.ok(a.meta === b.meta);
  assert.ok(Object.isFrozen(a.meta));
});

test('detections alike but for their sections are each remembered, and each found again', () => {
  const shared = new SharedValues();
  const made = Array.from({ length: 16 }, (_, i) => detection({ openvpn: { opcode: i } }));
  for (const d of made) assert.ok(shared.share(d) === d);
  // Found in any order, the last one matched first.
  for (const i of [0, 15, 7, 7, 3]) assert.ok(shared.share(detection({ openvpn: { opcode: i } })) === made[i], `opcode ${i}`);
  // A seventeenth lets the one matched longest ago go.
  const extra = detection({ openvpn: { opcode: 16 } });
  assert.ok(shared.share(extra) === extra);
  assert.ok(shared.share(detection({ openvpn: { opcode: 3 } })) === made[3]);
  const again = detection({ openvpn: { opcode: 1 } });
  assert.ok(shared.share(again) === again, 'forgotten: the flow keeps its own');
});

test('equal sections in another order, or with another value type, are not the same detection', () => {
  const shared = new SharedValues();
  const a = detection({ ssl: { version: '0x0303', port: 443 } });
  shared.share(a);
  const reordered = detection({ ssl: { port: 443, version: '0x0303' } });
  assert.ok(shared.share(reordered) === reordered, 'its JSON differs: its own');
  const text = detection({ ssl: { version: '0x0303', port: '443' } });
  assert.ok(shared.share(text) === text);
});

test('at most 1024 detections are remembered: the key touched longest ago goes first', () => {
  const shared = new SharedValues();
  const made = Array.from({ length: 1025 }, (_, i) => detection({ http: { code: 200 } }, `h${i}.example`));
  for (const d of made) shared.share(d);
  const first = detection({ http: { code: 200 } }, 'h0.example');
  assert.ok(shared.share(first) === first, 'the first forgotten');
  assert.ok(shared.share(detection({ http: { code: 200 } }, 'h2.example')) === made[2]);
});

test('sameJson holds where JSON.stringify gives the same text', () => {
  const cases: [unknown, unknown, boolean][] = [
    [{ a: 1, b: [1, 'x', null, true] }, { a: 1, b: [1, 'x', null, true] }, true],
    [{ a: { b: { c: [] } } }, { a: { b: { c: [] } } }, true],
    [{}, {}, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: [1, 2] }, { a: [1, 2, 3] }, false],
    [{ a: [1] }, { a: { 0: 1 } }, false],
    [{ a: null }, { a: {} }, false],
    [{ a: '1' }, { a: 1 }, false],
    [{ a: false }, { a: 0 }, false],
  ];
  for (const [a, b, same] of cases) {
    assert.is(sameJson(a as object, b as object), same, `${JSON.stringify(a)} ~ ${JSON.stringify(b)}`);
    if (same) assert.is(JSON.stringify(a), JSON.stringify(b));
  }
});

test.run();
