/**
 * The shape of src/: shared pieces have one home, so no module needs one that needs it
 * back (a cycle means two modules each own half of something).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_DIR } from './helpers/corpus.js';

const SRC = join(REPO_DIR, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of each source file (type-only ones too: they tie the modules as much). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/gms)) {
      deps.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Every cycle's modules (strongly connected components of more than one file). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(relative(SRC, w));
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('no two modules in src/ import each other, directly or round a loop', () => {
  assert.equal(cycles(importGraph()), []);
});

test('the catalogue needs nothing from the classifier (the names they share live in names.ts)', () => {
  const graph = importGraph();
  const reach = [...graph].filter(([f]) => relative(SRC, f).startsWith('catalogue/'));
  const intoClassify = reach.flatMap(([f, deps]) => deps.filter((d) => relative(SRC, d).startsWith('classify/')).map((d) => `${relative(SRC, f)} → ${relative(SRC, d)}`));
  assert.equal(intoClassify, []);
});

test('no source file is over ~450 lines unless its header says why it is longer', () => {
  const long = sources(SRC)
    .map((f) => ({ f: relative(SRC, f), text: readFileSync(f, 'utf8') }))
    .filter(({ text }) => text.split('\n').length > 460)
    .filter(({ text }) => !/^\/\*\*[\s\S]*?Longer than the house's ~450 lines on purpose: [\s\S]*?\*\//.test(text.slice(0, 3000)))
    .map(({ f }) => f);
  assert.equal(long, []);
});

test.run();
