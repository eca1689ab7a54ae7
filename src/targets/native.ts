/** Loading a target's native module once; a module that will not load is one counted reason. */
import type { BoundFunctions, ModuleAbi, NativeLibrary } from '../runtime/native-abi.js';
import { errorText } from '../runtime/types.js';
import type { TargetDeps } from './types.js';

export class NativeModule<A extends ModuleAbi> {
  private lib: NativeLibrary<A> | null = null;
  /** Why the library is not there (after a failed load). */
  failure: string | null = null;

  constructor(
    private readonly module: string,
    private readonly abi: A,
  ) {}

  /** The bound functions, or null when the library will not load (`failure` says why). */
  async get(deps: TargetDeps): Promise<BoundFunctions<A> | null> {
    if (this.lib) return this.lib.fn;
    if (this.failure) return null;
    try {
      this.lib = await deps.loadNative(this.module, this.abi);
      return this.lib.fn;
    } catch (e) {
      this.failure = `native module '${this.module}' unavailable: ${errorText(e)}`;
      return null;
    }
  }

  close(): void {
    this.lib?.close();
    this.lib = null;
  }
}
