/**
 * The JSON a log or sink target writes for an event: the flow record (Netify's field
 * names) with a `flow_action` object saying which action fired, through which target,
 * for which flow event, and when — as Netify attaches `flow_action` to its telemetry.
 */
import type { TargetEvent } from './types.js';

export function actionRecordJson(e: TargetEvent, target: string, now: number): string {
  return JSON.stringify({ ...e.record, flow_action: { action: e.action, target, event: e.kind, timestamp: now } });
}
