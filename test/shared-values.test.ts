import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetaSection } from '../src/classify/dissector.js';
import { SharedValues } from '../src/classify/shared-values.js';

/** Text built at run time, as a dissector builds it (a literal would be one object already). */
const built = (...parts: string[]) => parts.join('');

test("a later flow's equal text and text lists become the earlier flow's values", () => {
  const shared = new SharedValues();
  const first: { [s: string]: MetaSection } = { ssl: { version: built('0x', '0303'), alpn: [built('h', '2'), 'http/1.1'], port: 443 } };
  const later: { [s: string]: MetaSection } = { ssl: { version: built('0x0', '303'), alpn: [built('h2'), 'http/1.1'], port: 443 } };
  shared.share(first);
  shared.share(later);
  assert.ok(later['ssl']!['alpn'] === first['ssl']!['alpn'], 'one list object for both flows');
  assert.equal(later, { ssl: { version: '0x0303', alpn: ['h2', 'http/1.1'], port: 443 } }, 'values unchanged');
});

test('lists holding anything but text, and nested objects, are left as they are', () => {
  const shared = new SharedValues();
  const answers = [{ name: 'a.example', type: 'A' }];
  const a: { [s: string]: MetaSection } = { dns: { answers, codes: [1, 2] } };
  const b: { [s: string]: MetaSection } = { dns: { answers: [{ name: 'a.example', type: 'A' }], codes: [1, 2] } };
  shared.share(a);
  shared.share(b);
  assert.ok(b['dns']!['answers'] !== answers);
  assert.ok(b['dns']!['codes'] !== a['dns']!['codes']);
  assert.equal(b, a);
});

test.run();
