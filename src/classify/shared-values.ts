/**
 * Metadata values shared between flows. Once a flow's classification is complete its
 * metadata no longer changes, and much of it recurs from flow to flow: TLS versions and
 * cipher codes, ALPN and version lists, JA4 fingerprints, certificate names, user agents.
 * Each field that is text, or a list of text, is swapped for an equal value an earlier
 * flow kept, so a live flow holds only what is its own (under txiki.js a string costs
 * about 40 bytes beyond its text, a list about 0.13 KB). Bounded: the values remembered
 * longest go first.
 */
import { BoundedMap } from '../util/bounded-map.js';
import type { MetaSection, MetaValue } from './dissector.js';

const REMEMBERED = 2048;

export class SharedValues {
  private readonly texts = new BoundedMap<string, string>(REMEMBERED);
  /** Lists of text by their items joined with NUL (which no item holds: names, tokens, versions). */
  private readonly lists = new BoundedMap<string, readonly MetaValue[]>(REMEMBERED);

  /** Swap the sections' text and text-list fields for remembered equal ones. */
  share(meta: { [section: string]: MetaSection }): void {
    for (const name in meta) {
      const section = meta[name]!;
      for (const field in section) {
        const v = section[field]!;
        if (typeof v === 'string') section[field] = this.text(v);
        else if (Array.isArray(v)) section[field] = this.list(v as readonly MetaValue[]);
      }
    }
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
