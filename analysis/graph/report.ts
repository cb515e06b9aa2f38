// The report: what the CLI writes with --json and what the UI reads.
import type { ArgumentRule } from '../args/restricted-arguments.js';
import type { CveRow } from '../policy/cve-verdicts.js';

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
  | 'syscall' // the syscall instruction itself (last step)
  | 'kernel'; // the kernel makes the syscall on the program's behalf (restart_syscall, rt_sigreturn): the last step

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

/** One reachable place a syscall is made: its instruction, or a call passing its number to a wrapper. */
export interface SyscallSiteEntry {
  /** Programs in which it is reachable. */
  programs: string[];
  object: string;
  function: string;
  /** hex */
  address: string;
  /** Its most believable path (graph/best-paths.ts), in the first program. */
  path: PathStep[];
}

/** What one object contributes: the syscalls it has a reachable site of, and those no other object has. */
export interface ObjectContribution {
  object: string;
  syscalls: number[];
  only: number[];
}

export type { ArgumentRule } from '../args/restricted-arguments.js';

export interface SyscallEntry {
  name: string;
  nr: number;
  /** Programs (rootfs paths) that can make it. */
  programs: string[];
  /** The most believable justification (fewest indirect edges, a real root, shortest): root first, the syscall site last (empty for runtime-only syscalls). */
  path: PathStep[];
  /** Every reachable site, best first (absent for runtime-only syscalls). */
  sites?: SyscallSiteEntry[];
  /** Made by the container runtime between installing the filter and exec'ing the entrypoint. */
  runtime?: boolean;
  /**
   * Arguments every reachable site passes a known value in (args/restricted-arguments.ts), with the
   * values; an argument not listed may be anything. Exports turn them into argument rules
   * (policy/argument-rules.ts).
   */
  args?: ArgumentRule[];
  /**
   * Why a policy may answer ENOSYS instead of allowing it: every program that makes it falls back
   * to another syscall then (graph/enosys-fallback.ts). Exports do so unless the runtime makes it.
   */
  enosys?: string;
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
  /** Why the program could not be analysed (then it contributes nothing and the report says so). */
  error?: string;
  /** How it came to be analysed: named on the command line, or seen running in phase 1. */
  source?: 'argument' | 'phase1';
  /** Phase 1: how many times it was exec'd, and the scripts it interpreted. */
  execs?: number;
  /** Phase 1: a process still ran it when the window closed (a long-running program). */
  running?: boolean;
  interpreterOf?: string[];
  /** Libraries phase 1 saw mapped by its processes (added like dlopen'ed ones). */
  mapped?: string[];
  /** Why the engine cannot model this program soundly (design rule 8): its policy may miss syscalls. */
  notFullyAnalysed?: string[];
}

/** The container runtime's own syscalls (design rule 6), measured on the engine. */
export interface RuntimeSummary {
  runtime: string;
  version: string;
  kernel: string;
  /** What it was measured under (the image's user, tty, capabilities ...): a container run otherwise may need more. */
  settings?: string;
  syscalls: { nr: number; name: string }[];
  runs: number;
  source: string;
  cached: boolean;
}

/** What phase 1 saw while the container ran. */
export interface PhaseOneSummary {
  method: 'tracefs' | 'poll';
  seconds: number;
  execs: number;
  warnings: string[];
  containerExit?: { code: number; afterMs: number };
}

/** The image a report is about. */
export interface ImageSummary {
  ref: string;
  id: string;
  source: string;
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
  image?: ImageSummary;
  phase1?: PhaseOneSummary;
  runtime?: RuntimeSummary;
  /** The kernel CVE table judged against this report's policy (before any review) and Docker's default (policy/blocked-cves.ts). */
  cves?: CveRow[];
  /** Per object with a reachable syscall site, what it brings (by number). */
  contributors?: ObjectContribution[];
  stats: { objects: number; functions: number; instructions: number; cachedObjects: number; seconds: number };
}
