/**
 * A method's arguments as data (libubox's blobmsg_policy): name → type, plus whether it
 * is required. One table gives both the signature ADD_OBJECT publishes (what
 * `ubus list -v` prints) and the check an INVOKE's arguments get before a handler runs.
 */
import { BLOBMSG_TYPE, type BlobmsgAttr, type JsonObject, valueToJson } from './blobmsg.js';
import type { MethodSignature } from './message.js';

export type ArgType = 'string' | 'int32' | 'int64' | 'bool' | 'double' | 'array' | 'table';

export interface ArgSpec {
  readonly type: ArgType;
  readonly required?: boolean;
}

export type MethodPolicy = { readonly [name: string]: ArgSpec };

/** The blobmsg type number each argument type is signed with (bool is int8, as in libubus). */
const SIGNED_AS: Record<ArgType, number> = {
  string: BLOBMSG_TYPE.string,
  int32: BLOBMSG_TYPE.int32,
  int64: BLOBMSG_TYPE.int64,
  bool: BLOBMSG_TYPE.int8,
  double: BLOBMSG_TYPE.double,
  array: BLOBMSG_TYPE.array,
  table: BLOBMSG_TYPE.table,
};

export function signatureOf(policy: MethodPolicy): MethodSignature {
  return Object.entries(policy).map(([name, spec]) => [name, SIGNED_AS[spec.type]] as const);
}

/** Whether a value of blobmsg type `t` is acceptable for `want` (int64 takes any integer, as BLOBMSG_CAST_INT64). */
function typeFits(want: ArgType, t: BlobmsgAttr['value']['type']): boolean {
  switch (want) {
    case 'bool':
      return t === 'int8';
    case 'int64':
      return t === 'int64' || t === 'int32' || t === 'int16' || t === 'int8';
    case 'int32':
      return t === 'int32' || t === 'int16';
    case 'double':
      return t === 'double' || t === 'int32' || t === 'int64';
    default:
      return t === want;
  }
}

export type ArgsResult = { readonly ok: true; readonly args: JsonObject } | { readonly ok: false; readonly error: string };

/**
 * Check `data` against `policy`: each named argument of the wrong type, and each missing
 * required one, is an error; arguments the policy does not name are dropped (blobmsg_parse
 * ignores them too). Returns the arguments as plain values.
 */
export function checkArgs(policy: MethodPolicy, data: readonly BlobmsgAttr[]): ArgsResult {
  const args: JsonObject = {};
  for (const a of data) {
    const spec = policy[a.name];
    if (!spec || !Object.prototype.hasOwnProperty.call(policy, a.name)) continue;
    if (!typeFits(spec.type, a.value.type)) return { ok: false, error: `argument '${a.name}' must be ${spec.type}, not ${a.value.type}` };
    const v = valueToJson(a.value);
    args[a.name] = spec.type === 'int64' && typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  for (const [name, spec] of Object.entries(policy)) {
    if (spec.required && !(name in args)) return { ok: false, error: `argument '${name}' is required` };
  }
  return { ok: true, args };
}
