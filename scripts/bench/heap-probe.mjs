/**
 * Preloaded into `node dist/flowsieve.js …` by bench-dpi.mjs (`node --import`): records
 * every garbage collection with V8's GCProfiler and, at exit, writes the peak V8 heap as
 * JSON to the file FLOWSIEVE_HEAP_OUT names: used (garbage included, as it peaked before
 * a collection), live (the most left in use after a full collection) and committed bytes.
 */
import v8 from 'node:v8';
import { writeFileSync } from 'node:fs';

const out = process.env.FLOWSIEVE_HEAP_OUT;
const profiler = new v8.GCProfiler();
profiler.start();
process.on('exit', () => {
  const data = profiler.stop();
  const now = v8.getHeapStatistics();
  let used = now.used_heap_size;
  let committed = now.total_heap_size;
  let live = 0;
  for (const s of data?.statistics ?? []) {
    // Only a full collection (mark-compact) leaves nothing but live objects.
    if (s.gcType === 'MarkSweepCompact') live = Math.max(live, s.afterGC.heapStatistics.usedHeapSize);
    for (const at of [s.beforeGC, s.afterGC]) {
      used = Math.max(used, at.heapStatistics.usedHeapSize);
      committed = Math.max(committed, at.heapStatistics.totalHeapSize);
    }
  }
  if (out) writeFileSync(out, JSON.stringify({ used, live, committed, collections: data?.statistics?.length ?? 0 }));
});
