// What the analysis of one object needs to know about the runtime its code was built on. Each
// runtime (glibc, musl, Go) is one module implementing this, the way angr keeps one resolver per
// file: the analysis asks the interface, never a runtime by name.
import type { ElfFile } from '../../elf/types.js';

export type RuntimeName = 'glibc' | 'musl' | 'go' | 'c';

/** A function the runtime's own metadata declares (Go's pclntab): its start, and its end when known. */
export interface DeclaredFunction {
  start: number;
  end?: number;
  name?: string;
  /** Bytes above rsp at a call the function may write (its argument frame), when declared. */
  argFrame?: number;
  /** The runtime itself may call it through a pointer it makes at run time (Go: methods, through itabs and reflection). */
  runtimeCalls?: boolean;
}

export interface EnosysFallback {
  readonly syscall: string;
  readonly fallback: string;
  readonly makers: readonly string[];
  readonly callers: readonly string[];
  readonly why: string;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** Whether the object's code is built on this runtime, decided from its contents, never from its file name. */
  detect(elf: ElfFile): boolean;
  /** Whether a call to this imported symbol never returns (its standard declares it noreturn). */
  noreturnImport(symbol: string): boolean;
  /** Whether a function of the object itself, by its name, never returns (the runtime's own panics). */
  noreturnFunction?(name: string): boolean;
  /** A pointer reaches only the object it points to (no pointer arithmetic): writable data nothing stores to by address keeps its initial value. */
  memorySafe?: boolean;
  /**
   * Functions whose syscalls repeat, with the same numbers, the syscalls another function has just
   * made (Go: every thread re-runs the syscall AllThreadsSyscall made, loading the number from
   * memory): an unknown number there is covered by the other function's numbers.
   */
  mirroredSyscalls?: readonly { function: string; repeats: string; why: string }[];
  /**
   * Syscalls an exported function makes through a path the analysis cannot follow (musl's set*id
   * through __synccall), by function name, from the runtime's sources.
   */
  impliedSyscalls?: Readonly<Record<string, { readonly numbers: readonly number[]; readonly why: string }>>;
  /**
   * Functions whose syscall number is loaded from memory that only the runtime's own code fills,
   * with every number it can put there (glibc's set*id broadcast, from its sources): by function
   * name, so they apply only where symbols (or a debug file's) name the function.
   */
  loadedNumbers?: Readonly<Record<string, { readonly numbers: readonly number[]; readonly why: string }>>;
  /**
   * Syscalls the runtime tries first and gives up on when they fail with ENOSYS, making `fallback`
   * instead (glibc's clone3, whose flags sit in memory no seccomp filter can read, then clone): made
   * only in `makers`, entered only from `callers`, all by function name. Where that holds, a policy
   * answers ENOSYS, as Docker's default does (graph/enosys-fallback.ts).
   */
  enosysFallbacks?: readonly EnosysFallback[];
  /** Functions the runtime's metadata declares, seeds for discovery (none for C runtimes). */
  functions?(elf: ElfFile): DeclaredFunction[];
}
