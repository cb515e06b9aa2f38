// Small readers of /proc/PID files. Each returns undefined (or empty) when the process is gone,
// which is routine: container processes come and go between two reads.
import * as fs from 'node:fs';
import * as path from 'node:path';

const DELETED = ' (deleted)';

/** Fields of /proc/PID/stat that the recorder uses. */
export interface ProcStat {
  comm: string;
  ppid: number;
  /** Start time in clock ticks since boot: tells a reused pid from the process that had it before. */
  start: string;
}

/** Parses /proc/PID/stat; undefined if the process is gone. */
export function readStat(pid: number): ProcStat | undefined {
  let s: string;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ")".
  const close = s.lastIndexOf(')');
  const f = s.slice(close + 2).split(' ');
  return { comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(f[1]), start: f[19] };
}

/** The argument vector of a live process; empty if gone (or a kernel thread). */
export function readArgv(pid: number): string[] {
  let raw: string;
  try {
    raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return [];
  }
  if (raw.endsWith('\0')) raw = raw.slice(0, -1);
  return raw === '' ? [] : raw.split('\0');
}

/** The file a process runs (readlink /proc/PID/exe), as the process sees it; undefined if gone. */
export function readExe(pid: number): string | undefined {
  try {
    const p = fs.readlinkSync(`/proc/${pid}/exe`);
    return p.endsWith(DELETED) ? p.slice(0, -DELETED.length) : p;
  } catch {
    return undefined;
  }
}

/** The working directory of a live process, as the process sees it. */
export function readCwd(pid: number): string | undefined {
  try {
    return path.posix.normalize(fs.readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    return undefined;
  }
}

/** True when /proc/PID/cgroup names the container (its id is in every cgroup path Docker makes). */
export function inContainerCgroup(pid: number, containerId: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId);
  } catch {
    return false;
  }
}

/** Pids of the live processes (thread group leaders: /proc lists no threads). */
export function listPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether a process exists (EPERM: it does, but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
