/**
 * The C ABI of flowsieve's native modules (native/<module>/), declared once: each
 * function's argument and return types. The runtime adapter binds a declaration through
 * koffi under Node and tjs:ffi under txiki.js; callers see plain functions either way.
 * Types are kept to what both FFIs pass without conversions: C `int` (a JS number) and a
 * byte buffer (a Uint8Array passed by pointer; C may write into it).
 *
 * Adding a module: a directory in native/ with its name in native/Makefile's MODULES, and
 * its declaration here (`export const FOO_ABI = { … } as const satisfies ModuleAbi`).
 */

export type CType = 'int' | 'buffer';

export interface CFunction {
  readonly args: readonly CType[];
  readonly returns: 'int';
}

export type ModuleAbi = { readonly [name: string]: CFunction };

type JsArg<T extends CType> = T extends 'int' ? number : Uint8Array;
type JsArgs<A extends readonly CType[]> = { [I in keyof A]: JsArg<A[I]> };

/** The functions of a module, called on the JS thread. */
export type BoundFunctions<A extends ModuleAbi> = { readonly [K in keyof A]: (...args: JsArgs<A[K]['args']>) => number };

/** The same functions run on a worker thread (Node only): for calls that block. */
export type AsyncFunctions<A extends ModuleAbi> = {
  readonly [K in keyof A]: (...args: JsArgs<A[K]['args']>) => Promise<number>;
};

export interface NativeLibrary<A extends ModuleAbi> {
  /** Where the shared library was loaded from. */
  readonly path: string;
  readonly fn: BoundFunctions<A>;
  /** Present when the runtime can run a C call off the JS thread (koffi); absent on txiki.js. */
  readonly async: AsyncFunctions<A> | null;
  close(): void;
}

/** Loads `native/build/libflowsieve-<module>.so` (or the installed copy) bound to `abi`. */
export type NativeLoader = <A extends ModuleAbi>(module: string, abi: A) => Promise<NativeLibrary<A>>;

/** Shared library file name of a module. */
export function libraryName(module: string): string {
  return `libflowsieve-${module}.so`;
}

/**
 * Directories searched for a module, in order: $FLOWSIEVE_NATIVE_DIR, the build tree next
 * to the bundle (dist/ → native/build) or to these sources (src/runtime/ → native/build),
 * and the installed location on the router.
 */
export function libraryDirs(env: (name: string) => string | undefined, moduleUrl: string): string[] {
  const dirs: string[] = [];
  const fromEnv = env('FLOWSIEVE_NATIVE_DIR');
  if (fromEnv) dirs.push(fromEnv);
  if (moduleUrl.startsWith('file:')) {
    for (const rel of ['../native/build/', '../../native/build/']) {
      dirs.push(decodeURIComponent(new URL(rel, moduleUrl).pathname).replace(/\/$/, ''));
    }
  }
  dirs.push('/usr/lib/flowsieve');
  return dirs;
}

/** The first of `libraryDirs` holding the module's library. */
export async function findLibrary(
  module: string,
  env: (name: string) => string | undefined,
  exists: (path: string) => Promise<boolean>,
): Promise<string> {
  const dirs = libraryDirs(env, import.meta.url);
  for (const dir of dirs) {
    const path = `${dir}/${libraryName(module)}`;
    if (await exists(path)) return path;
  }
  throw new Error(`native module '${module}' not found (looked in ${dirs.join(', ')}; build it with 'npm run build:native')`);
}

/** A negative return of a native call is -errno; this names it for messages. */
export function errnoText(r: number): string {
  const names: { readonly [n: number]: string } = {
    1: 'EPERM (operation not permitted; run as root)',
    2: 'ENOENT',
    9: 'EBADF',
    12: 'ENOMEM',
    13: 'EACCES',
    16: 'EBUSY (queue bound by another process)',
    22: 'EINVAL',
    93: 'EPROTONOSUPPORT (nfnetlink_queue not available)',
    95: 'EOPNOTSUPP',
    105: 'ENOBUFS',
    110: 'ETIMEDOUT',
  };
  return names[-r] ?? `errno ${-r}`;
}

