/**
 * flowsieve's configuration layer: UCI text (or a Netify Flow Actions JSON file) in, typed
 * `PolicyConfig` out, with every problem reported by file, line, column, section and option.
 * Pure: callers read the files and pass their text.
 *
 *   parseUci → validateConfig → buildPolicyConfig     (loadConfig does all three)
 *   netifyJsonToUci                                   (`flowsieve import netify.json`)
 */
import { parseUci, type UciDiagnostic } from './uci-parse.js';
import { validateConfig, type ConfigDiagnostic, type ValidatedConfig } from './validate.js';
import { buildPolicyConfig } from './build-policy-config.js';
import type { PolicyConfig } from './policy-config.js';

export * from './uci-parse.js';
export * from './uci-write.js';
export * from './schema.js';
export * from './validate.js';
export * from './policy-config.js';
export { buildPolicyConfig } from './build-policy-config.js';
export * from './netify-json.js';
export { parseTimeWindow, TIME_WINDOW_HELP, type TimeWindowSpec, type DayName } from './time-window.js';

export type LoadResult =
  | { readonly ok: true; readonly config: PolicyConfig; readonly warnings: readonly ConfigDiagnostic[] }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigDiagnostic[];
      readonly warnings: readonly ConfigDiagnostic[];
      /** The sections that did check, when the text parsed (for reporting more than the first problem). */
      readonly checked?: ValidatedConfig;
    };

/** A parser message as a configuration diagnostic (no section or option known). */
export function fromUciDiagnostic(d: UciDiagnostic, severity: 'error' | 'warning'): ConfigDiagnostic {
  return { severity, file: d.file, line: d.line, column: d.column, section: null, option: null, message: d.message };
}

/** Parse, check and build a UCI configuration. Never throws. */
export function loadConfig(text: string, file: string): LoadResult {
  const parsed = parseUci(text, file);
  const parseWarnings = parsed.warnings.map((w) => fromUciDiagnostic(w, 'warning'));
  if (!parsed.ok) {
    return { ok: false, errors: parsed.errors.map((e) => fromUciDiagnostic(e, 'error')), warnings: parseWarnings };
  }
  const checked = validateConfig(parsed.package);
  const warnings = [...parseWarnings, ...checked.warnings];
  if (!checked.ok) return { ok: false, errors: checked.errors, warnings, checked: checked.config };
  try {
    return { ok: true, config: buildPolicyConfig(checked.config), warnings };
  } catch (e) {
    const err: ConfigDiagnostic = {
      severity: 'error',
      file,
      line: 1,
      column: 1,
      section: null,
      option: null,
      message: `internal error while building the configuration: ${String(e)}`,
    };
    return { ok: false, errors: [err], warnings };
  }
}
