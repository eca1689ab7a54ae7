/**
 * The C ABI of the target modules (native/nftset, native/ipset, native/conntrack), in the
 * declaration form of src/runtime/native-abi.ts. Strings travel as NUL-terminated byte
 * buffers; every function returns >= 0 or -errno. Record layouts are in element.ts and
 * conntrack-records.ts, next to the code that fills them.
 */
import type { ModuleAbi } from '../runtime/native-abi.js';
import { encodeUtf8 } from '../util/bytes.js';

export const NFTSET_ABI = {
  /** (family, table, set, keyType, keyLen, size, flush) → 0 or -errno. */
  fs_nftset_ensure: { args: ['int', 'buffer', 'buffer', 'int', 'int', 'int', 'int'], returns: 'int' },
  /** (family, table, set, keys, keyLen, count, timeoutsMs) → count or -errno; one transaction. */
  fs_nftset_add: { args: ['int', 'buffer', 'buffer', 'buffer', 'int', 'int', 'buffer'], returns: 'int' },
  /** (family, table, set) → 0 or -errno. */
  fs_nftset_flush: { args: ['int', 'buffer', 'buffer'], returns: 'int' },
} as const satisfies ModuleAbi;

export const IPSET_ABI = {
  /** (name, typeName, family, timeoutS, maxelem, skbinfo, flush) → 0 or -errno. */
  fs_ipset_create: { args: ['buffer', 'buffer', 'int', 'int', 'int', 'int', 'int'], returns: 'int' },
  /** (name, records, count, fields, skbMark, skbMask, skbPrio, skbQueue, skbFlags, status) → failures or -errno. */
  fs_ipset_add: {
    args: ['buffer', 'buffer', 'int', 'int', 'int', 'int', 'int', 'int', 'int', 'buffer'],
    returns: 'int',
  },
  /** (name) → 0 or -errno. */
  fs_ipset_flush: { args: ['buffer'], returns: 'int' },
} as const satisfies ModuleAbi;

export const CONNTRACK_ABI = {
  /** (records, count, mark, markMask, flags, status) → failures or -errno. */
  fs_ct_update: { args: ['buffer', 'int', 'int', 'int', 'int', 'buffer'], returns: 'int' },
} as const satisfies ModuleAbi;

/** A C string for a 'buffer' argument. */
export function cString(s: string): Uint8Array {
  const b = encodeUtf8(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}
