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
 * the values remembered longest go first.
 */
import { BoundedMap } from '../util/bounded-map.js';
import type { Detection, MetaSection, MetaValue } from './dissector.js';

const REMEMBERED = 2048;
/** Whole detections, by their JSON (a few hundred bytes each: fewer kept). */
const REMEMBERED_DETECTIONS = 1024;

/** Metadata of the complete flows that have none (frozen: nothing writes to a complete flow's). */
const NO_SECTIONS: { [section: string]: MetaSection } = Object.freeze({});

export class SharedValues {
  private readonly texts = new BoundedMap<string, string>(REMEMBERED);
  /** Lists of text by their items joined with NUL (which no item holds: names, tokens, versions). */
  private readonly lists = new BoundedMap<string, readonly MetaValue[]>(REMEMBERED);
  private readonly detections = new BoundedMap<string, Detection>(REMEMBERED_DETECTIONS);
  /** The last detection shared and its JSON: the classifier keys the flow's state by it next (keyOf). */
  private lastShared: Detection | null = null;
  private lastKey = '';

  /**
   * The detection a complete flow keeps: an earlier flow's equal one (frozen), or this one
   * with its text shared, frozen and remembered. Nothing writes to a complete flow's detection.
   */
  share(d: Detection): Detection {
    const key = JSON.stringify(d);
    this.lastKey = key;
    const known = this.detections.get(key);
    if (known !== undefined) return (this.lastShared = known);
    this.shareValues(d);
    deepFreeze(d);
    this.detections.touch(key, d);
    return (this.lastShared = d);
  }

  /** A detection's JSON; the last one shared is not stringified again (it is frozen, so unchanged). */
  keyOf(d: Detection): string {
    return d === this.lastShared ? this.lastKey : JSON.stringify(d);
  }

  /** Swap the detection's hostname and its sections' text and text-list fields for remembered equal ones. */
  private shareValues(d: Detection): void {
    if (d.hostname !== null) d.hostname = this.text(d.hostname);
    const meta = d.meta;
    let sections = 0;
    for (const name in meta) {
      sections++;
      const section = meta[name]!;
      for (const field in section) {
        const v = section[field]!;
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