// ---------------------------------------------------------------------------------------
// nfq: NFQUEUE (native/nfq/nfq.c). Record and verdict layouts are in src/live/nfq-records.ts.

export const NFQ_ABI = {
  /** A bound NETLINK_NETFILTER socket: fd or -errno. */
  fsq_socket: { args: [], returns: 'int' },
  /** (fd, queue, copyRange, maxLen, flags, rcvbuf) → accepted flags or -errno. */
  fsq_setup: { args: ['int', 'int', 'int', 'int', 'int', 'int'], returns: 'int' },
  /** (fd, waitMs, out, outLen) → records written or -errno. */
  fsq_drain: { args: ['int', 'int', 'buffer', 'int'], returns: 'int' },
  /** (fd, entries, count) → 0 or -errno. */
  fsq_verdict: { args: ['int', 'buffer', 'int'], returns: 'int' },
  /** (fd, closeFd) → 0 or -errno. */
  fsq_close: { args: ['int', 'int'], returns: 'int' },
} as const satisfies ModuleAbi;

// ---------------------------------------------------------------------------------------
// ctev: conntrack destroy events (native/ctev/ctev.c). Record layout in src/live/conntrack-events.ts.

export const CTEV_ABI = {
  /** A bound NETLINK_NETFILTER socket: fd or -errno. */
  fsct_socket: { args: [], returns: 'int' },
  /** (fd, rcvbuf) → 0 or -errno: join the destroy-event group. */
  fsct_subscribe: { args: ['int', 'int'], returns: 'int' },
  /** (fd, waitMs, out, outLen) → records written or -errno. */
  fsct_drain: { args: ['int', 'int', 'buffer', 'int'], returns: 'int' },
  /** (fd, closeFd) → 0 or -errno. */
  fsct_close: { args: ['int', 'int'], returns: 'int' },
} as const satisfies ModuleAbi;

// ---------------------------------------------------------------------------------------
// crypto: AES-128 and SHA-256 for the classifier (native/crypto/crypto.c). Optional: without
// it the classifier uses its JavaScript versions (util/digest.ts); see runtime/native-crypto.ts.

export const CRYPTO_ABI = {
  /** (key16, in16, out16) → 0: one AES-128 block. */
  fs_aes128_ecb: { args: ['buffer', 'buffer', 'buffer'], returns: 'int' },
  /** (key16, counter16, data, len) → 0: AES-128-CTR over data, in place. */
  fs_aes128_ctr: { args: ['buffer', 'buffer', 'buffer', 'int'], returns: 'int' },
  /** (key16, nonce12, aad, aadLen, sealed, len) → 0 and sealed opened in place, or -1: wrong tag. */
  fs_aes128_gcm_open: { args: ['buffer', 'buffer', 'buffer', 'int', 'buffer', 'int'], returns: 'int' },
  /** (data, len, out20) → 0: SHA-1. */
  fs_sha1: { args: ['buffer', 'int', 'buffer'], returns: 'int' },
  /** (a, aLen, b, bLen, out32) → 0: SHA-256 of a then b. */
  fs_sha256: { args: ['buffer', 'int', 'buffer', 'int', 'buffer'], returns: 'int' },
  /** (key, keyLen, msg, msgLen, out32) → 0: HMAC-SHA256. */
  fs_hmac_sha256: { args: ['buffer', 'int', 'buffer', 'int', 'buffer'], returns: 'int' },
  /** (salt, saltLen, ikm, ikmLen, infos, infosLen, out) → bytes written or -1: a QUIC Initial key schedule (see crypto.c). */
  fs_hkdf_chain: { args: ['buffer', 'int', 'buffer', 'int', 'buffer', 'int', 'buffer'], returns: 'int' },
} as const satisfies ModuleAbi;
