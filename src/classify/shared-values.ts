/**
 * Detection values shared between flows. Once a flow's classification is complete its
 * detection no longer changes, and much of it recurs from flow to flow: host names, TLS
 * versions and cipher codes, ALPN and version lists, JA4 fingerprints, certificate
 * names, user agents. The hostname and each metadata field that is text, or a list of
 * text, are swapped for an equal value an earlier flow kept, and metadata without
 * sections for one shared empty object, so a live flow holds only what is its own (under
 * txiki.js a string costs about 40 bytes beyond its text, an object or list about 0.13
 * KB). A detection equal to an earlier flow's as a whole (same JSON: protocol, app,
 * hostname, every section, DNS answers and all) is swapped for that one, frozen. Bounded:
 * the values remembered longest go first. Each detection remembered has a number, which
 * names it to the classifier's shared flow states (engine.ts compact) in a few bytes, where
 * its JSON (~360 on average) would be built, hashed and compared once more per flow.
 */
import { BoundedMap } from '../util/bounded-map.js';
import type { Detection, MetaSection, MetaValue } from './dissector.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

const REMEMBERED = 2048;
/** Whole detections, by their JSON (a few hundred bytes each: fewer kept). */
const REMEMBERED_DETECTIONS = 1024;

/** Metadata of the complete flows that have none (frozen: nothing writes to a complete flow's). */
const NO_SECTIONS: { [section: string]: MetaSection } = Object.freeze({});

/**
 * The JSON text of each shared detection's sections (`JSON.stringify(d.meta)`), made once
 * when it is shared: the record line of every flow that keeps it reuses it (record/build.ts
 * flowRecordJson). Keyed weakly: it goes with the detection.
 */
const SECTIONS_JSON = new WeakMap<Detection, string>();

/** The JSON text of a shared (frozen) detection's sections; undefined for one never shared. */
export function sectionsJsonOf(d: Detection): string | undefined {
  return SECTIONS_JSON.get(d);
}

/** A remembered detection and its number (SharedValues.keyOf). */
class Remembered {
  constructor(
    readonly detection: Detection,
    readonly number: number,
  ) {}
}

export class SharedValues {
  private readonly texts = new BoundedMap<string, string>(REMEMBERED);
  /** Lists of text by their items joined with NUL (which no item holds: names, tokens, versions). */
  private readonly lists = new BoundedMap<string, readonly MetaValue[]>(REMEMBERED);
  private readonly detections = new BoundedMap<string, Remembered>(REMEMBERED_DETECTIONS);
  /** Numbers given so far. */
  private numbered = 0;
  /** The last detection shared, which the classifier keys the flow's state by next (keyOf). */
  private last: Remembered | null = null;

  /**
   * The detection a complete flow keeps: an earlier flow's equal one (frozen), or this one
   * with its text shared, frozen and remembered. Nothing writes to a complete flow's detection.
   */
  share(d: Detection): Detection {
    // The whole detection as text, in two parts: every JSON value delimits itself, so equal
    // keys are equal detections; the sections' part is kept for the flows' record lines.
    var sections = JSON.stringify(d.meta);
    var key = JSON.stringify([d.protocol, d.application, d.hostname]) + sections;
    var known = this.detections.get(key);
    if (known === undefined) {
      this.shareValues(d);
      deepFreeze(d);
      SECTIONS_JSON.set(d, sections);
      known = new Remembered(d, ++this.numbered);
      this.detections.touch(key, known);
    }
    this.last = known;
    return known.detection;
  }

  /**
   * Text that differs between detections that differ: the last one shared goes by its
   * number (`#12`), any other by its JSON (which starts with `{`). Equal detections may
   * get different keys (one shared before, one after the first was forgotten): their
   * flows then share less, nothing worse.
   */
  keyOf(d: Detection): string {
    const last = this.last;
    return last !== null && d === last.detection ? `#${last.number}` : JSON.stringify(d);
  }

  /** Swap the detection's hostname and its sections' text and text-list fields for remembered equal ones. */
  private shareValues(d: Detection): void {
    if (d.hostname !== null) d.hostname = this.text(d.hostname);
    var meta = d.meta;
    var sections = 0;
    for (var name in meta) {
      sections++;
      var section = meta[name]!;
      for (var field in section) {
        var v = section[field]!;
        if (typeof v === 'string') section[field] = this.text(v);
        else if (Array.isArray(v)) section[field] = this.list(v as readonly MetaValue[]);
      }
    }
    if (sections === 0) d.meta = NO_SECTIONS;
  }

  private text(v: string): string {
    const known = this.texts.get(v);
    if (known !== undefined) return known;
    this.texts.touch(v, v);
    return v;
  }

  private list(v: readonly MetaValue[]): readonly MetaValue[] {
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string' || (v[i] as string).includes('\0')) return v;
    const key = v.join('\0');
    const known = this.lists.get(key);
    if (known !== undefined) return known;
    this.lists.touch(key, v);
    return v;
  }
}

/** Freeze a detection and everything in it (JSON values: objects and arrays nest). */
function deepFreeze(v: object): void {
  Object.freeze(v);
  for (const k in v) {
    const inner = (v as { [k: string]: unknown })[k];
    if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner);
  }
}
