/**
 * Floors for the classifier's agreement with nDPI on the shared corpus, a little under the
 * figures `npm run eval` printed when they were set (protocol 100.0% of 730 flows,
 * hostname 100.0% of 495, application 95.1% of 556, no missing flow, detection packets
 * median 1 and p95 4): a regression fails here instead of only showing in a report.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { measureAgreement, quantile, share } from '../scripts/agreement.js';
import { CORPUS_DIR, corpusAvailable } from './helpers/corpus.js';

if (!corpusAvailable()) {
  console.log('corpus not found (set FLOWSIEVE_CORPUS): agreement floors not checked');
} else {
  const a = measureAgreement(CORPUS_DIR);
  const misses = [...a.misses].map(([file, m]) => `${file}:\n${m.join('\n')}`).join('\n');

  test('protocol: at least 99.5% of the flows nDPI classified by DPI', () => {
    assert.ok(a.protocol.total >= 700, `only ${a.protocol.total} flows compared`);
    assert.ok(share(a.protocol) >= 0.995, `${a.protocol.agree}/${a.protocol.total}\n${misses}`);
  });

  test('hostname: at least 99.5% of the flows with a truth hostname', () => {
    assert.ok(a.hostname.total >= 450, `only ${a.hostname.total} flows compared`);
    assert.ok(share(a.hostname) >= 0.995, `${a.hostname.agree}/${a.hostname.total}\n${misses}`);
  });

  test('application: at least 94.5% of the flows whose truth names an app', () => {
    assert.ok(a.application.total >= 500, `only ${a.application.total} flows compared`);
    assert.ok(share(a.application) >= 0.945, `${a.application.agree}/${a.application.total}\n${misses}`);
  });

  test('every flow of the truth is found, and decided in few packets (median ≤ 2, p95 ≤ 6)', () => {
    assert.is(a.missingFlows, 0);
    assert.ok(quantile(a.ourPackets, 0.5) <= 2, `median ${quantile(a.ourPackets, 0.5)}`);
    assert.ok(quantile(a.ourPackets, 0.95) <= 6, `p95 ${quantile(a.ourPackets, 0.95)}`);
  });
}

test.run();
