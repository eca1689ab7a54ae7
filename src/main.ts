/**
 * Bundle entry. Run by txiki.js or Node it is the `flowsieve` command; loaded as a module
 * by another engine (the QuickJS-ng compatibility test) it only exports the pipeline.
 */
import { runCli } from './cli/main.js';
import { createRuntime, isEntryModule } from './runtime/index.js';

export { replayCapture } from './cli/replay.js';
export { defaultCatalogue } from './catalogue/catalogue.js';
export { VERSION } from './cli/main.js';

if (isEntryModule(import.meta.url)) {
  const rt = await createRuntime();
  if (rt) await rt.exit(await runCli(rt));
}
