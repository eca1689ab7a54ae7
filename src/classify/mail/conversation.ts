/**
 * What every text protocol's dialogue model keeps alike (see session.ts): whether the
 * greeting is over, whether the flow is claimed, and how far the upgrade to TLS got.
 * Each protocol adds the lines it understands.
 */
import type { MetaSection } from '../dissector.js';
import type { Conversation, Verdict } from './session.js';

export abstract class BaseConversation implements Conversation {
  protected greeted = false;
  protected claimed = false;
  hostname: string | null = null;
  clientUpgrading = false;
  upgraded = false;
  over = false;

  abstract server(line: string): Verdict;
  abstract client(line: string): Verdict;

  /** No meta section of its own unless the protocol says otherwise. */
  meta(): MetaSection | null {
    return null;
  }

  /** Commands since the greeting, and final replies to them (one each, in order: RFC 5321 §4.2, RFC 959 §4.2). */
  protected commands = 0;
  protected answered = 0;
  /** Position of the upgrade command among the commands, once sent (0: not yet). */
  protected upgradeAt = 0;

  /** A final reply arrived; when it answers the upgrade command, `accepts` decides it. */
  protected replied(accepts: boolean): void {
    this.answered++;
    if (this.upgradeAt === 0 || this.answered !== this.upgradeAt) return;
    if (accepts) this.upgraded = true;
    else this.over = true;
  }

  protected claim(): Verdict {
    this.claimed = true;
    return 'mine';
  }
}
