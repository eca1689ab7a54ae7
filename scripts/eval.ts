/**
 * `npm run eval`: replays every capture of the shared nDPI corpus and compares flowsieve's
 * verdicts with nDPI's truth files (scripts/agreement.ts has the rules). Prints protocol,
 * hostname and application agreement, detection_packets against nDPI's dpi_packets, and
 * every miss per capture.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { measureAgreement, quantile, type Tally } from './agreement.js';

const dir = process.env.FLOWSIEVE_CORPUS ?? join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'ndpi');
if (!existsSync(dir)) {
  console.error(`eval: corpus not found at ${dir} (set FLOWSIEVE_CORPUS)`);
  process.exit(2);
}
const verbose = !process.argv.includes('--quiet');

const a = measureAgreement(dir);
for (const file of a.withoutTruth) console.error(`eval: ${file}: no ${file}.truth.json beside it, skipped`);
if (verbose) for (const [file, misses] of a.misses) console.log(`${file}: ${misses.length} miss(es)\n${misses.join('\n')}`);

const pct = (t: Tally) => (t.total ? ((100 * t.agree) / t.total).toFixed(1) : '-');
const { protocol, hostname, application, guessed, ourPackets, ndpiPackets } = a;
console.log('');
console.log(`protocol agreement     ${pct(protocol)}%  (${protocol.agree}/${protocol.total} flows nDPI classified by DPI)`);
console.log(`hostname agreement     ${pct(hostname)}%  (${hostname.agree}/${hostname.total} flows with a truth hostname)`);
console.log(`application agreement  ${pct(application)}%  (${application.agree}/${application.total} flows whose truth names an app)`);
console.log(`nDPI-guessed flows     ${guessed.agree}/${guessed.total} agree with nDPI's port/IP guess (not counted above)`);
console.log(`missing flows          ${a.missingFlows}`);
console.log(
  `detection packets      median ${quantile(ourPackets, 0.5)} (nDPI ${quantile(ndpiPackets, 0.5)}), ` +
    `p95 ${quantile(ourPackets, 0.95)} (nDPI ${quantile(ndpiPackets, 0.95)})`,
);
