/**
 * A sample of the fuzz run (scripts/fuzz.ts runs 100 000 inputs per dissector): every
 * dissector takes truncated, mutated and random payloads derived from the corpus without
 * throwing, and the whole pipeline survives damaged frames.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DISSECTORS_BY_PRECEDENCE as allDissectors } from '../src/classify/precedence.js';
import { replayCapture } from '../src/cli/replay.js';
import { corpusAvailable, corpusCaptures, readCorpus } from './helpers/corpus.js';
import { fuzzDissector, mutate, Rng, seedsFrom } from './helpers/fuzz.js';

const captures = corpusAvailable() ? corpusCaptures().map(readCorpus) : [];
const seeds = seedsFrom(captures, 2);

for (const d of allDissectors) {
  test(`dissector ${d.name} survives 2000 mutated inputs`, () => {
    const r = fuzzDissector(d, seeds, 2000, 7);
    assert.equal(r.crashes, []);
  });
}

test('the pipeline survives captures with damaged frames', () => {
  const rng = new Rng(99);
  for (const bytes of captures.slice(0, 20)) {
    const damaged = mutate(rng, bytes, bytes);
    // Whatever the damage, replay either refuses the file with a message or completes.
    try {
      replayCapture(damaged, { catalogue: null });
    } catch (e) {
      assert.instance(e, Error);
      assert.match((e as Error).message, /pcap|capture|truncated|magic/);
    }
  }
});

test.run();
