// The narrower policy of one application inside a container: what that program's code can reach,
// plus what the container runtime does before exec'ing it.
import type { Report, SyscallEntry } from '../graph/report.js';

/** The report's syscalls one program needs (its own static set and the runtime base set). */
export function programSyscalls(report: Report, program: string): SyscallEntry[] {
  return report.syscalls.filter((s) => s.programs.includes(program) || s.runtime === true);
}

/** A file name for a program's profile: its path with slashes turned into dashes (`usr-sbin-nginx`). */
export function programProfileName(program: string): string {
  return program.replace(/^\/+/, '').replace(/[^\w.+-]+/g, '-') || 'root';
}
