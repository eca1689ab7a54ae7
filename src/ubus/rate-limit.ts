/**
 * A token bucket: `rate` events a second on average, bursts up to `burst`. What it
 * refuses is counted, so the next event that passes can say how many were held back.
 */
export class RateLimit {
  private tokens: number;
  private last: number;
  private held = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: () => number,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Take a token: the number of events refused since the last one that passed, or null when refused. */
  take(): number | null {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) {
      this.held++;
      return null;
    }
    this.tokens -= 1;
    const held = this.held;
    this.held = 0;
    return held;
  }
}
