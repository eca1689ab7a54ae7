/**
 * Failures of one target, counted by reason and reported once per reason: a missing set
 * or a full table fails every packet the same way, and the log must not repeat it per
 * packet. The daemon keeps running; `status` shows the counts.
 */
import type { TargetDeps } from './types.js';

export class TargetErrors {
  private readonly counts = new Map<string, number>();
  failed = 0;

  constructor(
    private readonly where: string,
    private readonly log: TargetDeps['log'],
  ) {}

  /** Count `n` failures for `reason`; the first one of each reason is logged. */
  add(reason: string, n = 1): void {
    if (n <= 0) return;
    const seen = this.counts.get(reason);
    this.counts.set(reason, (seen ?? 0) + n);
    this.failed += n;
    if (seen === undefined) this.log('error', `${this.where}: ${reason} (reported once; further failures are counted)`);
  }

  byReason(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** Kernel errno values the targets meet, named for the log. */
const ERRNO: { readonly [n: number]: string } = {
  1: 'operation not permitted (run as root)',
  2: 'no such table, set or connection',
  7: 'argument list too long',
  12: 'out of memory',
  13: 'permission denied',
  16: 'busy',
  17: 'exists with other settings',
  22: 'invalid argument (wrong key type or length?)',
  23: 'set is full (max_elements reached)',
  28: 'no space (no conntrack label space: no loaded rule uses ct label)',
  34: 'value out of range',
  71: 'protocol error',
  90: 'message too long',
  93: 'protocol not supported (kernel module missing?)',
  95: 'operation not supported',
  105: 'no buffer space',
  110: 'timed out waiting for the kernel',
};

/** ipset's own error numbers (linux/netfilter/ipset/ip_set.h, IPSET_ERR_*). */
const IPSET_ERR: { readonly [n: number]: string } = {
  4097: 'ipset protocol mismatch',
  4098: 'ipset type not supported by the kernel',
  4099: 'too many ipsets',
  4100: 'ipset busy',
  4102: 'ipset exists with another type',
  4103: 'element exists',
  4106: 'invalid family for this ipset',
  4107: 'ipset was created without timeout support',
  4114: 'ipset was created without skbinfo support',
  4352: 'ipset is full (maxelem reached)',
  4353: 'wrong element for this ipset type',
  4354: 'protocol not valid for this ipset type',
  4355: 'protocol missing for this ipset type',
};

/** A kernel error number as a reason: `ENOENT (no such …)`-style text, stable per number. */
export function kernelReason(errno: number): string {
  const n = Math.abs(errno);
  return IPSET_ERR[n] ?? ERRNO[n] ?? `kernel error ${n}`;
}
