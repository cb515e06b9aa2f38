// Executable file mappings of live container processes, from /proc/PID/maps. This is how libraries
// opened with dlopen (which no ELF header names) get into the analysis. The kernel prints each path
// relative to the mapping process's own root, so for a container process they are paths inside the
// container; a prefix (the overlay merged dir) is stripped in case a setup shows host paths.
import * as fs from 'node:fs';
import { readExe } from './proc.js';

/** One executable, file-backed mapping. */
export interface ExecMapping {
  path: string;
  /** The file was deleted (or replaced) after it was mapped. */
  deleted: boolean;
}

const DELETED = ' (deleted)';

/** Parses /proc/PID/maps text into its executable file mappings (no [vdso], [vsyscall], anonymous memory). */
export function parseMaps(text: string): ExecMapping[] {
  const out: ExecMapping[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    // address perms offset dev inode [path]; the path may contain spaces, so split the first five only.
    const m = /^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (!m || !m[1].includes('x')) continue;
    let p = m[2];
    if (!p.startsWith('/')) continue; // anonymous, [vdso], [vsyscall], [stack]...
    const deleted = p.endsWith(DELETED);
    if (deleted) p = p.slice(0, -DELETED.length);
    const key = `${p}\0${deleted}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: p, deleted });
  }
  return out;
}

/** Executable mappings of process `pid`, paths inside the container; undefined if the process is gone (throws EACCES). */
export function readExecMappings(pid: number, hostPrefix?: string): ExecMapping[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch (e) {
    // Reading another user's maps needs ptrace rights: that is a setup problem, not a vanished process.
    if ((e as NodeJS.ErrnoException).code === 'EACCES') throw e;
    return undefined;
  }
  return parseMaps(text).map((m) => ({ ...m, path: stripPrefix(m.path, hostPrefix) }));
}

function stripPrefix(p: string, hostPrefix: string | undefined): string {
  return hostPrefix && p.startsWith(hostPrefix + '/') ? p.slice(hostPrefix.length) : p;
}

/** Collects, across snapshots, which program mapped which executable files. */
export class LibraryCollector {
  private readonly pairs = new Map<string, { program: string; path: string }>();
  private readonly deleted = new Set<string>();
  private readonly memfds = new Set<string>();
  private readonly unreadable = new Set<number>();

  /** Takes one snapshot of each process in `programs` (pid → program it runs). */
  snapshot(programs: ReadonlyMap<number, string>, hostPrefix?: string): void {
    for (const [pid, program] of programs) {
      let maps: ExecMapping[] | undefined;
      try {
        maps = readExecMappings(pid, hostPrefix);
      } catch {
        this.unreadable.add(pid);
        continue;
      }
      if (!maps) continue;
      // The process's own executable is a program, not a library.
      const exe = readExe(pid);
      const own = exe === undefined ? undefined : stripPrefix(exe, hostPrefix);
      for (const m of maps) {
        if (m.path === own) continue;
        if (m.path.startsWith('/memfd:')) {
          this.memfds.add(`${program}: ${m.path}`);
          continue;
        }
        if (m.deleted) this.deleted.add(`${program}: ${m.path}`);
        const key = `${program}\0${m.path}`;
        if (!this.pairs.has(key)) this.pairs.set(key, { program, path: m.path });
      }
    }
  }

  /** The (program, library) pairs seen, sorted by program then path. */
  libraries(): { program: string; path: string }[] {
    return [...this.pairs.values()].sort((a, b) => cmp(a.program, b.program) || cmp(a.path, b.path));
  }

  /** Warnings about mappings that cannot be analysed from the image as they were. */
  warnings(): string[] {
    const out: string[] = [];
    if (this.unreadable.size > 0) out.push(`/proc/PID/maps of ${this.unreadable.size} container processes could not be read (permission denied; run as root): their libraries are missing`);
    for (const d of [...this.deleted].sort()) out.push(`mapped file was deleted while in use, the image may not hold what ran: ${d}`);
    for (const d of [...this.memfds].sort()) out.push(`executable code mapped from an in-memory file (memfd), not analysable: ${d}`);
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
