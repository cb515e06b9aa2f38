// The Docker seccomp profile shape: an allow list over a deny-by-default action (exports.ts writes it).
import type { SeccompArg } from './argument-rules.js';

export interface DockerProfile {
  /** Why the file is not a container policy, when it is not one (exports.ts scopeNotice). */
  comment?: string;
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  /** Allow rules, and ERRNO rules with their errnoRet for syscalls answered with an errno (ENOSYS). */
  syscalls: { names: string[]; action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO'; args?: SeccompArg[]; errnoRet?: number; comment?: string }[];
  /** Syscalls the user's review denies, each with its note (the default action denies them already). */
  deniedByReview?: string[];
}
