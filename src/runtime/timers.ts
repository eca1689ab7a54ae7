/** Timers as the daemon uses them (same on Node and txiki.js): each returns its cancel function. */
import type { DaemonRuntime } from './daemon-types.js';

export const timers: Pick<DaemonRuntime, 'every' | 'after'> = {
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};
