/** A record's JSON line: the same text as JSON.stringify of the record, made with less work. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyDetection, type Detection } from '../src/classify/dissector.js';
import type { FlowClassification } from '../src/classify/engine.js';
import { SharedValues, sectionsJsonOf } from '../src/classify/shared-values.js';
import { CaptureReplay } from '../src/cli/replay.js';
import type { TrackedFlow } from '../src/pipeline/pipeline.js';
import { defaultCatalogue } from '../src/catalogue/catalogue.js';
import { corpusAvailable, readCorpus } from './helpers/corpus.js';

/** Every flow of the captures as it ends, with its pipeline (to build its record both ways). */
function endedFlows(names: string[]): { flow: TrackedFlow; json: string; stringified: string }[] {
  const out: { flow: TrackedFlow; json: string; stringified: string }[] = [];
  for (const name of names) {
    const replay: CaptureReplay = new CaptureReplay({
      catalogue: defaultCatalogue,
      events: {
        ended: (flow) => out.push({ flow, json: replay.pipeline.recordJson(flow), stringified: JSON.stringify(replay.pipeline.record(flow)) }),
      },
    });
    replay.push(readCorpus(name));
    replay.end();
  }
  return out;
}

if (corpusAvailable()) {
  test('corpus: every flow’s JSON line is JSON.stringify of its record, shared sections or not', () => {
    const flows = endedFlows(['google_ssl.pcap', 'quic-v2.pcapng', 'dns.pcap', 'http.pcapng', 'bittorrent.pcap', 'netflix.pcap', 'rtp.pcapng']);
    let spliced = 0;
    let sectioned = 0;
    for (const { flow, json, stringified } of flows) {
      assert.is(json, stringified, `${flow.key}`);
      if (sectionsJsonOf(flow.data.detection) !== undefined) spliced++;
      if (Object.keys(flow.data.detection.meta).length > 0) sectioned++;
    }
    assert.ok(spliced > 50 && spliced < flows.length, `${spliced} of ${flows.length} lines reused their shared sections' text`);
    assert.ok(sectioned > 20, `${sectioned} flows had sections`);
  });

  test('a section named like a core field or an array index: the line still equals the record’s JSON', () => {
    const { flow } = endedFlows(['google_ssl.pcap']).find((f) => Object.keys(f.flow.data.detection.meta).length > 0)!;
    const shared = new SharedValues();
    const metas: Detection['meta'][] = [{ ssl: { v: 1 }, local_ip: { v: 2 } }, { '7': { v: 3 }, ssl: { v: 4 } }, {}];
    for (const meta of metas) {
      const d: Detection = shared.share({ ...emptyDetection(), protocol: 'TLS', meta });
      assert.is(sectionsJsonOf(d), JSON.stringify(meta));
      const odd = Object.assign(Object.create(Object.getPrototypeOf(flow) as object) as TrackedFlow, flow, {
        data: Object.assign(Object.create(Object.getPrototypeOf(flow.data) as object) as FlowClassification, flow.data, { detection: d }),
      });
      const replay = new CaptureReplay({ catalogue: defaultCatalogue });
      assert.is(replay.pipeline.recordJson(odd), JSON.stringify(replay.pipeline.record(odd)), JSON.stringify(meta));
    }
  });

  test('roles, epoch offset and kernel metadata: the line is still JSON.stringify of the record', () => {
    // Records as the daemon makes them: LAN roles (the responder is local on some flows),
    // monotonic times offset to the epoch, interface, NAT and mark from the kernel.
    const lines: { json: string; stringified: string }[] = [];
    let n = 0;
    let swapped = 0;
    // Roles the other way round from the captures (their private side initiates), so most
    // records put the responder first.
    const isLocal = (ip: string) => !/^(192\.168|10|172)\./.test(ip);
    for (const name of ['google_ssl.pcap', 'dns.pcap', 'http.pcapng', 'bittorrent.pcap', 'quic-v2.pcapng']) {
      const replay: CaptureReplay = new CaptureReplay({
        catalogue: defaultCatalogue,
        record: { interfaceName: 'br-lan', isLocal, epochOffset: () => 1_765_000_000_000.75 },
        events: {
          ended: (flow) => {
            if (n++ % 2 === 0) flow.meta = { inInterface: n % 4 === 1 ? 'wan"\\\u00e9' : null, outInterface: null, mark: 0x1234, ctId: 7, ctState: 2, nat: true };
            if (!isLocal(flow.initiatorIp) && isLocal(flow.responderIp)) swapped++;
            lines.push({ json: replay.pipeline.recordJson(flow), stringified: JSON.stringify(replay.pipeline.record(flow)) });
          },
        },
      });
      replay.push(readCorpus(name));
      replay.end();
    }
    for (const { json, stringified } of lines) assert.is(json, stringified);
    assert.ok(lines.length > 20 && swapped > 10, `${lines.length} flows, ${swapped} with the responder local`);
  });

  test('text from the wire is escaped as JSON.stringify escapes it; no MAC is null', () => {
    const { flow } = endedFlows(['google_ssl.pcap']).find((f) => Object.keys(f.flow.data.detection.meta).length > 0)!;
    const shared = new SharedValues();
    const replay = new CaptureReplay({ catalogue: defaultCatalogue });
    for (const hostname of ['a"b\\c', 'tab\there\nnewline\u0001', 'b\u00fccher.example', 'line\u2028sep\ud800lone', '', null]) {
      const d = shared.share({ ...emptyDetection(), protocol: 'TLS', hostname, meta: { ssl: { client_sni: hostname ?? '' } } });
      const odd = Object.assign(Object.create(Object.getPrototypeOf(flow) as object) as TrackedFlow, flow, {
        data: Object.assign(Object.create(Object.getPrototypeOf(flow.data) as object) as FlowClassification, flow.data, { detection: d, dnsHostName: hostname, application: null }),
        macs: { initiator: null, responder: null },
      });
      const json = replay.pipeline.recordJson(odd);
      assert.is(json, JSON.stringify(replay.pipeline.record(odd)), JSON.stringify(hostname));
      assert.equal((JSON.parse(json) as { host_server_name: unknown }).host_server_name, hostname);
    }
  });
}

test('detections that differ only in protocol, application or a null hostname are not shared as one', () => {
  const shared = new SharedValues();
  const base = { ...emptyDetection(), protocol: 'TLS', meta: { ssl: { version: '0x0303' } } } as Detection;
  const a = shared.share({ ...base, meta: { ssl: { version: '0x0303' } } });
  const variants: Detection[] = [
    { ...base, meta: { ssl: { version: '0x0303' } }, protocol: 'QUIC' },
    { ...base, meta: { ssl: { version: '0x0303' } }, application: 'youtube' as Detection['application'] },
    { ...base, meta: { ssl: { version: '0x0303' } }, hostname: 'null' },
  ];
  for (const v of variants) assert.ok(shared.share(v) !== a, JSON.stringify(v));
  assert.ok(shared.share({ ...base, meta: { ssl: { version: '0x0303' } } }) === a, 'an equal one is');
});

test.run();
