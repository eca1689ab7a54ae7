/**
 * Detection values shared between flows. Once a flow's classification is complete its
 * detection no longer changes, and much of it recurs from flow to flow: host names, TLS
 * versions and cipher codes, ALPN and version lists, JA4 fingerprints, certificate
 * names, user agents. The hostname and each metadata field that is text, or a list of
 * text, are swapped for an equal value an earlier flow kept, and metadata without
 * sections for one shared empty object, so a live flow holds only what is its own (under
 * txiki.js a string costs about 40 bytes beyond its text, an object or list about 0.13
 * KB). A detection equal to an earlier flow's as a whole (same protocol, app and
 * hostname, every section the same JSON, DNS answers and all) is swapped for that one,
 * frozen. Bounded: the values remembered longest go first. Each detection remembered has
 * a number, which names it to the classifier's shared flow states (engine.ts compact) in a
 * few bytes, where its JSON (~360 on average) would be built, hashed and compared once
 * more per flow.
 */
import { BoundedMap } from '../util/bounded-map.js';
import type { Detection, MetaSection, MetaValue } from './dissector.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

const REMEMBERED = 2048;
/** Whole detections (a few hundred bytes each: fewer kept than texts and lists)… */
const REMEMBERED_DETECTIONS = 1024;
/** …and at most this many for one protocol, application and hostname (their sections differ). */
const SAME_KEY_DETECTIONS = 16;

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

/** A remembered detection, its number (SharedValues.keyOf), its key, and the next one remembered under that key. */
class Remembered {
  constructor(
    readonly detection: Detection,
    readonly number: number,
    readonly key: string,
    public next: Remembered | null,
  ) {}
}

export class SharedValues {
  private readonly texts = new BoundedMap<string, string>(REMEMBERED);
  /** Lists of text by their items joined with NUL (which no item holds: names, tokens, versions). */
  private readonly lists = new BoundedMap<string, readonly MetaValue[]>(REMEMBERED);
  /** By protocol, application and hostname: the detections remembered for them, the last one matched first. */
  private readonly detections = new Map<string, Remembered>();
  /** Detections remembered, all keys together. */
  private remembered = 0;
  /** Numbers given so far. */
  private numbered = 0;
  /** The last detection shared, which the classifier keys the flow's state by next (keyOf). */
  private last: Remembered | null = null;

  /**
   * The detection a complete flow keeps: an earlier flow's equal one (frozen), or this one
   * with its text shared, frozen and remembered. Nothing writes to a complete flow's detection.
   */
  share(d: Detection): Detection {
    // Equal detections have equal protocol, application and hostname, and sections equal
    // value for value in the same order (so their JSON is the same text). The lookup key is
    // the three; the sections are compared with those of each detection remembered under
    // them, the last one matched first. Their JSON, kept for the flows' record lines, is
    // made only for a detection not known. Making it for every flow, as part of a key of the
    // whole detection's JSON, took share ~4.2 µs per flow; comparing values, ~2.9 (Node,
    // replay of corpus x40, medians of 4). Under txiki.js, whose JSON writer is native code
    // and whose comparisons here are interpreted, replay of x4 costs 0.9% more instructions.
    var protocol = d.protocol;
    var application = d.application;
    var hostname = d.hostname;
    var key = `${protocol}\0${application}\0${hostname}`;
    var first = this.detections.get(key) ?? null;
    var known = first;
    var before: Remembered | null = null;
    while (known !== null) {
      var k = known.detection;
      if (k.protocol === protocol && k.application === application && k.hostname === hostname && sameJson(k.meta, d.meta)) break;
      before = known;
      known = known.next;
    }
    if (known === null) known = this.remember(key, d, first);
    else if (before !== null) {
      before.next = known.next;
      known.next = first;
      this.detections.set(key, known);
    }
    this.last = known;
    return known.detection;
  }

  /** `d` shared, frozen and remembered first under `key`, ahead of `first`; the oldest go past the bounds. */
  private remember(key: string, d: Detection, first: Remembered | null): Remembered {
    var sections = JSON.stringify(d.meta);
    this.shareValues(d);
    deepFreeze(d);
    SECTIONS_JSON.set(d, sections);
    var known = new Remembered(d, ++this.numbered, key, first);
    this.remembered++;
    var last = known;
    for (var i = 1; i < SAME_KEY_DETECTIONS && last.next !== null; i++) last = last.next;
    for (var gone = last.next; gone !== null; gone = gone.next) this.remembered--;
    last.next = null;
    // The key moves to the back of the map's order: the keys touched longest ago go first.
    this.detections.delete(key);
    this.detections.set(key, known);
    while (this.remembered > REMEMBERED_DETECTIONS) {
      var oldest = this.detections.values().next().value as Remembered;
      this.detections.delete(oldest.key);
      for (var r: Remembered | null = oldest; r !== null; r = r.next) this.remembered--;
    }
    return known;
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

/**
 * Whether two JSON values would be written as the same text: the same own keys in the same
 * order, and equal values. (Unlike JSON, a property whose value is undefined counts, so
 * such values compare unequal: less is shared, nothing worse. Metadata holds none.)
 */
export function sameJson(a: MetaValue | object, b: MetaValue | object): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  var aList = Array.isArray(a);
  if (aList !== Array.isArray(b)) return false;
  if (aList) {
    var x = a as readonly MetaValue[];
    var y = b as readonly MetaValue[];
    if (x.length !== y.length) return false;
    for (var i = 0; i < x.length; i++) if (!sameJson(x[i]!, y[i]!)) return false;
    return true;
  }
  var ao = a as { readonly [k: string]: MetaValue };
  var bo = b as { readonly [k: string]: MetaValue };
  var bKeys = Object.keys(bo);
  var n = 0;
  for (var key in ao) {
    if (bKeys[n++] !== key || !sameJson(ao[key]!, bo[key]!)) return false;
  }
  return n === bKeys.length;
}

/** Freeze a detection and everything in it (JSON values: objects and arrays nest). */
function deepFreeze(v: object): void {
  Object.freeze(v);
  for (const k in v) {
    const inner = (v as { [k: string]: unknown })[k];
    if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner);
  }
}
