/**
 * flowsieve's verdicts on the shared nDPI corpus against nDPI's truth files: the figures
 * `npm run eval` prints and the floors test/agreement.test.ts holds them to.
 *
 * Rules (see docs/evaluation.md):
 *  - Flows nDPI only guessed (`Match by port`/`Match by IP`) are no ground truth: they are
 *    left out of the protocol and application figures and counted apart.
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

export interface Tally {
  agree: number;
  total: number;
}

export interface Agreement {
  readonly protocol: Tally;
  readonly hostname: Tally;
  readonly application: Tally;
  /** Flows nDPI only guessed, and how many of its guesses we match. */
  readonly guessed: Tally;
  readonly missingFlows: number;
  /** detection_packets of ours and dpi_packets of nDPI, per flow compared. */
  readonly ourPackets: number[];
  readonly ndpiPackets: number[];
  /** Per capture, one line per miss. */
  readonly misses: Map<string, string[]>;
  /** Captures without a truth file beside them (not compared). */
  readonly withoutTruth: string[];
}

const lc = (s: string | null | undefined) => (s ?? '').toLowerCase();

/** nDPI's host name buffer holds 79 characters; we keep whole names (see client-hello.ts). */
const NDPI_HOST_BUFFER = 79;
function sameHostname(ours: string, truth: string): boolean {
  if (ours === truth) return true;
  return ours.length > NDPI_HOST_BUFFER && truth.length === NDPI_HOST_BUFFER && (ours.endsWith(truth) || ours.startsWith(truth));
}

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

/** Replay every capture in `dir` and compare with its truth file. */
export function measureAgreement(dir: string): Agreement {
  const tally = (): Tally => ({ agree: 0, total: 0 });
  const a = {
    protocol: tally(),
    hostname: tally(),
    application: tally(),
    guessed: tally(),
    missingFlows: 0,
    ourPackets: [] as number[],
    ndpiPackets: [] as number[],
    misses: new Map<string, string[]>(),
    withoutTruth: [] as string[],
  };
  for (const file of readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort()) {
    const truthPath = join(dir, `${file}.truth.json`);
    if (!existsSync(truthPath)) {
      a.withoutTruth.push(file);
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
        a.missingFlows++;
        misses.push(`  no flow   ${t.key}`);
        continue;
      }
      const ours = `${r.detected_protocol_name}/${r.detected_application_name ?? '-'}`;
      if (t.guessed) {
        a.guessed.total++;
        if (protocolAgrees(t, r)) a.guessed.agree++;
        continue;
      }
      a.protocol.total++;
      if (protocolAgrees(t, r)) a.protocol.agree++;
      else misses.push(`  protocol  ${t.key}: nDPI ${t.proto.name} (${t.confidence}), ours ${ours}`);
      const app = truthApp(t);
      if (app) {
        a.application.total++;
        if (app === r.detected_application_name) a.application.agree++;
        else misses.push(`  app       ${t.key}: nDPI ${t.proto.name} (= ${app}), ours ${ours}`);
      }
      if (t.hostname) {
        a.hostname.total++;
        if (sameHostname(lc(r.host_server_name), lc(t.hostname))) a.hostname.agree++;
        else misses.push(`  hostname  ${t.key}: nDPI '${t.hostname}', ours '${r.host_server_name ?? ''}'`);
      }
      a.ourPackets.push(r.detection_packets);
      a.ndpiPackets.push(t.dpi_packets);
    }
    if (misses.length) a.misses.set(file, misses);
  }
  return a;
}

/** Share of agreeing flows, 0–1 (1 when there is nothing to compare). */
export function share(t: Tally): number {
  return t.total ? t.agree / t.total : 1;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}
