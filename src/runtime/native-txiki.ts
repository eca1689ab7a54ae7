/** Native modules under txiki.js, through tjs:ffi (libffi). Calls run on the JS thread. */
import { type BoundFunctions, type ModuleAbi, type NativeLibrary } from './native-abi.js';

interface TjsFfi {
  dlopen(
    path: string,
    symbols: { [name: string]: { args: string[]; returns: string } },
  ): { symbols: { [name: string]: (...args: unknown[]) => number }; close(): void };
}

const FFI_TYPES = { int: 'sint', buffer: 'buffer' } as const;
const FFI_MODULE = 'tjs:ffi';

export async function loadTxikiNative<A extends ModuleAbi>(path: string, abi: A): Promise<NativeLibrary<A>> {
  const ffi = (await import(FFI_MODULE)) as TjsFfi;
  const decls: { [name: string]: { args: string[]; returns: string } } = {};
  for (const [name, decl] of Object.entries(abi)) {
    decls[name] = { args: decl.args.map((t) => FFI_TYPES[t]), returns: 'sint' };
  }
  const lib = ffi.dlopen(path, decls);
  return { path, fn: lib.symbols as BoundFunctions<A>, async: null, close: () => lib.close() };
}
