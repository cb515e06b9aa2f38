// Fallback when tracefs cannot be used (not root, no tracefs): scan /proc for processes in the
// container's cgroup and notice new processes and changed images. A process that starts and exits
// between two scans is missed, which is why the caller warns about it.
import type { ContainerFs } from './container-files.js';
import { procRootFs } from './container-files.js';
import { inContainerCgroup, listPids, readArgv, readExe, readStat } from './proc.js';
import { parseShebang } from './programs.js';
import type { ExecRecord } from './types.js';

/** How often /proc is scanned; a process living less than this may be missed. */
export const POLL_INTERVAL_MS = 50;

interface ProcState {
  start: string;
  exe: string;
  cmdline: string;
  program: string;
  exec?: ExecRecord;
}

/**
 * For a script the kernel builds argv as [interpreter, (its one argument), script, ...], with the
 * interpreter spelled as in the "#!" line; /proc/PID/exe shows only the interpreter. Finding the
 * script again this way makes a polled exec look like the traced one (the script's own path).
 */
export function scriptOf(argv: readonly string[], files: ContainerFs): string | undefined {
  for (const i of [1, 2]) {
    const candidate = argv[i];
    if (candidate === undefined || !candidate.startsWith('/')) continue;
    const head = files.head(candidate, 256);
    const sb = head && parseShebang(head);
    if (!sb || sb.interpreter !== argv[0]) continue;
    if ((i === 2) !== (sb.arg !== undefined && sb.arg === argv[1])) continue;
    return candidate;
  }
  return undefined;
}

/** Polls /proc for the processes of one container (by cgroup) and records what they run. */
export class ProcPoller {
  readonly method = 'poll' as const;
  private readonly procs = new Map<number, ProcState>();
  readonly execs: ExecRecord[] = [];
  /** Every container pid seen. */
  readonly seenPids = new Set<number>();
  /** Processes whose /proc/PID/exe could not be read. */
  readonly unreadableExe = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private t0 = process.hrtime.bigint();

  constructor(private readonly containerId: string) {}

  /** Starts scanning every POLL_INTERVAL_MS; `t0` is the time atMs counts from. */
  start(t0: bigint): void {
    this.t0 = t0;
    const tick = (): void => {
      if (this.stopped) return;
      this.scan();
      this.timer = setTimeout(tick, POLL_INTERVAL_MS);
    };
    tick();
  }

  /** Nothing to do: the poller scans on its own timer. */
  tick(): void {}

  /** Stops scanning. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Live container processes and the program each runs. */
  live(): Map<number, string> {
    return new Map([...this.procs].map(([pid, p]) => [pid, p.program]));
  }

  /** Exec paths so far, in order. */
  execPaths(): string[] {
    return this.execs.map((e) => e.path);
  }

  /** One pass over /proc. */
  scan(): void {
    const atMs = Number(process.hrtime.bigint() - this.t0) / 1e6;
    const seen = new Set<number>();
    for (const pid of listPids()) {
      const known = this.procs.get(pid);
      if (!known && !inContainerCgroup(pid, this.containerId)) continue;
      const st = readStat(pid);
      if (!st) continue;
      this.seenPids.add(pid);
      // runc's own init, before it exec's the entrypoint, sits in the cgroup too.
      if (st.comm.startsWith('runc:[')) continue;
      const argv = readArgv(pid);
      // Without the right to ptrace the process (not root), /proc/PID/exe cannot be read, but
      // cmdline can: argv[0] is then the best name there is.
      let exe = readExe(pid);
      if (exe === undefined && argv[0]?.startsWith('/')) {
        exe = argv[0];
        this.unreadableExe.add(pid);
      }
      if (exe === undefined || exe.startsWith('/memfd:')) continue;
      const cmdline = argv.join('\0');
      seen.add(pid);
      if (known && known.start === st.start && known.exe === exe && known.cmdline === cmdline) continue;
      const isNew = !known || known.start !== st.start;
      if (isNew && known?.exec) known.exec.exited = true; // the pid was reused
      // What the process ran before: its own last state, or for a new one its parent's (a fork
      // runs the parent's image until it exec's).
      const before = isNew ? this.procs.get(st.ppid) : known;
      // A changed command line alone is no exec (setproctitle rewrites it, as nginx workers do),
      // unless it now shows a script being run by the same interpreter.
      const script = !before || before.exe !== exe || before.cmdline !== cmdline ? scriptOf(argv, procRootFs(pid)) : undefined;
      if (before && before.exe === exe && (script === undefined || script === before.program)) {
        this.procs.set(pid, { start: st.start, exe, cmdline, program: before.program, exec: isNew ? undefined : known?.exec });
        continue;
      }
      if (!isNew && known?.exec) known.exec.exited = true;
      // The init's parent is the runtime's shim, outside the container: 0, as in a traced recording.
      const ppid = this.procs.has(st.ppid) || inContainerCgroup(st.ppid, this.containerId) ? st.ppid : 0;
      const rec: ExecRecord = { path: script ?? exe, pid, ppid, comm: st.comm, atMs: Math.round(atMs * 1000) / 1000 };
      if (argv[0] !== undefined) rec.argv0 = argv[0];
      this.execs.push(rec);
      this.procs.set(pid, { start: st.start, exe, cmdline, program: rec.path, exec: rec });
    }
    for (const [pid, p] of this.procs) {
      if (seen.has(pid)) continue;
      if (p.exec) p.exec.exited = true;
      this.procs.delete(pid);
    }
  }
}
