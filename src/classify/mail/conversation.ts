/**
 * What every text protocol's dialogue model keeps alike (see session.ts): whether the
 * greeting is over, whether the flow is claimed, and how far the upgrade to TLS got.
 * Each protocol adds the lines it understands.
 */
import type { MetaSection } from '../dissector.js';
import { parseCommand, type Command } from './commands.js';
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

  /**
   * The client's line as a command, counted; null (the line is not this protocol's) before
   * the greeting, since the client waits for it (RFC 5321 §3.1, RFC 959 §5.4), or when it
   * is not a command.
   */
  protected command(line: string): Command | null {
    if (!this.greeted) return null;
    const cmd = parseCommand(line);
    if (cmd === null) return null;
    this.commands++;
    return cmd;
  }

  /**
   * Follow a command of the claimed dialogue: the first that asks for TLS starts the
   * upgrade (true: it is that command); any other that may not come before the upgrade
   * means the session stays in the clear, so there is nothing more to watch.
   */
  protected followCommand(asksTls: boolean, mayPrecedeUpgrade: boolean): boolean {
    if (asksTls && !this.clientUpgrading) {
      this.clientUpgrading = true;
      this.upgradeAt = this.commands;
      return true;
    }
    if (!mayPrecedeUpgrade) this.over = true;
    return false;
  }

  protected claim(): Verdict {
    this.claimed = true;
    return 'mine';
  }
}
