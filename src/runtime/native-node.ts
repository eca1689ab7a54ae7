/** Native modules under Node, through koffi (an npm dependency, loaded only on Node). */
import { type AsyncFunctions, type BoundFunctions, type ModuleAbi, type NativeLibrary } from './native-abi.js';

interface KoffiFunction {
  (...args: unknown[]): number;
  async(...args: unknown[]): void;
}

interface KoffiLib {
  func(name: string, result: string, args: string[]): KoffiFunction;
  unload(): void;
}

export interface Koffi {
  load(path: string): KoffiLib;
}

// Held in a variable so the bundler leaves koffi out: it is only loaded under Node.
export const KOFFI_MODULE = 'koffi';

/**
 * koffi through `require`, synchronously. Its native module is tried first, where npm puts
 * it for glibc Linux hosts: koffi's own loader finds the same file after checking the C
 * library in the node binary's ELF header and probing a list of paths, ~6 ms of a replay's
 * start-up (the wrappers it adds only warn about deprecated calls). Anywhere else (musl,
 * another layout or version) koffi's loader serves.
 */
export function requireKoffi(requireFrom: (id: string) => unknown, platform: string, arch: string): Koffi {
  if (platform === 'linux') {
    try {
      return requireFrom(`@koromix/koffi-${platform}-${arch}/${platform}_${arch}/koffi.node`) as Koffi;
    } catch {
      // koffi's loader below
    }
  }
  const imported = requireFrom(KOFFI_MODULE) as Koffi & { default?: Koffi };
  return imported.default ?? imported;
}
const C_TYPES = { int: 'int', buffer: 'uint8_t *' } as const;

export async function loadNodeNative<A extends ModuleAbi>(path: string, abi: A): Promise<NativeLibrary<A>> {
  const imported = (await import(KOFFI_MODULE)) as Koffi & { default?: Koffi };
  return bindNodeNative(imported.default ?? imported, path, abi);
}

/** The library at `path` bound to `abi` through an already loaded koffi (synchronous). */
export function bindNodeNative<A extends ModuleAbi>(koffi: Koffi, path: string, abi: A): NativeLibrary<A> {
  const lib = koffi.load(path);
  const fn: { [name: string]: (...args: unknown[]) => number } = {};
  const later: { [name: string]: (...args: unknown[]) => Promise<number> } = {};
  for (const [name, decl] of Object.entries(abi)) {
    const f = lib.func(name, decl.returns, decl.args.map((t) => C_TYPES[t]));
    fn[name] = f;
    later[name] = (...args) =>
      new Promise((resolve, reject) => f.async(...args, (err: Error | null, r: number) => (err ? reject(err) : resolve(r))));
  }
  return {
    path,
    fn: fn as BoundFunctions<A>,
    async: later as AsyncFunctions<A>,
    close: () => lib.unload(),
  };
}
