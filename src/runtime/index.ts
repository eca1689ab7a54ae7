/** Pick the Runtime for the engine we are running on. */
import type { Runtime } from './types.js';

/** Which engine is this: txiki.js, Node, or neither (e.g. QuickJS embedded in a test). */
export function detectRuntime(): 'node' | 'txiki' | null {
  const g = globalThis as { tjs?: unknown; process?: { versions?: { node?: string } } };
  if (g.tjs) return 'txiki';
  if (g.process?.versions?.node) return 'node';
  return null;
}

/**
 * Whether the module at `moduleUrl` is the program being run, not a library imported by
 * another script (the eval and bench scripts import the bundle under Node).
 */
export function isEntryModule(moduleUrl: string): boolean {
  const kind = detectRuntime();
  if (kind === 'txiki') return true;
  if (kind !== 'node') return false;
  const script = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1];
  if (!script) return false;
  let path: string;
  try {
    path = decodeURIComponent(new URL(moduleUrl).pathname);
  } catch {
    return false;
  }
  return path === script || path === `${script}.js` || path.endsWith(`/${script.replace(/^\.\//, '')}`);
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
