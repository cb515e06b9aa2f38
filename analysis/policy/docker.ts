// Docker seccomp profile export: an allow list over a deny-by-default action.
import type { SyscallEntry } from '../graph/report.js';

export interface DockerProfile {
  /** Why the file is not a container policy, when it is not one (exports.ts scopeNotice). */
  comment?: string;
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: { names: string[]; action: 'SCMP_ACT_ALLOW'; comment?: string }[];
}

/** Builds the Docker JSON profile allowing exactly `syscalls` on x86-64 (x32 and other ABIs denied). */
export function dockerProfile(syscalls: SyscallEntry[]): DockerProfile {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: syscalls.map((s) => s.name).sort(), action: 'SCMP_ACT_ALLOW', comment: 'found by confine static analysis; see the report for each justification path' }],
  };
}
