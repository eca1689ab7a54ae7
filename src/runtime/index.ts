/** Pick the Runtime for the engine we are running on. */
import type { Runtime } from './types.js';

/** Which engine is this: txiki.js, Node, or neither (e.g. QuickJS embedded in a test). */
export function detectRuntime(): 'node' | 'txiki' | null {
  const g = globalThis as { tjs?: unknown; process?: { versions?: { node?: string } } };
  if (g.tjs) return 'txiki';
  if (g.process?.versions?.node) return 'node';
  return null;
}

export async function createRuntime(): Promise<Runtime | null> {
  switch (detectRuntime()) {
    case 'node':
      return (await import('./node.js')).createNodeRuntime();
    case 'txiki':
      return (await import('./txiki.js')).createTxikiRuntime();
    default:
      return null;
  }
}

export type { Runtime } from './types.js';
export { errorText } from './types.js';
