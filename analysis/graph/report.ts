// The report: what the CLI writes with --json and what the UI reads.

/** How control got into a step of a justification path. */
export type EdgeKind =
  | 'root' // a program root: entry point, init/fini function, IFUNC resolver, dlopen'ed export, vDSO
  | 'call' // a direct call instruction
  | 'tail' // a direct jump to another function
  | 'fallthrough' // control runs off the end of a function into the next one
  | 'plt' // a call/jump through a GOT slot bound by the loader (PLT stub, -fno-plt)
  | 'got' // a call/jump through a slot filled with a local address
  | 'ifunc' // a slot bound to an IFUNC: one of the implementations its resolver returns
  | 'indirect' // a register/memory call that may reach any address-taken function
  | 'syscall'; // the syscall instruction itself (last step)

/** One step: a function (or the final syscall site) inside an object. */
export interface PathStep {
  /** Object path inside the rootfs (or "[vdso]"). */
  object: string;
  /** Function name, or sub_<hex> when it has none. */
  function: string;
  /** Function entry (hex). */
  address: string;
  /** The edge that led here. */
  edge: EdgeKind;
  /** The instruction in this function that leads to the next step (hex), or the syscall instruction for the last step. */
  site?: string;
  /** For an indirect edge: why the target counts as address-taken. */
  takenBy?: string;
}

export interface SyscallEntry {
  name: string;
  nr: number;
  /** Programs (rootfs paths) that can make it. */
  programs: string[];
  /** One shortest justification: root first, the syscall site last. */
  path: PathStep[];
}

export interface UnresolvedSite {
  program: string;
  object: string;
  function: string;
  address: string;
  reason: string;
  path: PathStep[];
}

export interface ProgramSummary {
  path: string;
  objects: string[];
  syscalls: number;
  unresolved: number;
  warnings: string[];
}

export interface Report {
  tool: 'confine';
  version: number;
  kernel: string;
  rootfs: string;
  programs: ProgramSummary[];
  syscalls: SyscallEntry[];
  unresolved: UnresolvedSite[];
  warnings: string[];
  stats: { objects: number; functions: number; instructions: number; cachedObjects: number; seconds: number };
}
