/**
 * `npm run eval`: replays every capture of the shared nDPI corpus and compares flowsieve's
 * verdicts with nDPI's truth files. Prints protocol, hostname and application agreement,
 * detection_packets against nDPI's dpi_packets, and every miss per capture.
 *
 * Rules (see docs/evaluation.md):
 *  - Flows nDPI only guessed (`Match by port`/`Match by IP`) are no ground truth: they are
 *    left out of the protocol and application figures and listed apart.
 *  - Protocol agrees when ours equals nDPI's master protocol or its single protocol; for a
 *    two-part verdict (`NetBIOS.SMBv1`) the more specific app-level protocol also agrees.
 *    A single-protocol verdict that is an application (`WhatsApp`, `Zoom`) agrees when our
 *    application is that application.
 *  - Application agreement counts flows whose truth names an application our catalogue
 *    knows by its nDPI name.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { replayCapture } from '../src/cli/replay.js';
import { defaultCatalogue } from '../src/catalogue/catalogue.js';
import { appIdForNdpiName as appForNdpiName } from '../src/catalogue/ndpi-names.js';
import { flowKeyOf } from '../src/flow/key.js';
import type { FlowRecord } from '../src/record/flow-record.js';

interface TruthFlow {
  key: string;
  proto: { name: string; master: string | null; app: string | null };
  hostname: string | null;
  confidence: string;
  guessed: boolean;
  dpi_packets: number;
}

const dir = process.env.FLOWSIEVE_CORPUS ?? join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'ndpi');
if (!existsSync(dir)) {
  console.error(`eval: corpus not found at ${dir} (set FLOWSIEVE_CORPUS)`);
  process.exit(2);
}
const verbose = !process.argv.includes('--quiet');

const lc = (s: string | null | undefined) => (s ?? '').toLowerCase();

/** nDPI's host name buffer holds 79 characters; we keep whole names (see client-hello.ts). */
const NDPI_HOST_BUFFER = 79;
function sameHostname(ours: string, truth: string): boolean {
  if (ours === truth) return true;
  return ours.length > NDPI_HOST_BUFFER && truth.length === NDPI_HOST_BUFFER && (ours.endsWith(truth) || ours.startsWith(truth));
}

interface Tally {
  agree: number;
  total: number;
}
const tally = (): Tally => ({ agree: 0, total: 0 });
const protocol = tally();
const hostname = tally();
const application = tally();
const guessedAgree = tally();
const ourPackets: number[] = [];
const ndpiPackets: number[] = [];
let missingFlows = 0;

function protocolAgrees(t: TruthFlow, r: FlowRecord): boolean {
  const ours = lc(r.detected_protocol_name);
  if (t.proto.master) return ours === lc(t.proto.master) || ours === lc(t.proto.app);
  const single = t.proto.app ?? t.proto.name;
  if (ours === lc(single)) return true;
  const app = appForNdpiName(single);
  return app !== null && app === r.detected_application_name;
}

/** The app a truth verdict names, as our catalogue id; null when it names none we know. */
function truthApp(t: TruthFlow): string | null {
  const name = t.proto.master ? t.proto.app : (t.proto.app ?? t.proto.name);
  return name ? appForNdpiName(name) : null;
}

for (const file of readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort()) {
  const truthPath = join(dir, `${file}.truth.json`);
  if (!existsSync(truthPath)) {
    console.error(`eval: ${file}: no ${file}.truth.json beside it, skipped`);
    continue;
  }
  const truth = (JSON.parse(readFileSync(truthPath, 'utf8')) as { flows: TruthFlow[] }).flows;
  const { records } = replayCapture(new Uint8Array(readFileSync(join(dir, file))), { catalogue: defaultCatalogue });
  const byKey = new Map<string, FlowRecord>();
  for (const r of records) {
    const k = flowKeyOf(r.ip_protocol, r.vlan_id, r.local_ip, r.local_port, r.other_ip, r.other_port);
    if (!byKey.has(k)) byKey.set(k, r); // the first record of a key carries the classification
  }
  const misses: string[] = [];
  for (const t of truth) {
    const r = byKey.get(t.key);
    if (!r) {
      missingFlows++;
      misses.push(`  no flow   ${t.key}`);
      continue;
    }
    const ours = `${r.detected_protocol_name}/${r.detected_application_name ?? '-'}`;
    if (t.guessed) {
      guessedAgree.total++;
      if (protocolAgrees(t, r)) guessedAgree.agree++;
      continue;
    }
    protocol.total++;
    if (protocolAgrees(t, r)) protocol.agree++;
    else misses.push(`  protocol  ${t.key}: nDPI ${t.proto.name} (${t.confidence}), ours ${ours}`);
    const app = truthApp(t);
    if (app) {
      application.total++;
      if (app === r.detected_application_name) application.agree++;
      else misses.push(`  app       ${t.key}: nDPI ${t.proto.name} (= ${app}), ours ${ours}`);
    }
    if (t.hostname) {
      hostname.total++;
      if (sameHostname(lc(r.host_server_name), lc(t.hostname))) hostname.agree++;
      else misses.push(`  hostname  ${t.key}: nDPI '${t.hostname}', ours '${r.host_server_name ?? ''}'`);
    }
    ourPackets.push(r.detection_packets);
    ndpiPackets.push(t.dpi_packets);
  }
  if (verbose && misses.length) console.log(`${file}: ${misses.length} miss(es)\n${misses.join('\n')}`);
}

const pct = (t: Tally) => (t.total ? ((100 * t.agree) / t.total).toFixed(1) : '-');
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}
console.log('');
console.log(`protocol agreement     ${pct(protocol)}%  (${protocol.agree}/${protocol.total} flows nDPI classified by DPI)`);
console.log(`hostname agreement     ${pct(hostname)}%  (${hostname.agree}/${hostname.total} flows with a truth hostname)`);
console.log(`application agreement  ${pct(application)}%  (${application.agree}/${application.total} flows whose truth names an app)`);
console.log(`nDPI-guessed flows     ${guessedAgree.agree}/${guessedAgree.total} agree with nDPI's port/IP guess (not counted above)`);
console.log(`missing flows          ${missingFlows}`);
console.log(
  `detection packets      median ${quantile(ourPackets, 0.5)} (nDPI ${quantile(ndpiPackets, 0.5)}), ` +
    `p95 ${quantile(ourPackets, 0.95)} (nDPI ${quantile(ndpiPackets, 0.95)})`,
);
