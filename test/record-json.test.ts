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
        data: { ...flow.data, detection: d } as FlowClassification,
      });
      const replay = new CaptureReplay({ catalogue: defaultCatalogue });
      assert.is(replay.pipeline.recordJson(odd), JSON.stringify(replay.pipeline.record(odd)), JSON.stringify(meta));
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
