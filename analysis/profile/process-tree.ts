// Which traced tasks belong to the container: everything that descends from its init after init's
// first exec (before that, init is runc's own code). The tree is rebuilt from the whole event list
// each time it is needed, because the init pid is only known once the container has started, and
// processes that lived and died before that must still be found in the events already read.
import type { TraceEvent } from './trace-events.js';

/** A process's own executable, as an exec names it. */
const SELF_EXE = /^\/proc\/(self|thread-self)\/exe$/;

/** One exec of a container process, in trace terms (host pids, trace timestamps). */
export interface TreeExec {
  ts: number;
  filename: string;
  pid: number;
  /** Process (thread group) that forked this one; 0 for the container's init. */
  ppid: number;
  /** Task name set by this exec, from the next fork or exit event of the pid that carries it. */
  comm?: string;
  /** When this process image ended: the pid exited or exec'd again (trace timestamp). */
  endTs?: number;
  /** True when this is the pid's latest exec and it has not exited: its /proc entry shows this exec. */
  current: boolean;
}

/** The container's processes as far as the events tell. */
export interface ContainerTree {
  /** True once init's first exec has been seen. */
  started: boolean;
  execs: TreeExec[];
  /** Live tasks (tids, threads included) and the program (exec filename) each runs. */
  live: Map<number, string>;
  /** Every task (tid) that belonged to the container at some point. */
  seen: Set<number>;
}

interface Task {
  program: string;
  /** The process (tgid when known) that forked it. */
  ppid: number;
  /** The task's latest exec, to mark it exited and give it its comm. */
  exec?: TreeExec;
}

/** Builds the container's process tree from events in time order, rooted at init (host pid `initPid`). */
export function buildTree(events: readonly TraceEvent[], initPid: number): ContainerTree {
  const tasks = new Map<number, Task>();
  /** Leaders that ended while other threads lived: one of those may be exec'ing. */
  const replacedLeaders = new Map<number, Task>();
  const execs: TreeExec[] = [];
  const seen = new Set<number>();
  // A fork of initPid marks the birth of the pid we want; an exec of initPid before any such fork
  // counts only if the fork is not in the events at all (lost, or before the buffer started).
  const initForked = events.some((e) => e.kind === 'fork' && e.childPid === initPid);
  let initBorn = !initForked;
  let started = false;

  for (const e of events) {
    switch (e.kind) {
      case 'fork': {
        const parent = tasks.get(e.pid);
        if (parent) {
          tasks.set(e.childPid, { program: parent.program, ppid: e.tgid ?? e.pid });
          seen.add(e.childPid);
        } else {
          // A reused pid whose exit we missed must not keep its old place in the tree.
          tasks.delete(e.childPid);
          if (e.childPid === initPid && !started) initBorn = true;
        }
        if (parent?.exec && parent.exec.comm === undefined && parent.exec.pid === e.pid) parent.exec.comm = e.comm;
        break;
      }
      case 'exec': {
        // When a non-leader thread exec's, the kernel first ends the leader (an exit event with
        // group_dead=false), then the thread takes over the leader's pid: the process keeps the
        // leader's place in the tree.
        let task = tasks.get(e.pid) ?? (e.oldPid !== e.pid ? replacedLeaders.get(e.pid) : undefined) ?? tasks.get(e.oldPid);
        replacedLeaders.delete(e.pid);
        if (!task && e.pid === initPid && initBorn && !started) {
          started = true;
          task = { program: e.filename, ppid: 0 };
        }
        if (!task) break;
        seen.add(e.pid);
        // A non-leader thread that exec's takes over the leader's pid; its own tid is gone.
        if (e.oldPid !== e.pid) tasks.delete(e.oldPid);
        if (task.exec && task.exec.endTs === undefined) task.exec.endTs = e.ts;
        // Re-exec'ing oneself through /proc (a shell running its applets, runc's init) runs the
        // program that was running: the exec event only names the /proc link.
        const filename = SELF_EXE.test(e.filename) ? task.program : e.filename;
        const rec: TreeExec = { ts: e.ts, filename, pid: e.pid, ppid: task.ppid, current: false };
        execs.push(rec);
        tasks.set(e.pid, { program: filename, ppid: task.ppid, exec: rec });
        break;
      }
      case 'exit': {
        const task = tasks.get(e.pid);
        if (!task) {
          if (e.pid === initPid && !started) initBorn = false;
          break;
        }
        if (task.exec && task.exec.pid === e.pid) {
          if (task.exec.comm === undefined) task.exec.comm = e.comm;
          // group_dead=false: other threads live on (or one of them is about to exec).
          if (e.groupDead === false) replacedLeaders.set(e.pid, task);
          else task.exec.endTs ??= e.ts;
        }
        tasks.delete(e.pid);
        break;
      }
    }
  }

  const live = new Map<number, string>();
  for (const [tid, task] of tasks) {
    live.set(tid, task.program);
    if (task.exec && task.exec.endTs === undefined) task.exec.current = true;
  }
  return { started, execs, live, seen };
}

/**
 * Fallback for a container that exited before inspect could name its init: runc (1.x) forks the
 * init from a task named "runc:[1:CHILD]", and the init then exec's the entrypoint. Returns every
 * such pid whose first exec lies in [fromTs, toTs], optionally only those exec'ing `entrypoint`.
 */
export function findRuncInits(events: readonly TraceEvent[], fromTs: number, toTs: number, entrypoint?: string): number[] {
  const forked = new Set<number>();
  const found: number[] = [];
  for (const e of events) {
    if (e.kind === 'fork' && e.comm === 'runc:[1:CHILD]') forked.add(e.childPid);
    else if (e.kind === 'exec' && forked.has(e.pid)) {
      forked.delete(e.pid);
      if (e.ts < fromTs || e.ts > toTs) continue;
      if (entrypoint !== undefined && !execMatches(e.filename, entrypoint)) continue;
      found.push(e.pid);
    } else if (e.kind === 'exit') forked.delete(e.pid);
  }
  return found;
}

// runc resolves a relative entrypoint through PATH before exec'ing it, so "true" matches "/bin/true".
function execMatches(filename: string, entrypoint: string): boolean {
  return entrypoint.startsWith('/') ? filename === entrypoint : filename === entrypoint || filename.endsWith('/' + entrypoint);
}
