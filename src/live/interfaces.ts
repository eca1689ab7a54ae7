/**
 * Interface names by ifindex, read from /sys/class/net (the daemon's network namespace).
 * An index not seen before triggers one re-read, at most every few seconds, so a new
 * interface gets its name without a lookup per packet.
 */
import type { Runtime } from '../runtime/types.js';

const REREAD_MS = 5000;

export class InterfaceNames {
  private byIndex = new Map<number, string>();
  private lastRead = -Infinity;
  private reading = false;

  constructor(private readonly rt: Pick<Runtime, 'readDir' | 'readTextFile' | 'monotonic'>) {}

  async refresh(): Promise<void> {
    this.reading = true;
    this.lastRead = this.rt.monotonic();
    const next = new Map<number, string>();
    try {
      for (const e of await this.rt.readDir('/sys/class/net')) {
        try {
          const index = Number((await this.rt.readTextFile(`/sys/class/net/${e.name}/ifindex`)).trim());
          if (Number.isInteger(index)) next.set(index, e.name);
        } catch {
          // gone while we looked
        }
      }
      this.byIndex = next;
    } catch {
      // no sysfs: names stay unknown (records carry null)
    } finally {
      this.reading = false;
    }
  }

  /** The name of `index`, null for 0 (none) or an index not known (yet). */
  readonly name = (index: number): string | null => {
    if (index === 0) return null;
    const n = this.byIndex.get(index);
    if (n !== undefined) return n;
    if (!this.reading && this.rt.monotonic() - this.lastRead > REREAD_MS) void this.refresh();
    return null;
  };
}
