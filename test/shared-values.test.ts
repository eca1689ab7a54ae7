import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyDetection, type Detection, type MetaSection } from '../src/classify/dissector.js';
import { SharedValues } from '../src/classify/shared-values.js';

/** Text built at run time, as a dissector builds it (a literal would be one object already). */
const built = (...parts: string[]) => parts.join('');

function detection(meta: { [s: string]: MetaSection }, hostname: string | null = null): Detection {
  return { ...emptyDetection(), hostname, meta };
}

test("a later flow's equal text and text lists become the earlier flow's values", () => {
  const shared = new SharedValues();
  const first = detection({ ssl: { version: built('0x', '0303'), alpn: [built('h', '2'), 'http/1.1'], port: 443 } }, built('a.', 'example'));
  const later = detection({ ssl: { version: built('0x0', '303'), alpn: [built('h2'), 'http/1.1'], port: 443 } }, built('a.exa', 'mple'));
  shared.share(first);
  shared.share(later);
  assert.ok(later.meta['ssl']!['alpn'] === first.meta['ssl']!['alpn'], 'one list object for both flows');
  assert.equal(later, detection({ ssl: { version: '0x0303', alpn: ['h2', 'http/1.1'], port: 443 } }, 'a.example'), 'values unchanged');
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

test('flows without metadata sections share one empty, frozen object', () => {
  const shared = new SharedValues();
  const a = detection({});
  const b = detection({});
  shared.share(a);
  shared.share(b);
  assert.ok(a.meta === b.meta);
  assert.ok(Object.isFrozen(a.meta));
});

test.run();
