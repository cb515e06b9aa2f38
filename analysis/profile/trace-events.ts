// Parser for the text that a tracefs instance's trace_pipe prints for the three scheduler events we
// enable. A line looks like (record-tgid on, mono clock):
//   "           sleep-9708    (   9708) [001] .....  2792.574979: sched_process_exec: filename=/entrypoint.sh pid=9708 old_pid=9708"
// The task name in front is looked up when the line is printed, not when the event happened (a
// process that exec'd later shows its new name on its older events), so only the fields after the
// event name are trusted. Names may contain spaces and dashes ("npm exec tsc -p", "memfd:sealed-91"),
// so every body pattern is anchored on the numeric fields that follow the free-text ones.

/** A fork or clone (also of threads): `pid` is the tid of the task that forked. */
export interface ForkEvent {
  kind: 'fork';
  ts: number;
  /** Thread group of the forking task (record-tgid), when the kernel printed it. */
  tgid?: number;
  comm: string;
  pid: number;
  childComm: string;
  childPid: number;
}

/** A successful execve: `filename` as passed to execve (for a script, the script). */
export interface ExecEvent {
  kind: 'exec';
  ts: number;
  tgid?: number;
  filename: string;
  pid: number;
  /** The tid that called execve; differs from `pid` when a non-leader thread exec'd. */
  oldPid: number;
}

/** A task (thread) exit; `groupDead` is true for the last thread of a process (newer kernels). */
export interface ExitEvent {
  kind: 'exit';
  ts: number;
  tgid?: number;
  comm: string;
  pid: number;
  groupDead?: boolean;
}

/** A task moved into a cgroup: how processes started by `docker exec` or a HEALTHCHECK join a container. */
export interface AttachEvent {
  kind: 'attach';
  ts: number;
  pid: number;
  /** The cgroup's path inside its hierarchy, e.g. /docker/<container id> or /system.slice/docker-<id>.scope. */
  path: string;
}

/** The ring buffer dropped events on a CPU: the kernel prints a marker line in their place. */
export interface LostEvents {
  kind: 'lost';
  cpu: number;
  count: number;
}

/** The process events the recorder uses. */
export type TraceEvent = ForkEvent | ExecEvent | ExitEvent | AttachEvent;

// comm-pid, optional "(tgid)" (or "(-------)" when unknown), [cpu], optional flags, timestamp.
const PREFIX = /^\s*(.*?)-(\d+)\s+(?:\(\s*(-+|\d+)\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?(\d+(?:\.\d+)?):\s+(\w+):\s?(.*)$/;
const FORK = /^comm=(.*) pid=(\d+) child_comm=(.*) child_pid=(\d+)$/;
const EXEC = /^filename=(.*) pid=(\d+) old_pid=(\d+)$/;
const EXIT = /^comm=(.*) pid=(\d+) prio=(-?\d+)(?: group_dead=(true|false))?$/;
const ATTACH = /^dst_root=\d+ dst_id=\d+ dst_level=\d+ dst_path=(\S*) pid=(\d+) comm=.*$/;
const LOST = /^CPU:(\d+) \[LOST (\d+) EVENTS\]$/;

/** Parses one trace_pipe line; undefined for headers, other events and anything unrecognised. */
export function parseTraceLine(line: string): TraceEvent | LostEvents | undefined {
  const lost = LOST.exec(line.trim());
  if (lost) return { kind: 'lost', cpu: Number(lost[1]), count: Number(lost[2]) };
  const m = PREFIX.exec(line);
  if (!m) return undefined;
  // Timestamps in microseconds: "seconds.micros" for the clocks we use, a bare counter otherwise.
  const ts = m[5].includes('.') ? Math.round(Number(m[5]) * 1e6) : Number(m[5]);
  const tgid = m[3] !== undefined && /^\d+$/.test(m[3]) ? Number(m[3]) : undefined;
  const body = m[7];
  switch (m[6]) {
    case 'sched_process_fork': {
      const f = FORK.exec(body);
      if (!f) return undefined;
      return { kind: 'fork', ts, tgid, comm: f[1], pid: Number(f[2]), childComm: f[3], childPid: Number(f[4]) };
    }
    case 'sched_process_exec': {
      const e = EXEC.exec(body);
      if (!e) return undefined;
      return { kind: 'exec', ts, tgid, filename: e[1], pid: Number(e[2]), oldPid: Number(e[3]) };
    }
    case 'sched_process_exit': {
      const x = EXIT.exec(body);
      if (!x) return undefined;
      return { kind: 'exit', ts, tgid, comm: x[1], pid: Number(x[2]), groupDead: x[4] === undefined ? undefined : x[4] === 'true' };
    }
    case 'cgroup_attach_task': {
      const a = ATTACH.exec(body);
      if (!a) return undefined;
      return { kind: 'attach', ts, pid: Number(a[2]), path: a[1] };
    }
    default:
      return undefined;
  }
}

/** Splits a chunk of trace_pipe text into complete lines, carrying an unfinished tail over to the next chunk. */
export class LineSplitter {
  private rest = '';

  /** Returns the complete lines in `rest + chunk` and keeps the unfinished tail. */
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines;
  }
}
